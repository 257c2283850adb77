"""Every allowed transition works; every other one is refused and changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kring.cases.lifecycle import TRANSITIONS
from kring.cases.models import Case, CaseEvent, State
from kring.cases.services import case_transition
from kring.testing import factories as f

ACTORS = ["manager", "coordinator", "professional"]


def _case_in(world, state: str) -> Case:
    Case.objects.filter(pk=world.case.pk).update(state=state, coordinator=world.coordinator)
    return Case.objects.get(pk=world.case.pk)


ALLOWED = [
    (t.name, source, actor)
    for t in TRANSITIONS.values()
    for source in sorted(t.sources)
    for actor in ACTORS
    if {"manager": "regional_manager"}.get(actor, actor) in t.actors
]


@pytest.mark.parametrize(("name", "source", "actor"), ALLOWED)
def test_every_allowed_transition_works(world, name, source, actor):
    case = _case_in(world, source)
    user = world.by_name(actor)
    result = case_transition(case=case, name=name, by=user, reason="omdat het moet")
    case.refresh_from_db()
    assert case.state == TRANSITIONS[name].target == result.state
    event = CaseEvent.objects.get(case=case)
    assert (event.name, event.from_state, event.to_state, event.actor) == (name, source, case.state, user)
    assert event.reason == "omdat het moet"


REFUSED = [
    (t.name, state)
    for t in TRANSITIONS.values()
    for state in State.values
    if state not in t.sources
]


@pytest.mark.parametrize(("name", "state"), REFUSED)
def test_every_transition_from_a_wrong_state_is_refused(world, name, state):
    case = _case_in(world, state)
    actor = world.coordinator if "coordinator" in TRANSITIONS[name].actors else world.manager
    with pytest.raises(ValidationError) as exc:
        case_transition(case=case, name=name, by=actor, reason="reden")
    assert exc.value.code == "wrong_state"
    case.refresh_from_db()
    assert case.state == state
    assert not CaseEvent.objects.filter(case=case).exists()


DISALLOWED_ACTORS = [
    (t.name, sorted(t.sources)[0], actor)
    for t in TRANSITIONS.values()
    for actor in [*ACTORS, "stranger_manager", "stranger_coordinator", "stranger_professional",
                  "policy", "admin"]
    if {"manager": "regional_manager"}.get(actor, actor) not in t.actors
]


@pytest.mark.parametrize(("name", "source", "actor"), DISALLOWED_ACTORS)
def test_a_transition_by_someone_without_the_right_is_refused(world, name, source, actor):
    case = _case_in(world, source)
    with pytest.raises(ValidationError) as exc:
        case_transition(case=case, name=name, by=world.by_name(actor), reason="reden")
    assert exc.value.code == "not_allowed"
    case.refresh_from_db()
    assert case.state == source
    assert not CaseEvent.objects.filter(case=case).exists()


@pytest.mark.parametrize("name", [t.name for t in TRANSITIONS.values() if t.reason_required])
def test_a_transition_that_needs_a_reason_is_refused_without_one(world, name):
    t = TRANSITIONS[name]
    case = _case_in(world, sorted(t.sources)[0])
    actor = world.coordinator if "coordinator" in t.actors else world.manager
    with pytest.raises(ValidationError) as exc:
        case_transition(case=case, name=name, by=actor, reason="   ")
    assert exc.value.code == "reason_required"
    case.refresh_from_db()
    assert case.state == sorted(t.sources)[0]


def test_first_contact_needs_an_assigned_coordinator(world):
    case = world.case
    with pytest.raises(ValidationError):
        case_transition(case=case, name="first_contact", by=world.manager)
    case.refresh_from_db()
    assert case.state == State.REQUEST and case.first_contact_at is None


def test_an_unknown_step_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        case_transition(case=world.case, name="teleport", by=world.manager)
    assert exc.value.code == "unknown"


def test_first_contact_stops_the_contact_clock_and_holding_stops_the_urgent_clock(world):
    case = f.CaseFactory(urgency="urgent", coordinator=world.coordinator)
    assert case.next_deadline_at is not None
    case = case_transition(case=case, name="first_contact", by=world.coordinator)
    assert case.first_contact_at is not None
    statuses = {c.code: c.status for c in case.clocks()}
    assert statuses["contact"] == "met"
    assert statuses["urgent"] == "running"
    for step in ["start_preparing", "schedule", "hold"]:
        case = case_transition(case=case, name=step, by=world.coordinator)
    assert case.held_at is not None
    assert {c.code: c.status for c in case.clocks()}["urgent"] == "met"


def test_a_final_state_stops_every_clock(world):
    case = case_transition(case=world.case, name="withdraw", by=world.professional, reason="gezin wil niet")
    assert case.next_deadline_at is None
    assert all(c.status == "abandoned" for c in case.clocks())


def test_the_case_page_offers_only_the_steps_the_viewer_may_take(world, as_user):
    client = as_user(world.professional)
    html = client.get(f"/cases/{world.case.pk}/").content.decode()
    assert 'value="withdraw"' in html
    assert 'value="first_contact"' not in html


def test_a_refused_step_through_the_page_changes_nothing_and_says_why(world, as_user):
    client = as_user(world.professional)
    response = client.post(f"/cases/{world.case.pk}/step/", {"step": "withdraw", "reason": ""}, follow=True)
    world.case.refresh_from_db()
    assert world.case.state == State.REQUEST
    assert "reden" in response.content.decode().lower() or "reason" in response.content.decode().lower()
