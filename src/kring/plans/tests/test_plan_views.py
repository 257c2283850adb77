"""The plan pages: who may do what, one access-log row per action, the family's words shown as written."""

from __future__ import annotations

import pytest
from django.utils import translation

from kring.audit.models import AccessLogEntry, Action, Outcome
from kring.cases.models import State
from kring.plans.models import ConditionTest, PlanStatus, PlanVersion

from .builders import ARABIC_AGREEMENT, TIGRINYA_NOTE, draft_plan, presented_plan


class LogWatch:
    def __init__(self):
        last = AccessLogEntry.objects.order_by("-id").first()
        self.after = last.pk if last else 0

    def rows(self):
        return list(AccessLogEntry.objects.filter(pk__gt=self.after).order_by("id"))

    def one(self, **expected):
        rows = self.rows()
        assert len(rows) == 1, [(r.action, r.outcome, r.purpose) for r in rows]
        for name, value in expected.items():
            assert getattr(rows[0], name) == value, (name, getattr(rows[0], name))
        return rows[0]


def _plan_post(pw, **overrides):
    aunt, mother, uncle = pw.circle.aunt, pw.circle.mother, pw.circle.uncle
    condition = pw.conditions()[0]
    data = {
        "based_on": "", "language": "ar", "concerns_answered": TIGRINYA_NOTE, "professional_help": "",
        "monitor": str(aunt.pk), "convenor": str(uncle.pk), "evaluation_date": "2099-01-31",
        "keep_informed": "Elke zondag bellen.", "when_not_kept": "Oom belt iedereen.",
        "copy_recipients": [str(mother.pk), str(aunt.pk)], "change_note": "",
        "agreements-TOTAL_FORMS": "2", "agreements-INITIAL_FORMS": "0",
        "agreements-MIN_NUM_FORMS": "0", "agreements-MAX_NUM_FORMS": "1000",
        "agreements-0-who": str(aunt.pk), "agreements-0-what": ARABIC_AGREEMENT,
        "agreements-0-when": "elke dinsdag", "agreements-0-starts_on": "2026-12-01",
        "agreements-0-conditions": [str(condition.pk)],
        "agreements-1-who": "", "agreements-1-what": "", "agreements-1-when": "",
        "answers-TOTAL_FORMS": "1", "answers-INITIAL_FORMS": "0",
        "answers-MIN_NUM_FORMS": "0", "answers-MAX_NUM_FORMS": "1000",
        "answers-0-condition": str(condition.pk), "answers-0-text": "Oma is er altijd bij.",
    }
    data.update(overrides)
    return data


def test_the_coordinator_writes_the_plan_down(pw, as_user):
    client = as_user(pw.coordinator)
    assert client.get(f"/cases/{pw.case.pk}/plan/edit/").status_code == 200
    log = LogWatch()
    response = client.post(f"/cases/{pw.case.pk}/plan/edit/", _plan_post(pw))
    assert response.status_code == 302, response.content.decode()[:3000]
    log.one(action=Action.CHANGE, outcome=Outcome.SUCCESS, case_id=pw.case.pk)
    version = PlanVersion.objects.get(plan__case=pw.case)
    assert version.concerns_answered == TIGRINYA_NOTE
    [agreement] = version.agreements.all()
    assert (agreement.who, agreement.what) == (pw.circle.aunt, ARABIC_AGREEMENT)
    assert list(agreement.conditions.all()) == pw.conditions()[:1]
    assert version.answers.get().condition == pw.conditions()[0]
    assert set(version.copy_recipients.all()) == {pw.circle.mother, pw.circle.aunt}


def test_an_agreement_needs_who_what_and_when(pw, as_user):
    client = as_user(pw.coordinator)
    response = client.post(f"/cases/{pw.case.pk}/plan/edit/", _plan_post(pw, **{"agreements-0-when": ""}))
    assert response.status_code == 400
    assert not PlanVersion.objects.filter(plan__case=pw.case).exists()


