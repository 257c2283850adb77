"""POST /api/requests: a professional sends a request."""

from __future__ import annotations

import pytest

from kring.api.matrix import request_body
from kring.audit.models import Action, Outcome
from kring.cases.models import Case, CaseEvent, CasePerson, CaseProfessional, Channel


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Case, CasePerson, CaseProfessional, CaseEvent))


def _errors(response) -> dict[tuple, list[str]]:
    assert response.status_code == 422, response.content
    out: dict[tuple, list[str]] = {}
    for error in response.json()["detail"]:
        out.setdefault(tuple(error["loc"]), []).append(error["msg"])
    return out


def test_a_professional_submits_a_request(world, api, access_log):
    log = access_log()
    body = {**request_body(), "professionals": [{"name": "Kees Smit", "organisation": "Wijkteam"}]}
    response = api(world.professional).post("/api/requests", body)
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert data == {"id": case.pk, "reference": case.reference, "state": "request",
                    "region": case.region.name}
    assert case.channel == Channel.API
    assert case.referred_by == world.professional
    assert case.requester_name == world.professional.display_name
    assert case.requester_professional_kind == world.professional.professional_kind
    assert [(p.role, p.name) for p in case.persons.all()] == [
        ("child", "Noor Bakker"), ("parent", "Samira Bakker")]
    assert case.persons.get(role="child").birth_date.isoformat() == "2014-06-02"
    assert case.professionals.get().organisation == "Wijkteam"
    log.one(action=Action.CREATE, outcome=Outcome.SUCCESS, object_type="case",
            object_id=str(case.pk), case_id=case.pk, user_id=world.professional.pk)


def test_the_submitter_can_read_the_new_case(world, api):
    client = api(world.professional)
    case_id = client.post("/api/requests", request_body()).json()["id"]
    assert client.get(f"/api/cases/{case_id}").status_code == 200


def test_the_role_given_in_the_request_wins_over_the_account(world, api):
    body = {**request_body(), "requester_professional_kind": "jr"}
    case_id = api(world.professional).post("/api/requests", body).json()["id"]
    assert Case.objects.get(pk=case_id).requester_professional_kind == "jr"


def test_phone_numbers_with_consent_are_stored_in_e164(world, api):
    body = {**request_body(), "phone_consent": True,
            "parents": [{"name": "Samira Bakker", "phone": "06 12345678"}]}
    case_id = api(world.professional).post("/api/requests", body).json()["id"]
    assert CasePerson.objects.get(case_id=case_id, role="parent").phone == "+31612345678"


@pytest.mark.parametrize("persona", ["manager", "coordinator", "policy", "admin"])
def test_other_roles_may_not_submit(world, api, access_log, persona):
    before, log = _counts(), access_log()
    response = api(world.by_name(persona)).post("/api/requests", request_body())
    assert response.status_code == 403
    assert response.json()["detail"]
    assert _counts() == before
    log.one(action=Action.CREATE, outcome=Outcome.DENIED, object_type="case", object_id="-")


def test_anonymous_gets_401_and_nothing_is_written(world, api, access_log):
    before, log = _counts(), access_log()
    assert api(None).post("/api/requests", request_body()).status_code == 401
    assert _counts() == before
    assert log.rows() == []


BAD_INPUT = [
    pytest.param({"municipality": "Atlantis"}, ("municipality",), id="unknown-municipality"),
    pytest.param({"situation": ""}, ("situation",), id="empty-situation"),
    pytest.param({"situation": "x" * 4001}, ("situation",), id="situation-too-long"),
    pytest.param({"legal_frame": "martial_law"}, ("legal_frame",), id="unknown-legal-frame"),
    pytest.param({"pref_language": "kl"}, ("pref_language",), id="unknown-language"),
    pytest.param({"language_required": True}, ("pref_language",), id="language-needed-but-none"),
    pytest.param({"parents": []}, ("parents",), id="no-parent"),
    pytest.param({"children": []}, ("children",), id="no-child"),
    pytest.param({"children": [{"name": "Noor"}]}, ("children", 0, "birth_date"), id="child-no-birth"),
    pytest.param({"children": [{"name": "Noor", "birth_date": "2999-01-01"}]},
                 ("children", 0, "birth_date"), id="born-in-the-future"),
    pytest.param({"children": [{"name": "Noor", "birth_date": "2014-02-30"}]},
                 ("children", 0, "birth_date"), id="no-such-date"),
    pytest.param({"parents": [{"email": "a@example.org"}]}, ("parents", 0, "name"),
                 id="row-without-name"),
    pytest.param({"parents": [{"name": "Samira", "phone": "06 1234"}], "phone_consent": True},
                 ("parents", 0, "phone"), id="bad-phone"),
    pytest.param({"parents": [{"name": "Samira", "phone": "0612345678"}]},
                 ("parents", 0, "phone"), id="phone-without-consent"),
    pytest.param({"children": [{"name": "Noor", "birth_date": "2014-06-02", "phone": "0612345678"}]},
                 ("children", 0, "phone"), id="child-phone-without-consent"),
    pytest.param({"parents": [{"name": f"Ouder {i}"} for i in range(5)]}, ("parents",),
                 id="too-many-parents"),
    pytest.param({"professionals": [{"name": "Kees", "email": "geen-adres"}]},
                 ("professionals", 0, "email"), id="bad-email"),
    pytest.param({"language_required": "perhaps"}, ("language_required",), id="not-a-boolean"),
    pytest.param({"parents": "Samira"}, ("parents",), id="not-a-list"),
]


@pytest.mark.parametrize(("change", "where"), BAD_INPUT)
def test_bad_input_gets_422_per_field_and_writes_nothing(world, api, access_log, change, where):
    before, log = _counts(), access_log()
    response = api(world.professional).post("/api/requests", {**request_body(), **change})
    errors = _errors(response)
    assert ("body", "payload", *where) in errors, errors
    assert all(msg and isinstance(msg, str) for msgs in errors.values() for msg in msgs)
    assert _counts() == before
    assert log.rows() == []


def test_a_missing_field_is_reported_by_name(world, api):
    body = request_body()
    del body["municipality"], body["legal_frame"]
    errors = _errors(api(world.professional).post("/api/requests", body))
    assert set(errors) == {("body", "payload", "municipality"), ("body", "payload", "legal_frame")}


def test_all_content_errors_come_back_at_once(world, api):
    body = {**request_body(), "municipality": "Atlantis", "children": [{"name": "Noor"}]}
    errors = _errors(api(world.professional).post("/api/requests", body))
    assert ("body", "payload", "municipality") in errors
    assert ("body", "payload", "children", 0, "birth_date") in errors


def test_messages_are_translated(world, api):
    body = request_body()
    del body["situation"]
    client = api(world.professional)
    dutch = _errors(client.call("POST", "/api/requests", body, **{"Accept-Language": "nl"}))
    english = _errors(client.call("POST", "/api/requests", body, **{"Accept-Language": "en"}))
    assert english[("body", "payload", "situation")] == ["This field is required."]
    assert dutch[("body", "payload", "situation")] == ["Dit veld is verplicht."]


def test_a_body_that_is_not_json_gets_422(world, api):
    client = api(world.professional)
    response = client.client.post("/api/requests", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert Case.objects.count() == 1
