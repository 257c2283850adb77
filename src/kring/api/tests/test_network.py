"""The circle in the API: list, add, change (with version), status, arrangements, eco-map."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kring.api.network_matrix import (
    API_OPERATIONS,
    PERSONAS,
    access_log_rows,
    expected_status,
    path_of,
)
from kring.audit.models import Action, Outcome
from kring.cases.models import Case
from kring.network.models import CircleMember, MemberStatus, SafetyArrangement
from kring.network.services import member_update

# --- the matrix -----------------------------------------------------------------------------


@pytest.mark.parametrize("assigned", [True, False], ids=["assigned", "unassigned"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", API_OPERATIONS, ids=lambda o: o["operation_id"])
def test_each_persona_gets_the_expected_status(world, api, access_log, operation, persona, assigned):
    if assigned:
        Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    client = api(None if persona == "anonymous" else world.by_name(persona))
    path = path_of(operation, world)
    body = operation["body"](world) if operation["body"] else None
    log = access_log()
    response = client.call(operation["method"], path, body)
    expected = expected_status(operation, persona, assigned=assigned)
    assert response.status_code == expected, response.content
    assert len(log.rows()) == access_log_rows(expected)
    if access_log_rows(expected):
        log.one()  # and every field of it is filled


def test_every_operation_names_every_persona():
    for operation in API_OPERATIONS:
        assert set(operation["expected"]) == set(PERSONAS), operation["operation_id"]


def test_the_schema_lists_the_circle_operations(db, client):
    schema = client.get("/api/openapi.json").json()
    found = {(method.upper(), path, op["operationId"])
             for path, ops in schema["paths"].items() for method, op in ops.items()}
    assert {(o["method"], o["path"], o["operation_id"]) for o in API_OPERATIONS} <= found
    ecomap = schema["paths"]["/api/cases/{case_id}/circle/ecomap.svg"]["get"]
    assert "image/svg+xml" in ecomap["responses"]["200"]["content"]


# --- reading ------------------------------------------------------------------------------


@pytest.fixture
def assigned(world):
    Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    world.case.refresh_from_db()
    return world


def _circle(case) -> str:
    return f"/api/cases/{case.pk}/circle"


def test_the_coordinator_lists_the_circle_which_starts_with_the_family(assigned, api, access_log):
    log = access_log()
    response = api(assigned.coordinator).get(_circle(assigned.case))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["can_change"] is True
    assert [(m["name"], m["role"], m["next_statuses"]) for m in body["members"]] == [
        ("Fatima el Amrani", "main", ["approached", "invited"]),
        ("Yasmina el Amrani", "child", ["approached", "invited"]),
    ]
    assert body["figures"] == {"size": 0, "invited": 0, "came": 0, "agreements": 0, "mother_side": 0,
                               "father_side": 0, "both_sides": False, "outside_family": 0}
    log.one(action=Action.READ, object_type="case", case_id=assigned.case.pk)


def test_the_professional_reads_the_circle_without_contact_details(assigned, api):
    CircleMember.objects.create(case=assigned.case, name="Samira", phone="+31612345678", notes="Privé")
    body = api(assigned.professional).get(_circle(assigned.case)).json()
    assert body["can_change"] is False
    assert [(m["name"], m["phone"], m["notes"]) for m in body["members"]] == [("Samira", None, None)]


def test_the_ecomap_is_svg(assigned, api, access_log):
    log = access_log()
    response = api(assigned.manager).get(_circle(assigned.case) + "/ecomap.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert ET.fromstring(response.content).get("role") == "img"
    log.one(action=Action.EXPORT, purpose="eco-map (SVG)")


# --- adding and changing ------------------------------------------------------------------


def test_adding_a_person(assigned, api, access_log):
    log = access_log()
    response = api(assigned.coordinator).post(_circle(assigned.case) + "/members", {
        "name": "Oma Aicha", "side": "mother", "closeness": 1, "phone": "06 1234 5678", "language": "ar"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["phone"], body["status"], body["version"], body["closeness"]) == (
        "+31612345678", "identified", 1, 1)
    member = CircleMember.objects.get(pk=body["id"])
    log.one(action=Action.CREATE, object_type="circlemember", object_id=str(member.pk))


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "Oma", "phone": "bel me"}, "phone"),
    ({"name": "Oma", "email": "geen"}, "email"),
    ({"name": "", "side": "mother"}, "name"),
    ({"name": "Oma", "language": "xx"}, "language"),
])
def test_bad_content_gets_422_with_a_translated_message(assigned, api, access_log, body, field):
    log = access_log()
    response = api(assigned.coordinator).call("POST", _circle(assigned.case) + "/members", body,
                                              **{"Accept-Language": "nl"})
    assert response.status_code == 422, response.content
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "payload", field]
    assert error["msg"]
    assert not CircleMember.objects.filter(case=assigned.case).exists()
    log.one(outcome=Outcome.DENIED)


@pytest.mark.parametrize("body", [{"side": "oom"}, {"name": "x", "closeness": 7}, {"name": "x", "side": None}])
def test_a_wrong_shape_gets_422_before_anything_is_looked_up(assigned, api, access_log, body):
    log = access_log()
    response = api(assigned.coordinator).post(_circle(assigned.case) + "/members", body)
    assert response.status_code == 422
    assert log.rows() == []


def test_changing_a_person_with_the_current_version(assigned, api, access_log):
    member = CircleMember.objects.create(case=assigned.case, name="Samira", relation="tante")
    log = access_log()
    response = api(assigned.manager).call("PATCH", f"{_circle(assigned.case)}/members/{member.pk}",
                                          {"version": 1, "phone": "0687654321"})
    assert response.status_code == 200, response.content
    assert (response.json()["phone"], response.json()["relation"], response.json()["version"]) == (
        "+31687654321", "tante", 2)
    log.one(action=Action.CHANGE, object_id=str(member.pk), purpose="circle: person changed")


def test_a_stale_change_gets_409_with_what_changed(assigned, api, access_log):
    member = CircleMember.objects.create(case=assigned.case, name="Samira", relation="tante")
    member_update(member=member, data={"relation": "tante (zus van moeder)"}, expected_version=1,
                  by=assigned.coordinator)
    log = access_log()
    response = api(assigned.manager).call("PATCH", f"{_circle(assigned.case)}/members/{member.pk}",
                                          {"version": 1, "notes": "Komt later."}, **{"Accept-Language": "en"})
    assert response.status_code == 409, response.content
    body = response.json()
    assert (body["code"], body["version"], body["changes"]) == (
        "stale", 2, {"relation": "tante (zus van moeder)"})
    assert "Relation: tante (zus van moeder)" in body["detail"]
    member.refresh_from_db()
    assert (member.notes, member.version) == ("", 2)
    log.one(outcome=Outcome.DENIED, purpose="circle: stale edit refused")


def test_setting_a_status_follows_the_path(assigned, api, access_log):
    member = CircleMember.objects.create(case=assigned.case, name="Samira")
    path = f"{_circle(assigned.case)}/members/{member.pk}/status"
    client = api(assigned.coordinator)
    assert client.post(path, {"status": "invited"}).json()["next_statuses"] == ["confirmed", "declined"]
    log = access_log()
    response = client.post(path, {"status": "agreement"})
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_status"
    log.one(outcome=Outcome.DENIED, purpose="circle: status refused: agreement")
    client.post(path, {"status": "confirmed"})
    response = client.post(path, {"status": "attended", "attendance": "remote"})
    assert (response.json()["status"], response.json()["attendance"]) == ("attended", "remote")
    member.refresh_from_db()
    assert member.status == MemberStatus.ATTENDED


def test_a_member_of_another_case_is_not_found(assigned, api, access_log):
    from kring.testing import factories as f

    other = CircleMember.objects.create(case=f.CaseFactory(coordinator=assigned.coordinator), name="X")
    log = access_log()
    response = api(assigned.coordinator).post(f"{_circle(assigned.case)}/members/{other.pk}/status",
                                              {"status": "invited"})
    assert response.status_code == 404
    log.one(outcome=Outcome.DENIED, object_type="circlemember")


# --- safety arrangements ------------------------------------------------------------------


def test_adding_and_removing_an_arrangement(assigned, api, access_log):
    mother = CircleMember.objects.create(case=assigned.case, name="Fatima", role="main")
    father = CircleMember.objects.create(case=assigned.case, name="Karim", side="father")
    client = api(assigned.coordinator)
    response = client.post(f"{_circle(assigned.case)}/arrangements", {
        "kind": "must_not_meet", "person_id": mother.pk, "other_id": father.pk}, **{"Accept-Language": "en"})
    assert response.status_code == 201, response.content
    assert response.json()["summary"] == "Fatima: must not meet Karim"
    log = access_log()
    response = client.call("DELETE", f"{_circle(assigned.case)}/arrangements/{response.json()['id']}")
    assert response.status_code == 204
    assert not SafetyArrangement.objects.exists()
    log.one(action=Action.CHANGE, object_type="safetyarrangement")


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "must_not_meet"}, "other_id"),
    ({"kind": "only_with_person", "other": True}, "present_id"),
    ({"kind": "some_parts_only", "parts": [5]}, "parts"),
    ({"kind": "must_not_meet", "other": "stranger"}, "other_id"),
])
def test_a_bad_arrangement_gets_422_at_the_right_field(assigned, api, body, field):
    from kring.testing import factories as f

    mother = CircleMember.objects.create(case=assigned.case, name="Fatima", role="main")
    father = CircleMember.objects.create(case=assigned.case, name="Karim", side="father")
    stranger = CircleMember.objects.create(case=f.CaseFactory(coordinator=assigned.coordinator), name="X")
    payload = {"kind": body["kind"], "person_id": mother.pk, "parts": body.get("parts", [])}
    if body.get("other") is True:
        payload["other_id"] = father.pk
    elif body.get("other") == "stranger":
        payload["other_id"] = stranger.pk
    response = api(assigned.coordinator).post(f"{_circle(assigned.case)}/arrangements", payload)
    assert response.status_code == 422, response.content
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "payload", field]]
    assert not SafetyArrangement.objects.exists()


def test_a_closed_case_gets_409(assigned, api):
    from kring.cases.models import State

    Case.objects.filter(pk=assigned.case.pk).update(state=State.CLOSED)
    response = api(assigned.coordinator).post(_circle(assigned.case) + "/members", {"name": "Oma"})
    assert response.status_code == 409
    assert response.json()["code"] == "case_closed"


def test_a_bearer_token_works_too(assigned, token_api):
    assert token_api(assigned.coordinator).get(_circle(assigned.case)).status_code == 200


def test_the_circle_and_its_ecomap_read_as_many_queries_however_many_people_and_arrangements(
        assigned, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(assigned.coordinator)
    paths = (_circle(assigned.case), _circle(assigned.case) + "/ecomap.svg")
    for path in paths:
        client.get(path)  # the family is put in the circle on the first read
    counts = []
    for path in paths:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        counts.append(len(ctx.captured_queries))

    aunt = CircleMember.objects.create(case=assigned.case, name="Tante Noor", side="mother", phone="+31612345678",
                                       email="noor@example.org", language="ar", interpreter_needed=True,
                                       notes="Belt 's avonds", relation="tante")
    uncle = CircleMember.objects.create(case=assigned.case, name="Oom Karim", side="father")
    opa = CircleMember.objects.create(case=assigned.case, name="Opa Ali", side="father", kind="friend")
    SafetyArrangement.objects.create(case=assigned.case, kind="must_not_meet", person=aunt, other=uncle)
    SafetyArrangement.objects.create(case=assigned.case, kind="only_with_person", person=uncle, other=aunt,
                                     present=opa)
    SafetyArrangement.objects.create(case=assigned.case, kind="some_parts_only", person=opa, parts=[3, 1])
    for path, count in zip(paths, counts, strict=True):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, **{"Accept-Language": "en"})
        assert len(ctx.captured_queries) == count, path

    body = client.get(paths[0], **{"Accept-Language": "en"}).json()
    noor = next(m for m in body["members"] if m["name"] == "Tante Noor")
    assert {k: noor[k] for k in ("phone", "email", "language", "interpreter_needed", "notes", "relation",
                                 "side", "version")} == {
        "phone": "+31612345678", "email": "noor@example.org", "language": "ar", "interpreter_needed": True,
        "notes": "Belt 's avonds", "relation": "tante", "side": "mother", "version": 1}
    assert [a["summary"] for a in body["arrangements"]] == [
        "Tante Noor: must not meet Oom Karim", "Oom Karim: meets Tante Noor only when Opa Ali is there",
        "Opa Ali: takes part only in part 1, 3"]
    assert body["figures"]["father_side"] == 0 and body["figures"]["size"] == 3
    assert "Oom Karim" in response.content.decode()  # the eco-map
