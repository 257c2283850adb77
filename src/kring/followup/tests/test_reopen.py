"""Closing exists; a closed case can be reopened with a reason (back to follow-up)."""

from __future__ import annotations

import pytest

from kring.cases.models import CaseEvent, State
from kring.cases.services import TransitionRefused, case_transition


@pytest.fixture
def closed(accepted):
    return case_transition(case=accepted.case, name="close", by=accepted.world.coordinator,
                           reason="Het plan loopt goed.")


@pytest.mark.parametrize("who", ["coordinator", "manager"])
def test_the_coordinator_or_manager_reopens_with_a_reason(accepted, closed, who):
    case = case_transition(case=closed, name="reopen", by=accepted.world.by_name(who),
                           reason="Vader is terug in huis.")
    assert case.state == State.FOLLOW_UP
    event = CaseEvent.objects.filter(case=case, name="reopen").get()
    assert (event.from_state, event.to_state, event.reason) == (State.CLOSED, State.FOLLOW_UP,
                                                               "Vader is terug in huis.")


def test_a_reason_is_required(accepted, closed):
    with pytest.raises(TransitionRefused):
        case_transition(case=closed, name="reopen", by=accepted.world.coordinator, reason=" ")
    closed.refresh_from_db()
    assert closed.state == State.CLOSED


def test_the_professional_cannot_reopen(accepted, closed):
    with pytest.raises(TransitionRefused):
        case_transition(case=closed, name="reopen", by=accepted.world.professional, reason="Graag")


def test_only_a_closed_case_can_be_reopened(accepted):
    with pytest.raises(TransitionRefused):
        case_transition(case=accepted.case, name="reopen", by=accepted.world.coordinator, reason="x")


def test_reopening_through_the_case_page(accepted, closed, as_user):
    client = as_user(accepted.world.manager)
    response = client.post(f"/cases/{closed.pk}/step/", {"step": "reopen", "reason": "Nieuwe zorgen"})
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.state == State.FOLLOW_UP
