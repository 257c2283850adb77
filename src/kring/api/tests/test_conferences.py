"""Conference operations: checklist, conference, recording, invitations; same rules as the pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kring.api.matrix import PERSONAS, access_log_rows, expected_status
from kring.audit.models import Action, Outcome
from kring.cases.models import Case, State
from kring.conferences.matrix_expectations import API_OPERATIONS
from kring.conferences.models import Conference, Invitation, PreparationItem, Presence
from kring.network.models import CircleMember, MemberStatus

AMS = ZoneInfo("Europe/Amsterdam")
STARTS = "2026-12-05T10:00:00+01:00"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=AMS), tick=True):
        yield


@pytest.fixture
def preparing(world):
    Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator, state=State.PREPARING)
    world.case.refresh_from_db()
    return world.case


@pytest.fixture
def members(preparing):
    return {
        "ans": CircleMember.objects.create(case=preparing, name="Ans de Boer", email="ans@example.org"),
        "cees": CircleMember.objects.create(case=preparing, name="Cees el Amrani", phone="0634567890"),
    }


def _path(case, rest=""):
    return f"/api/cases/{case.pk}/{rest}"


def _plan(api, world, case):
    response = api(world.coordinator).call("PUT", _path(case, "conference"), {
        "starts_at": STARTS, "ends_at": "2026-12-05T14:00:00+01:00", "venue": "Buurthuis De Linde",
        "address": "Lindelaan 3, Utrecht"})
    assert response.status_code == 201, response.content
    return response.json()


# --- the matrix -----------------------------------------------------------------------------


@pytest.mark.parametrize("assigned", [True, False], ids=["assigned", "unassigned"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", API_OPERATIONS, ids=lambda o: o["operation_id"])
def test_each_persona_gets_the_expected_status(world, api, access_log, operation, persona, assigned):
    if assigned:
        Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    client = api(None if persona == "anonymous" else world.by_name(persona))
    body = operation["body"](world) if operation["body"] else None
    log = access_log()
    response = client.call(operation["method"], operation["path"].format(case_id=world.case.pk), body)
    expected = expected_status(operation, persona, assigned=assigned)
    assert response.status_code == expected, response.content
    assert len(log.rows()) == access_log_rows(expected)
    if access_log_rows(expected):
        log.one()


def test_every_operation_is_in_the_schema_and_the_matrix(db, client):
    schema = client.get("/api/openapi.json").json()
    found = {(method.upper(), path, op["operationId"]) for path, ops in schema["paths"].items()
             for method, op in ops.items() if op["tags"] == ["conferences"]}
    assert found == {(o["method"], o["path"], o["operation_id"]) for o in API_OPERATIONS}
    assert all(set(o["expected"]) == set(PERSONAS) for o in API_OPERATIONS)


# --- checklist ------------------------------------------------------------------------------


def test_the_checklist_and_its_progress(preparing, world, api, access_log):
    log = access_log()
    response = api(world.professional).get(_path(preparing, "preparation"))
    assert response.status_code == 200
    body = response.json()
    assert (body["done"], body["total"], len(body["items"])) == (0, 11, 11)
    assert body["items"][0] == {**body["items"][0], "code": "visit_parents", "status": "open"}
    log.one(action=Action.READ, object_type="preparation", case_id=preparing.pk)


def test_the_coordinator_changes_items(preparing, world, api, access_log):
    log = access_log()
    response = api(world.coordinator).call("PUT", _path(preparing, "preparation"), {"items": [
        {"code": "visit_parents", "status": "done", "note": "Bij moeder thuis."},
        {"code": "interpreter", "status": "not_needed"}]})
    assert response.status_code == 200, response.content
    assert response.json()["done"] == 2
    item = PreparationItem.objects.get(case=preparing, code="visit_parents")
    assert (item.status, item.note, item.updated_by) == ("done", "Bij moeder thuis.", world.coordinator)
    log.one(action=Action.CHANGE, outcome=Outcome.SUCCESS, purpose="preparation checklist saved (2 changed)")


@pytest.mark.parametrize(("item", "loc"), [
    ({"code": "fly", "status": "done"}, ["body", "payload", "items", 0, "code"]),
    ({"code": "venue", "status": "maybe"}, ["body", "payload", "items", 0, "status"]),
    ({"code": "venue", "status": "done", "note": "x" * 1001}, ["body", "payload", "items", 0, "note"]),
])
def test_wrong_items_get_422_and_change_nothing(preparing, world, api, access_log, item, loc):
    log = access_log()
    response = api(world.coordinator).call("PUT", _path(preparing, "preparation"), {"items": [item]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert not PreparationItem.objects.filter(status="done").exists()
    assert log.rows() == []


# --- the conference -------------------------------------------------------------------------


def test_planning_schedules_the_case_and_a_change_raises_the_version(preparing, world, api):
    body = _plan(api, world, preparing)
    assert body["venue"] == "Buurthuis De Linde" and body["version"] == 1
    assert Case.objects.get(pk=preparing.pk).state == State.SCHEDULED
    response = api(world.manager).call("PUT", _path(preparing, "conference"), {
        "starts_at": "2026-12-06T10:00:00+01:00", "venue": "Buurthuis De Linde"})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    overview = api(world.linked_professional).get(_path(preparing, "conference")).json()
    assert overview["conference"]["starts_at"].startswith("2026-12-06T09:00:00")
    assert (overview["preparation_done"], overview["preparation_total"]) == (0, 11)


def test_a_date_in_the_past_gets_422(preparing, world, api, access_log):
    log = access_log()
    response = api(world.coordinator).call("PUT", _path(preparing, "conference"), {
        "starts_at": "2026-11-01T10:00:00+01:00", "venue": "Thuis"}, **{"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "payload", "starts_at"],
                                          "msg": "Choose a moment in the future.", "type": "invalid"}]
    assert not Conference.objects.exists()
    log.one(outcome=Outcome.DENIED)


def test_no_conference_yet_gets_409(preparing, world, api):
    for method, rest in [("PUT", "conference/record"), ("POST", "conference/held"),
                         ("POST", "conference/invitations")]:
        body = {"member_ids": [], "channels": ["email"]} if rest.endswith("invitations") else {}
        response = api(world.coordinator).call(method, _path(preparing, rest), body)
        assert response.status_code == 409, (rest, response.content)
        assert response.json()["code"] == "no_conference"


def test_a_professional_in_part_2_gets_422_and_nothing_is_recorded(preparing, members, world, api, access_log):
    _plan(api, world, preparing)
    pro = preparing.professionals.get(user=world.linked_professional)
    log = access_log()
    response = api(world.coordinator).call("PUT", _path(preparing, "conference/record"), {
        "presences": [{"part": 1, "professional_id": pro.pk}, {"part": 2, "professional_id": pro.pk},
                      {"part": 2, "member_id": members["ans"].pk}]}, **{"Accept-Language": "en"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == "professional_in_private_time"
    assert error["msg"].startswith("A professional cannot be present in part 2")
    assert not Presence.objects.exists()
    log.one(outcome=Outcome.DENIED, purpose="conference record refused")


def test_recording_and_holding_the_conference(preparing, members, world, api):
    _plan(api, world, preparing)
    pro = preparing.professionals.get(user=world.linked_professional)
    ans, cees = members["ans"], members["cees"]
    response = api(world.coordinator).call("PUT", _path(preparing, "conference/record"), {
        "parts": [{"part": 1, "started_at": "2026-12-05T10:00:00+01:00", "ended_at": "2026-12-05T11:00:00+01:00"},
                  {"part": 2, "started_at": "2026-12-05T11:10:00+01:00"}],
        "presences": [{"part": 1, "professional_id": pro.pk}, {"part": 1, "member_id": ans.pk},
                      {"part": 2, "member_id": ans.pk}, {"part": 2, "member_id": cees.pk, "remote": True}],
        "chair_id": ans.pk, "writer_id": cees.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["chair"] == {"id": ans.pk, "name": "Ans de Boer"}
    assert len(body["presences"]) == 4
    assert body["parts"][1]["started_at"].startswith("2026-12-05T10:10:00")

    assert api(world.manager).post(_path(preparing, "conference/held")).status_code == 409  # coordinator only
    response = api(world.coordinator).post(_path(preparing, "conference/held"))
    assert response.status_code == 200, response.content
    assert response.json()["held_at"]
    assert Case.objects.get(pk=preparing.pk).state == State.HELD
    cees.refresh_from_db()
    assert (cees.status, cees.attendance) == (MemberStatus.ATTENDED, "remote")
    assert api(world.coordinator).post(_path(preparing, "conference/held")).status_code == 409


def test_a_chair_from_another_case_gets_422(preparing, members, world, api):
    from kring.testing.factories import CaseFactory

    _plan(api, world, preparing)
    other = CircleMember.objects.create(case=CaseFactory(), name="Iemand Anders")
    response = api(world.coordinator).call("PUT", _path(preparing, "conference/record"), {"chair_id": other.pk})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "chair_id"]


# --- invitations ----------------------------------------------------------------------------


def test_sending_invitations_queues_them_and_never_returns_the_link(preparing, members, world, api, access_log):
    _plan(api, world, preparing)
    log = access_log()
    response = api(world.coordinator).post(_path(preparing, "conference/invitations"), {
        "member_ids": [members["ans"].pk, members["cees"].pk], "channels": ["email", "sms"]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert {i["name"]: i["channels"] for i in body} == {"Ans de Boer": ["email"], "Cees el Amrani": ["sms"]}
    assert "/i/" not in response.content.decode()
    assert all("nonce" not in i for i in body)
    log.one(action=Action.CHANGE, outcome=Outcome.SUCCESS, purpose="invitations sent (2)")
    nonce = Invitation.objects.get(member=members["ans"]).nonce
    again = api(world.coordinator).post(_path(preparing, "conference/invitations"), {
        "member_ids": [members["ans"].pk], "channels": ["email"]})
    assert again.status_code == 200
    assert Invitation.objects.get(member=members["ans"]).nonce != nonce


def test_inviting_someone_outside_the_circle_gets_422(preparing, members, world, api):
    from kring.testing.factories import CaseFactory

    _plan(api, world, preparing)
    other = CircleMember.objects.create(case=CaseFactory(), name="Iemand Anders", email="x@example.org")
    response = api(world.coordinator).post(_path(preparing, "conference/invitations"), {
        "member_ids": [members["ans"].pk, other.pk], "channels": ["email"]})
    assert response.status_code == 422
    assert not Invitation.objects.exists()


def test_the_professional_gets_403_on_invitations(preparing, members, world, api):
    _plan(api, world, preparing)
    response = api(world.professional).post(_path(preparing, "conference/invitations"), {
        "member_ids": [members["ans"].pk], "channels": ["email"]})
    assert response.status_code == 403
    assert not Invitation.objects.exists()
