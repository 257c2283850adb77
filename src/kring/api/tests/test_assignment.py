"""GET /api/cases/{id}/suggestions and POST /api/cases/{id}/assign: choosing a coordinator."""

from __future__ import annotations

import pytest
from django.core import mail

from kring.audit.models import Action, Outcome
from kring.cases.models import State
from kring.testing import factories as f
from kring.testing.helpers import run_worker


def _suggestions(case) -> str:
    return f"/api/cases/{case.pk}/suggestions"


def _assign(case) -> str:
    return f"/api/cases/{case.pk}/assign"


def _coordinator(case):
    case.refresh_from_db()
    return case.coordinator


def test_the_manager_gets_ranked_suggestions(world, api, access_log):
    full = f.CoordinatorFactory(profile__max_cases=0)
    speaks_arabic = f.CoordinatorFactory(profile__languages=["nl", "ar"])
    world.case.pref_language = "ar"
    world.case.save(update_fields=["pref_language"])
    log = access_log()
    response = api(world.manager).get(_suggestions(world.case))
    assert response.status_code == 200, response.content
    rows = response.json()
    assert rows[0]["coordinator_id"] == speaks_arabic.pk
    assert rows[0]["eligible"] is True and rows[0]["score"] > 0
    assert rows[-1]["coordinator_id"] == full.pk
    assert rows[-1]["eligible"] is False and rows[-1]["reason"]
    assert {r["coordinator_id"] for r in rows} >= {world.coordinator.pk}
    assert set(rows[0]) == {"coordinator_id", "name", "eligible", "score", "reason",
                            "free_places", "max_cases"}
    log.one(action=Action.READ, outcome=Outcome.SUCCESS, case_id=world.case.pk,
            purpose="coordinator suggestions")


def test_the_manager_assigns_a_coordinator(world, api, access_log):
    log = access_log()
    response = api(world.manager).post(_assign(world.case), {"coordinator_id": world.coordinator.pk})
    assert response.status_code == 200, response.content
    assert response.json()["coordinator"]["id"] == world.coordinator.pk
    assert _coordinator(world.case) == world.coordinator
    assert world.case.assigned_at is not None
    log.one(action=Action.CHANGE, outcome=Outcome.SUCCESS, case_id=world.case.pk,
            purpose="assign coordinator")
    run_worker()
    assert [m.to for m in mail.outbox] == [[world.coordinator.email]]


def test_an_ineligible_coordinator_gets_409(world, api, access_log):
    full = f.CoordinatorFactory(profile__max_cases=0)
    log = access_log()
    response = api(world.manager).post(_assign(world.case), {"coordinator_id": full.pk})
    assert response.status_code == 409
    assert response.json()["code"] == "ineligible"
    assert _coordinator(world.case) is None
    log.one(action=Action.CHANGE, outcome=Outcome.DENIED, case_id=world.case.pk)


def test_assigning_the_same_coordinator_twice_gets_409(world, api):
    client = api(world.manager)
    body = {"coordinator_id": world.coordinator.pk}
    assert client.post(_assign(world.case), body).status_code == 200
    again = client.post(_assign(world.case), body)
    assert again.status_code == 409
    assert again.json()["code"] == "same"


def test_a_case_past_the_request_cannot_be_assigned(world, api):
    world.case.state = State.WITHDRAWN
    world.case.save(update_fields=["state"])
    response = api(world.manager).post(_assign(world.case), {"coordinator_id": world.coordinator.pk})
    assert response.status_code == 409
    assert _coordinator(world.case) is None


@pytest.mark.parametrize("who", ["manager", "nobody"])
def test_someone_who_is_not_a_coordinator_gets_422(world, api, access_log, who):
    coordinator_id = world.manager.pk if who == "manager" else 999999
    log = access_log()
    response = api(world.manager).post(_assign(world.case), {"coordinator_id": coordinator_id})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "coordinator_id"]
    assert _coordinator(world.case) is None
    log.one(action=Action.CHANGE, outcome=Outcome.DENIED, case_id=world.case.pk)


def test_a_missing_coordinator_id_gets_422_and_no_log(world, api, access_log):
    log = access_log()
    response = api(world.manager).post(_assign(world.case), {"coordinator_id": "Anna"})
    assert response.status_code == 422
    assert log.rows() == []


@pytest.mark.parametrize("persona", ["professional", "linked_professional"])
@pytest.mark.parametrize("op", ["suggestions", "assign"])
def test_related_professionals_get_403(world, api, access_log, persona, op):
    client, log = api(world.by_name(persona)), access_log()
    if op == "suggestions":
        response = client.get(_suggestions(world.case))
    else:
        response = client.post(_assign(world.case), {"coordinator_id": world.coordinator.pk})
    assert response.status_code == 403
    assert _coordinator(world.case) is None
    log.one(outcome=Outcome.DENIED, case_id=world.case.pk)


def test_the_assigned_coordinator_gets_403(world, api):
    world.case.coordinator = world.coordinator
    world.case.save(update_fields=["coordinator"])
    client = api(world.coordinator)
    assert client.get(_suggestions(world.case)).status_code == 403
    other = f.CoordinatorFactory()
    assert client.post(_assign(world.case), {"coordinator_id": other.pk}).status_code == 403
    assert _coordinator(world.case) == world.coordinator


@pytest.mark.parametrize("persona", ["coordinator", "stranger_manager", "stranger_coordinator",
                                     "stranger_professional"])
@pytest.mark.parametrize("op", ["suggestions", "assign"])
def test_strangers_get_404(world, api, access_log, persona, op):
    client, log = api(world.by_name(persona)), access_log()
    if op == "suggestions":
        response = client.get(_suggestions(world.case))
    else:
        response = client.post(_assign(world.case), {"coordinator_id": world.coordinator.pk})
    assert response.status_code == 404
    assert _coordinator(world.case) is None
    log.one(outcome=Outcome.DENIED)


@pytest.mark.parametrize("persona", ["policy", "admin"])
def test_policy_and_admin_get_403(world, api, persona):
    client = api(world.by_name(persona))
    assert client.get(_suggestions(world.case)).status_code == 403
    body = {"coordinator_id": world.coordinator.pk}
    assert client.post(_assign(world.case), body).status_code == 403
    assert _coordinator(world.case) is None


def test_anonymous_gets_401(world, api):
    assert api(None).get(_suggestions(world.case)).status_code == 401
    assert api(None).post(_assign(world.case), {"coordinator_id": 1}).status_code == 401


def test_a_bearer_token_assigns(world, token_api):
    body = {"coordinator_id": world.coordinator.pk}
    assert token_api(world.manager).post(_assign(world.case), body).status_code == 200
    assert _coordinator(world.case) == world.coordinator
