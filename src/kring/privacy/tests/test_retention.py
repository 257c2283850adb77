"""Case files are destroyed 20 years after the care ended, leaving only anonymous figures."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.cases.models import Case, CasePerson, State
from kring.network.models import CircleMember
from kring.plans.models import InformationForm, Plan
from kring.plans.tests.builders import draft_plan, held_case_with_form
from kring.privacy.models import AnonymousCaseFigure
from kring.privacy.services import case_figures, destroy_expired, expired_cases
from kring.testing import factories as f

YEARS_20 = timedelta(days=365 * 20 + 5)


def _close(case: Case, ago: timedelta) -> Case:
    Case.objects.filter(pk=case.pk).update(state=State.CLOSED, closed_at=timezone.now() - ago)
    case.refresh_from_db()
    return case


def test_a_case_closed_more_than_20_years_ago_is_destroyed_with_everything_in_it(world):
    pw = held_case_with_form(world)
    draft_plan(pw.case, pw.circle, world.coordinator)  # a plan naming circle members (PROTECT)
    case = _close(pw.case, YEARS_20 + timedelta(days=1))
    case_pk = case.pk
    report = destroy_expired()
    assert report.expired == 1
    assert not Case.objects.filter(pk=case_pk).exists()
    assert not CasePerson.objects.filter(case_id=case_pk).exists()
    assert not CircleMember.objects.filter(case_id=case_pk).exists()
    assert not Plan.objects.filter(case_id=case_pk).exists()
    assert not InformationForm.objects.filter(case_id=case_pk).exists()
    entry = AccessLogEntry.objects.filter(case_id=case_pk, role="system").get()
    assert "destroyed (retention)" in entry.purpose


def test_the_anonymous_figures_remain_and_link_back_to_nobody(world):
    pw = held_case_with_form(world)
    case = _close(pw.case, YEARS_20 + timedelta(days=1))
    destroy_expired()
    figure = AnonymousCaseFigure.objects.get()
    assert figure.region_code == "utrecht" and figure.month.day == 1
    assert figure.circle_size == 3 and figure.children == 1
    assert figure.hours_to_held is not None and figure.final_state == State.CLOSED
    values = " ".join(str(getattr(figure, fld.attname)) for fld in figure._meta.concrete_fields)
    for identifying in (case.reference, "Fatima", "Yasmina", "el Amrani", "Barbara"):
        assert identifying not in values


def test_cases_within_20_years_and_running_cases_are_kept(world):
    recent = _close(f.CaseFactory(), timedelta(days=365 * 19))
    running = world.case
    assert set(expired_cases()) == set()
    destroy_expired()
    assert Case.objects.filter(pk__in=[recent.pk, running.pk]).count() == 2


def test_a_withdrawn_request_counts_from_the_moment_it_was_withdrawn(world):
    old = f.CaseFactory()
    Case.objects.filter(pk=old.pk).update(state=State.WITHDRAWN,
                                          state_changed_at=timezone.now() - YEARS_20 - timedelta(days=2))
    assert list(expired_cases()) == [Case.objects.get(pk=old.pk)]


def test_the_command_runs_the_whole_job_and_can_run_twice(world, capsys):
    _close(f.CaseFactory(), YEARS_20 + timedelta(days=3))
    call_command("destroy_expired")
    call_command("destroy_expired")
    out = capsys.readouterr().out
    assert "destroyed (retention): 1" in out and "destroyed (retention): 0" in out


def test_figures_of_a_running_case_have_no_end(world):
    figure = case_figures(world.case)
    assert figure.hours_to_closed is None and figure.final_state == State.REQUEST