def test_add_an_agreement_row_keeps_the_text(pw, as_user):
    client = as_user(pw.coordinator)
    response = client.post(f"/cases/{pw.case.pk}/plan/edit/", _plan_post(pw, add_agreement="1"))
    html = response.content.decode()
    assert response.status_code == 200
    assert ARABIC_AGREEMENT in html
    assert 'name="agreements-TOTAL_FORMS" value="3"' in html
    assert 'name="answers-TOTAL_FORMS" value="2"' in html  # the typed row and one empty row
    assert not PlanVersion.objects.filter(plan__case=pw.case).exists()


def test_a_stale_plan_save_is_refused(pw, as_user):
    draft_plan(pw.case, pw.circle, pw.coordinator)
    client = as_user(pw.coordinator)
    log = LogWatch()
    response = client.post(f"/cases/{pw.case.pk}/plan/edit/", _plan_post(pw))  # based on nothing
    assert response.status_code == 409
    assert ARABIC_AGREEMENT in response.content.decode()  # what they typed is still there
    log.one(action=Action.CHANGE, outcome=Outcome.DENIED)
    assert PlanVersion.objects.filter(plan__case=pw.case).count() == 1


@pytest.mark.parametrize("persona", ["manager", "professional", "linked_professional"])
def test_only_the_coordinator_edits_the_plan(pw, as_user, persona):
    client = as_user(pw.world.by_name(persona))
    log = LogWatch()
    assert client.post(f"/cases/{pw.case.pk}/plan/edit/", _plan_post(pw)).status_code == 403
    log.one(action=Action.CHANGE, outcome=Outcome.DENIED, case_id=pw.case.pk)
    assert not PlanVersion.objects.filter(plan__case=pw.case).exists()


@pytest.mark.parametrize("persona", ["stranger_coordinator", "stranger_professional", "stranger_manager"])
def test_strangers_get_404_on_every_plan_page(pw, as_user, persona):
    draft_plan(pw.case, pw.circle, pw.coordinator)
    client = as_user(pw.world.by_name(persona))
    base = f"/cases/{pw.case.pk}/plan/"
    for method, path in [("get", ""), ("get", "edit/"), ("post", "present/"), ("get", "test/"),
                         ("post", "decide/"), ("post", "revise/"), ("get", "pdf/"), ("post", "send/")]:
        log = LogWatch()
        assert getattr(client, method)(base + path).status_code == 404, path
        log.one(outcome=Outcome.DENIED, case_id=None)


def test_the_plan_page_shows_the_familys_words_with_dir_auto(pw, as_user):
    draft_plan(pw.case, pw.circle, pw.coordinator)
    html = as_user(pw.world.manager).get(f"/cases/{pw.case.pk}/plan/").content.decode()
    assert ARABIC_AGREEMENT in html and TIGRINYA_NOTE in html
    assert f'<td><p dir="auto">{ARABIC_AGREEMENT}</p>' in html
    assert 'lang="ar"' in html


