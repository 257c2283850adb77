"""The plan services: drafts as versions, presenting, the test of part 3, the decision, revising."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from kring.cases.models import CaseEvent, State
from kring.plans.models import PlanStatus, PlanVersion
from kring.plans.services import (
    PlanRefused,
    plan_decide,
    plan_present,
    plan_revise,
    plan_test_condition,
)

from .builders import build_circle, draft_plan, presented_plan, set_state


@pytest.fixture(autouse=True)
def english():
    """Refusals are translated when they are raised; these tests read the English ones."""
    with translation.override("en"):
        yield


def _refusal(exc_info) -> str:
    return " ".join(exc_info.value.messages)


def test_every_save_is_a_new_version_with_who_and_when(pw):
    first = draft_plan(pw.case, pw.circle, pw.coordinator)
    second = draft_plan(pw.case, pw.circle, pw.coordinator, change_note="Oom erbij.")
    assert (first.number, second.number) == (1, 2)
    assert second.created_by == pw.coordinator and second.change_note == "Oom erbij."
    assert PlanVersion.objects.filter(plan__case=pw.case).count() == 2
    assert first.agreements.count() == second.agreements.count() == 2


def test_the_family_text_is_stored_exactly_as_written(pw):
    from .builders import ARABIC_AGREEMENT, TIGRINYA_NOTE, TURKISH_NOTE

    version = draft_plan(pw.case, pw.circle, pw.coordinator)
    version.refresh_from_db()
    assert version.concerns_answered == f"{ARABIC_AGREEMENT}\n{TIGRINYA_NOTE}\n{TURKISH_NOTE}"
    assert version.agreements.first().what == ARABIC_AGREEMENT


def test_it_refuses_a_save_based_on_an_old_version(pw):
    draft_plan(pw.case, pw.circle, pw.coordinator)
    draft_plan(pw.case, pw.circle, pw.coordinator)
    from kring.plans.services import plan_save_draft

    from .builders import plan_data

    with pytest.raises(PlanRefused) as exc:
        plan_save_draft(case=pw.case, by=pw.coordinator, data=plan_data(pw.circle, pw.conditions()), based_on=1)
    assert exc.value.code == "stale"
    assert PlanVersion.objects.filter(plan__case=pw.case).count() == 2


def test_only_the_coordinator_writes_the_plan_down(pw):
    with pytest.raises(PlanRefused) as exc:
        draft_plan(pw.case, pw.circle, pw.professional)
    assert exc.value.code == "not_allowed"


def test_it_refuses_a_person_from_another_case(pw, world):
    from kring.testing.factories import CaseFactory

    other = build_circle(CaseFactory())
    with pytest.raises(PlanRefused) as exc:
        draft_plan(pw.case, pw.circle, pw.coordinator, monitor=other.aunt)
    assert exc.value.code == "not_in_circle"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"monitor": None}, "Choose who keeps an eye on the plan."),
    ({"convenor": None}, "Choose who calls the circle together when the plan must change."),
    ({"agreements": []}, "Add at least one agreement: who does what, and when."),
    ({"evaluation_date": None}, "Choose the evaluation date."),
])
def test_it_refuses_to_present_an_incomplete_plan(pw, overrides, message):
    draft_plan(pw.case, pw.circle, pw.coordinator, **overrides)
    with pytest.raises(PlanRefused) as exc:
        plan_present(case=pw.case, by=pw.coordinator)
    assert _refusal(exc) == message
    assert pw.case.plan.current.status == PlanStatus.DRAFT


def test_it_rejects_a_plan_without_monitor(pw):
    draft_plan(pw.case, pw.circle, pw.coordinator, monitor=None)
    with pytest.raises(PlanRefused, match="keeps an eye"):
        plan_present(case=pw.case, by=pw.coordinator)


def test_it_refuses_an_evaluation_date_in_the_past_or_today(pw):
    draft_plan(pw.case, pw.circle, pw.coordinator, evaluation_date=timezone.localdate() - timedelta(days=1))
    with pytest.raises(PlanRefused) as exc:
        plan_present(case=pw.case, by=pw.coordinator)
    assert _refusal(exc) == "The evaluation date must be in the future."


def test_it_lists_every_missing_part_at_once(pw):
    draft_plan(pw.case, pw.circle, pw.coordinator, monitor=None, convenor=None, agreements=[])
    with pytest.raises(PlanRefused) as exc:
        plan_present(case=pw.case, by=pw.coordinator)
    assert len(exc.value.messages) == 3


def test_presenting_locks_the_information_form(pw):
    version = presented_plan(pw)
    assert version.status == PlanStatus.PRESENTED and version.presented_at
    pw.case.information_form.refresh_from_db()
    assert pw.case.information_form.is_locked


def test_it_refuses_to_present_before_the_conference(pw):
    draft_plan(pw.case, pw.circle, pw.coordinator)
    set_state(pw.case, State.SCHEDULED)
    with pytest.raises(PlanRefused) as exc:
        plan_present(case=pw.case, by=pw.coordinator)
    assert exc.value.code == "wrong_state"


@pytest.mark.parametrize("persona", ["professional", "linked_professional"])
def test_a_linked_professional_tests_each_condition(pw, persona):
    version = presented_plan(pw)
    condition = pw.conditions()[0]
    user = pw.world.by_name(persona)
    test = plan_test_condition(version=version, condition=condition, met=False, reason="Nog onduidelijk.", by=user)
    again = plan_test_condition(version=version, condition=condition, met=True, reason="Oma is erbij.", by=user)
    assert again.pk == test.pk and again.met and again.tested_by == user


@pytest.mark.parametrize("persona", ["stranger_professional", "coordinator", "manager"])
def test_a_professional_not_linked_cannot_test(pw, persona):
    version = presented_plan(pw)
    with pytest.raises(PlanRefused) as exc:
        plan_test_condition(version=version, condition=pw.conditions()[0], met=True, reason="Ja.",
                            by=pw.world.by_name(persona))
    assert exc.value.code == "not_allowed"
    assert not version.tests.exists()


def test_a_test_needs_a_reason(pw):
    version = presented_plan(pw)
    with pytest.raises(PlanRefused) as exc:
        plan_test_condition(version=version, condition=pw.conditions()[0], met=True, reason=" ", by=pw.professional)
    assert exc.value.code == "reason_required"


def test_a_draft_cannot_be_tested(pw):
    version = draft_plan(pw.case, pw.circle, pw.coordinator)
    with pytest.raises(PlanRefused) as exc:
        plan_test_condition(version=version, condition=pw.conditions()[0], met=True, reason="Ja.", by=pw.professional)
    assert exc.value.code == "not_presented"


def test_acceptance_with_an_unmet_non_negotiable_condition_is_refused(pw):
    version = presented_plan(pw)
    never_alone, meals = pw.conditions()
    plan_test_condition(version=version, condition=never_alone, met=False, reason="Geen oplossing.", by=pw.professional)
    plan_test_condition(version=version, condition=meals, met=True, reason="Afspraak 2.", by=pw.professional)
    with pytest.raises(PlanRefused) as exc:
        plan_decide(case=pw.case, by=pw.professional, accept=True)
    assert never_alone.text in _refusal(exc)
    assert "is not met" in _refusal(exc)
    pw.case.refresh_from_db()
    assert pw.case.state == State.HELD
    assert not CaseEvent.objects.filter(case=pw.case, name="accept_plan").exists()


def test_acceptance_with_an_untested_non_negotiable_condition_is_refused(pw):
    presented_plan(pw)
    with pytest.raises(PlanRefused) as exc:
        plan_decide(case=pw.case, by=pw.professional, accept=True)
    assert "has not been tested yet" in _refusal(exc)


def test_the_plan_is_accepted_when_every_non_negotiable_condition_is_met(pw):
    version = presented_plan(pw)
    never_alone, meals = pw.conditions()
    plan_test_condition(version=version, condition=never_alone, met=True, reason="Oma is erbij.", by=pw.professional)
    plan_test_condition(version=version, condition=meals, met=False, reason="Nog niet geregeld.", by=pw.professional)
    decided = plan_decide(case=pw.case, by=pw.professional, accept=True)
    pw.case.refresh_from_db()
    assert decided.status == PlanStatus.ACCEPTED and decided.decided_at
    assert pw.case.state == State.PLAN_ACCEPTED and pw.case.plan_accepted_at
    assert CaseEvent.objects.get(case=pw.case, name="accept_plan").actor == pw.professional


def test_not_accepted_needs_a_reason_and_moves_the_case(pw):
    presented_plan(pw)
    with pytest.raises(PlanRefused):
        plan_decide(case=pw.case, by=pw.professional, accept=False)
    decided = plan_decide(case=pw.case, by=pw.professional, accept=False, reason="Vader blijft thuis.")
    pw.case.refresh_from_db()
    assert decided.status == PlanStatus.NOT_ACCEPTED and decided.decision_reason == "Vader blijft thuis."
    assert pw.case.state == State.PLAN_NOT_ACCEPTED
    assert CaseEvent.objects.get(case=pw.case, name="reject_plan").reason == "Vader blijft thuis."


def test_the_manager_does_not_decide(pw):
    presented_plan(pw)
    with pytest.raises(PlanRefused) as exc:
        plan_decide(case=pw.case, by=pw.world.manager, accept=False, reason="Nee.")
    assert exc.value.code == "not_allowed"


def test_revising_copies_the_last_version_and_reopens_the_plan(pw):
    version = presented_plan(pw)
    plan_test_condition(version=version, condition=pw.conditions()[0], met=False, reason="Nee.", by=pw.professional)
    plan_decide(case=pw.case, by=pw.professional, accept=False, reason="Vader blijft thuis.")
    revised = plan_revise(case=pw.case, by=pw.coordinator, change_note="De kring past het plan aan.")
    pw.case.refresh_from_db()
    assert pw.case.state == State.HELD
    assert revised.number == version.number + 1 and revised.status == PlanStatus.DRAFT
    assert revised.concerns_answered == version.concerns_answered
    assert [a.what for a in revised.agreements.all()] == [a.what for a in version.agreements.all()]
    assert list(revised.agreements.first().conditions.all()) == list(version.agreements.first().conditions.all())
    assert set(revised.copy_recipients.all()) == set(version.copy_recipients.all())
    assert not revised.tests.exists()
    assert revised.change_note == "De kring past het plan aan."
    # The new version can be presented and tested again.
    again = plan_present(case=pw.case, by=pw.coordinator)
    assert again.pk == revised.pk


def test_revising_is_only_possible_after_a_plan_was_not_accepted(pw):
    presented_plan(pw)
    with pytest.raises(PlanRefused) as exc:
        plan_revise(case=pw.case, by=pw.coordinator)
    assert exc.value.code == "wrong_state"
