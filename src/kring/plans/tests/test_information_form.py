"""The information form: filled by the linked professional, versioned, locked from the conference on."""

from __future__ import annotations

import pytest
from django.utils import translation

from kring.audit.models import AccessLogEntry, Action, Outcome
from kring.cases.models import Case, State
from kring.plans.models import InformationForm, InformationFormVersion
from kring.plans.services import PlanRefused, StaleSave, information_form_lock

from .builders import MEALS, NEVER_ALONE, fill_information_form, set_state


def _url(case) -> str:
    return f"/cases/{case.pk}/information-form/"


def _post(version=0, conditions=((NEVER_ALONE, "yes"), (MEALS, "no")), **fields):
    data = {
        "version": str(version),
        "concerns": "Vader is boos geworden waar Yasmina bij was.",
        "tested_against": "De voorwaarden.",
        "help_available": "Opvoedondersteuning.",
        "conditions-TOTAL_FORMS": str(len(conditions)), "conditions-INITIAL_FORMS": "0",
        "conditions-MIN_NUM_FORMS": "0", "conditions-MAX_NUM_FORMS": "1000",
    }
    for i, (text, nn) in enumerate(conditions):
        data[f"conditions-{i}-text"] = text
        data[f"conditions-{i}-non_negotiable"] = nn
    data.update(fields)
    return data


class LogWatch:
    def __init__(self):
        last = AccessLogEntry.objects.order_by("-id").first()
        self.after = last.pk if last else 0

    def rows(self):
        return list(AccessLogEntry.objects.filter(pk__gt=self.after).order_by("id"))


@pytest.fixture
def assigned(world):
    Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    world.case.refresh_from_db()
    return world


@pytest.mark.parametrize("persona", ["professional", "linked_professional"])
def test_the_linked_professional_saves_a_first_version(assigned, as_user, persona):
    client = as_user(assigned.by_name(persona))
    log = LogWatch()
    response = client.post(_url(assigned.case), _post())
    assert response.status_code == 302
    form = InformationForm.objects.get(case=assigned.case)
    current = form.current
    assert (form.version, current.number, current.created_by) == (1, 1, assigned.by_name(persona))
    assert [(c.text, c.non_negotiable) for c in current.conditions.all()] == [(NEVER_ALONE, True), (MEALS, False)]
    [row] = log.rows()
    assert (row.action, row.outcome, row.case_id) == (Action.CHANGE, Outcome.SUCCESS, assigned.case.pk)


def test_every_save_is_a_new_version_and_conditions_are_copied_and_edited(assigned, as_user):
    client = as_user(assigned.professional)
    client.post(_url(assigned.case), _post())
    page = client.get(_url(assigned.case)).content.decode()
    assert NEVER_ALONE in page and 'name="version" value="1"' in page
    changed = ((NEVER_ALONE, "yes"), (MEALS, "yes"), ("Er is elke week contact met school.", "no"))
    assert client.post(_url(assigned.case), _post(version=1, conditions=changed)).status_code == 302
    versions = list(InformationFormVersion.objects.filter(form__case=assigned.case).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].conditions.count() == 2  # the old version stays as it was
    assert [(c.text, c.non_negotiable) for c in versions[1].conditions.all()] == [
        (NEVER_ALONE, True), (MEALS, True), ("Er is elke week contact met school.", False)]


def test_a_condition_left_empty_is_removed(assigned, as_user):
    client = as_user(assigned.professional)
    client.post(_url(assigned.case), _post(conditions=((NEVER_ALONE, "yes"), ("", "yes"))))
    assert InformationForm.objects.get(case=assigned.case).current.conditions.count() == 1