def test_present_refusal_shows_each_missing_part(pw, as_user):
    draft_plan(pw.case, pw.circle, pw.coordinator, monitor=None)
    client = as_user(pw.coordinator)
    log = LogWatch()
    with translation.override("en"):
        response = client.post(f"/cases/{pw.case.pk}/plan/present/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    log.one(action=Action.CHANGE, outcome=Outcome.DENIED)
    page = client.get(f"/cases/{pw.case.pk}/plan/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Choose who keeps an eye on the plan." in page


def test_present_test_and_accept_through_the_pages(pw, as_user):
    draft_plan(pw.case, pw.circle, pw.coordinator)
    assert as_user(pw.coordinator).post(f"/cases/{pw.case.pk}/plan/present/").status_code == 302
    assert pw.case.plan.current.status == PlanStatus.PRESENTED

    client = as_user(pw.professional)
    page = client.get(f"/cases/{pw.case.pk}/plan/test/")
    assert page.status_code == 200
    never_alone, meals = pw.conditions()
    log = LogWatch()
    response = client.post(f"/cases/{pw.case.pk}/plan/test/", {
        f"c{never_alone.pk}-met": "yes", f"c{never_alone.pk}-reason": "Oma is er altijd bij.",
        f"c{meals.pk}-met": "no", f"c{meals.pk}-reason": "Nog niet geregeld.",
    })
    assert response.status_code == 302
    log.one(action=Action.CHANGE, outcome=Outcome.SUCCESS)
    assert ConditionTest.objects.filter(version=pw.case.plan.current).count() == 2

    log = LogWatch()
    assert client.post(f"/cases/{pw.case.pk}/plan/decide/", {"decision": "accept"}).status_code == 302
    log.one(action=Action.CHANGE, outcome=Outcome.SUCCESS, purpose="plan accepted")
    pw.case.refresh_from_db()
    assert pw.case.state == State.PLAN_ACCEPTED


def test_a_test_without_reason_is_not_saved(pw, as_user):
    presented_plan(pw)
    never_alone = pw.conditions()[0]
    response = as_user(pw.professional).post(f"/cases/{pw.case.pk}/plan/test/",
                                             {f"c{never_alone.pk}-met": "yes"})
    assert response.status_code == 400
    assert not ConditionTest.objects.exists()


@pytest.mark.parametrize("persona", ["manager", "coordinator"])
def test_only_linked_professionals_test(pw, as_user, persona):
    presented_plan(pw)
    never_alone = pw.conditions()[0]
    client = as_user(pw.world.by_name(persona))
    log = LogWatch()
    response = client.post(f"/cases/{pw.case.pk}/plan/test/",
                           {f"c{never_alone.pk}-met": "yes", f"c{never_alone.pk}-reason": "Ja."})
    assert response.status_code == 403
    log.one(outcome=Outcome.DENIED)
    assert not ConditionTest.objects.exists()


def test_acceptance_with_an_unmet_condition_is_refused_on_the_page(pw, as_user):
    presented_plan(pw)
    client = as_user(pw.linked)
    log = LogWatch()
    with translation.override("en"):
        client.post(f"/cases/{pw.case.pk}/plan/decide/", {"decision": "accept"}, HTTP_ACCEPT_LANGUAGE="en")
    log.one(action=Action.CHANGE, outcome=Outcome.DENIED)
    page = client.get(f"/cases/{pw.case.pk}/plan/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The plan cannot be accepted" in page and pw.conditions()[0].text in page
    pw.case.refresh_from_db()
    assert pw.case.state == State.HELD


def test_not_accepted_then_revised_through_the_pages(pw, as_user):
    presented_plan(pw)
    client = as_user(pw.professional)
    client.post(f"/cases/{pw.case.pk}/plan/decide/", {"decision": "reject", "reason": "Vader blijft thuis."})
    pw.case.refresh_from_db()
    assert pw.case.state == State.PLAN_NOT_ACCEPTED
    coordinator = as_user(pw.coordinator)
    response = coordinator.post(f"/cases/{pw.case.pk}/plan/revise/", {"change_note": "Nieuwe afspraak."})
    assert response.status_code == 302 and response["Location"] == f"/cases/{pw.case.pk}/plan/edit/"
    pw.case.refresh_from_db()
    assert pw.case.state == State.HELD
    assert pw.case.plan.current.number == 2 and pw.case.plan.current.status == PlanStatus.DRAFT


def test_the_plan_page_writes_one_log_row_and_locks_the_form(pw, as_user):
    log = LogWatch()
    assert as_user(pw.professional).get(f"/cases/{pw.case.pk}/plan/").status_code == 200
    log.one(action=Action.READ, outcome=Outcome.SUCCESS, case_id=pw.case.pk)
    pw.case.information_form.refresh_from_db()
    assert pw.case.information_form.is_locked
