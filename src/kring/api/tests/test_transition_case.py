"""POST /api/cases/{case_id}/transitions: a step in the lifecycle."""

from __future__ import annotations

import pytest

from kring.audit.models import Action, Outcome
from kring.cases.models import CaseEvent, State

WITHDRAW = {"step": "withdraw", "reason": "De familie regelt het zelf."}


def _path(case) -> str:
    return f"/api/cases/{case.pk}/transitions"


def _state(case) -> str:
    case.refresh_from_db()
    return case.state


@pytest.mark.parametrize("persona", ["manager", "professional", "linked_professional"])
def test_related_people_take_a_step(world, api, access_log, persona):
    user = world.by_name(persona)
    log = access_log()
    response = api(user).post(_path(world.case), WITHDRAW)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "withdrawn"
    assert _state(world.case) == State.WITHDRAWN
    event = CaseEvent.objects.get(case=world.case, name="withdraw")
    assert (event.actor, event.reason) == (user, WITHDRAW["reason"])
    log.one(action=Action.CHANGE, outcome=Outcome.SUCCESS, object_type="case",
            object_id=str(world.case.pk), case_id=world.case.pk, purpose="step: withdraw")


def test_the_coordinator_records_first_contact(world, api):
    world.case.coordinator = world.coordinator
    world.case.save(update_fields=["coordinator"])
    response = api(world.coordinator).post(_path(world.case), {"step": "first_contact"})
    assert response.status_code == 200, response.content
    assert _state(world.case) == State.INFORMING
    assert world.case.first_contact_at is not None


@pytest.mark.parametrize(("persona", "body", "code"), [
    ("manager", {"step": "hold"}, "wrong_state"),
    ("manager", {"step": "withdraw"}, "reason_required"),
    ("manager", {"step": "first_contact"}, "not_allowed"),
    ("professional", {"step": "start_preparing"}, "wrong_state"),
])
def test_a_refused_step_gets_409_and_changes_nothing(world, api, access_log, persona, body, code):
    log = access_log()
    response = api(world.by_name(persona)).post(_path(world.case), body)
    assert response.status_code == 409, response.content
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert _state(world.case) == State.REQUEST
    assert not CaseEvent.objects.filter(case=world.case).exists()
    log.one(action=Action.CHANGE, outcome=Outcome.DENIED, case_id=world.case.pk,
            purpose=f"step refused: {body['step']}")


def test_the_refusal_is_in_the_callers_language(world, api):
    client = api(world.manager)
    english = client.call("POST", _path(world.case), {"step": "hold"}, **{"Accept-Language": "en"})
    dutch = client.call("POST", _path(world.case), {"step": "hold"}, **{"Accept-Language": "nl"})
    assert english.json()["detail"] == "This step is not possible now: the case is 'Request'."
    assert dutch.json()["detail"] != english.json()["detail"]


def test_a_second_withdrawal_gets_409(world, api):
    client = api(world.manager)
    assert client.post(_path(world.case), WITHDRAW).status_code == 200
    assert client.post(_path(world.case), WITHDRAW).status_code == 409


@pytest.mark.parametrize(("body", "field"), [
    ({"step": "fly_away"}, "step"),
    ({"reason": "Zonder stap."}, "step"),
    ({"step": "withdraw", "reason": "x" * 2001}, "reason"),
])
def test_bad_input_gets_422_and_touches_nothing(world, api, access_log, body, field):
    log = access_log()
    response = api(world.manager).post(_path(world.case), body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["body", "payload", field]
    assert _state(world.case) == State.REQUEST
    assert log.rows() == []


@pytest.mark.parametrize("persona", ["coordinator", "stranger_manager", "stranger_coordinator",
                                     "stranger_professional"])
def test_strangers_get_404(world, api, access_log, persona):
    log = access_log()
    assert api(world.by_name(persona)).post(_path(world.case), WITHDRAW).status_code == 404
    assert _state(world.case) == State.REQUEST
    log.one(outcome=Outcome.DENIED)


@pytest.mark.parametrize("persona", ["policy", "admin"])
def test_policy_and_admin_get_403(world, api, access_log, persona):
    log = access_log()
    assert api(world.by_name(persona)).post(_path(world.case), WITHDRAW).status_code == 403
    assert _state(world.case) == State.REQUEST
    log.one(action=Action.CHANGE, outcome=Outcome.DENIED, object_id=str(world.case.pk))


def test_anonymous_gets_401(world, api):
    assert api(None).post(_path(world.case), WITHDRAW).status_code == 401
    assert _state(world.case) == State.REQUEST


def test_a_bearer_token_takes_a_step(world, token_api):
    assert token_api(world.manager).post(_path(world.case), WITHDRAW).status_code == 200
    assert _state(world.case) == State.WITHDRAWN