def test_add_a_condition_row_keeps_what_was_typed_and_saves_nothing(assigned, as_user):
    client = as_user(assigned.professional)
    response = client.post(_url(assigned.case), _post(add_condition="1", concerns=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="conditions-TOTAL_FORMS" value="3"' in html
    assert NEVER_ALONE in html
    assert "errorlist" not in html  # no error for the concerns that are still empty
    assert not InformationForm.objects.filter(case=assigned.case).exists()


def test_concerns_are_required(assigned, as_user):
    response = as_user(assigned.professional).post(_url(assigned.case), _post(concerns=" "))
    assert response.status_code == 400
    assert not InformationForm.objects.filter(case=assigned.case).exists()


def test_a_stale_save_is_refused_and_shows_what_changed(assigned, as_user):
    fill_information_form(assigned.case, assigned.linked_professional)  # version 1
    client = as_user(assigned.professional)
    other = ((NEVER_ALONE, "yes"), ("Moeder belt elke avond met oma.", "no"))
    fill_information_form(assigned.case, assigned.linked_professional,
                          conditions=((NEVER_ALONE, True), ("Vader woont niet meer thuis.", True)),
                          expected_version=1)  # version 2, by someone else
    log = LogWatch()
    with translation.override("en"):
        response = client.post(_url(assigned.case), _post(version=1, conditions=other),
                               HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Nothing was overwritten" in html
    assert "Safety condition added: “Vader woont niet meer thuis.”" in html
    assert "Moeder belt elke avond met oma." in html  # their own text is kept in the form
    assert 'name="version" value="2"' in html
    form = InformationForm.objects.get(case=assigned.case)
    assert form.version == 2
    assert [c.text for c in form.current.conditions.all()] == [NEVER_ALONE, "Vader woont niet meer thuis."]
    [row] = log.rows()
    assert (row.action, row.outcome) == (Action.CHANGE, Outcome.DENIED)


def test_the_service_refuses_a_stale_save(assigned):
    fill_information_form(assigned.case, assigned.professional)
    with pytest.raises(StaleSave) as exc:
        fill_information_form(assigned.case, assigned.professional, expected_version=0)
    assert exc.value.current.number == 1


@pytest.mark.parametrize("state", [State.HELD, State.PLAN_ACCEPTED, State.FOLLOW_UP])
def test_viewing_a_held_case_locks_the_form_and_edits_are_refused(assigned, as_user, state):
    fill_information_form(assigned.case, assigned.professional)
    set_state(assigned.case, state)
    client = as_user(assigned.professional)
    page = client.get(_url(assigned.case), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert InformationForm.objects.get(case=assigned.case).is_locked
    assert 'name="concerns"' not in page.content.decode()  # shown, not editable
    log = LogWatch()
    with translation.override("en"):
        response = client.post(_url(assigned.case), _post(version=1), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "The information form is locked" in response.content.decode()
    assert InformationForm.objects.get(case=assigned.case).version == 1
    assert [(r.action, r.outcome) for r in log.rows()[:1]] == [(Action.CHANGE, Outcome.DENIED)]


def test_a_locked_form_refuses_changes_in_the_service(assigned):
    fill_information_form(assigned.case, assigned.professional)
    assert information_form_lock(assigned.case)
    assert not information_form_lock(assigned.case)  # once
    with pytest.raises(PlanRefused) as exc:
        fill_information_form(assigned.case, assigned.professional, expected_version=1)
    assert exc.value.code == "locked"


@pytest.mark.parametrize("persona", ["manager", "coordinator"])
def test_related_staff_read_the_form_but_may_not_edit_it(assigned, as_user, persona):
    fill_information_form(assigned.case, assigned.professional)
    client = as_user(assigned.by_name(persona))
    page = client.get(_url(assigned.case))
    assert page.status_code == 200 and NEVER_ALONE in page.content.decode()
    assert 'name="concerns"' not in page.content.decode()
    log = LogWatch()
    assert client.post(_url(assigned.case), _post(version=1)).status_code == 403
    [row] = log.rows()
    assert (row.action, row.outcome) == (Action.CHANGE, Outcome.DENIED)
    assert InformationForm.objects.get(case=assigned.case).version == 1


@pytest.mark.parametrize("persona", ["stranger_professional", "stranger_coordinator", "stranger_manager",
                                     "policy", "admin"])
def test_strangers_get_404_and_one_log_row(assigned, as_user, persona):
    client = as_user(assigned.by_name(persona))
    log = LogWatch()
    assert client.get(_url(assigned.case)).status_code == 404
    assert client.post(_url(assigned.case), _post()).status_code == 404
    assert [(r.outcome, r.case_id) for r in log.rows()] == [(Outcome.DENIED, None)] * 2
    assert not InformationForm.objects.filter(case=assigned.case).exists()


def test_a_page_view_writes_one_log_row(assigned, as_user):
    client = as_user(assigned.manager)
    log = LogWatch()
    client.get(_url(assigned.case))
    [row] = log.rows()
    assert (row.action, row.outcome, row.case_id) == (Action.READ, Outcome.SUCCESS, assigned.case.pk)
