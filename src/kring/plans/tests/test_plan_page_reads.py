"""The plan page reads little and writes nothing on a GET (but the first lock of the information form)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from kring.cases.models import State
from kring.plans.models import Agreement, ConcernAnswer, InformationForm
from kring.plans.services import agreement_rows, current_conditions, unmet_among, unmet_conditions
from kring.plans.templatetags.plan_text import written

from .builders import member, presented_plan, set_state

#: What `plans/_lines.html` printed before the `written` filter replaced it.
OLD_LINES = ('{% for line in text.splitlines %}{% if line.strip %}<p dir="auto">{{ line }}</p>{% endif %}'
             '{% empty %}<p>-</p>{% endfor %}')


@pytest.mark.parametrize("text", ["", "Eén regel", "a\n\nb", "  \n \n", "x\r\ny\n", "<b>&\"'</b>\nعمتي", None, 7])
def test_written_prints_what_the_lines_template_printed(text):
    assert written(text) == Template(OLD_LINES).render(Context({"text": text}))


def _plan_writes(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries
            if q["sql"].startswith(("UPDATE", "INSERT", "DELETE")) and '"plans_' in q["sql"]]


def test_the_first_view_after_the_conference_locks_the_form_and_later_views_write_nothing(pw, as_user):
    InformationForm.objects.filter(case=pw.case).update(locked_at=None)
    client = as_user(pw.coordinator)
    url = f"/cases/{pw.case.pk}/plan/"
    assert len(_plan_writes(client, url)) == 1  # the lock, once
    assert InformationForm.objects.get(case=pw.case).is_locked
    assert _plan_writes(client, url) == []
    presented_plan(pw)
    assert _plan_writes(client, url) == []


def test_before_the_conference_the_plan_page_does_not_lock_the_form(pw, as_user):
    InformationForm.objects.filter(case=pw.case).update(locked_at=None)
    set_state(pw.case, State.SCHEDULED)
    assert _plan_writes(as_user(pw.coordinator), f"/cases/{pw.case.pk}/plan/") == []
    assert not InformationForm.objects.get(case=pw.case).is_locked


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_plan_page_reads_as_often_with_a_longer_plan(pw, as_user):
    version = presented_plan(pw)
    client = as_user(pw.professional)
    url = f"/cases/{pw.case.pk}/plan/"
    client.get(url)
    before = _count(client, url)
    conditions = pw.conditions()
    for i in range(4):
        who = member(pw.case, f"Buur {i}", email=f"buur{i}@example.org")
        agreement = Agreement.objects.create(version=version, order=10 + i, who=who, what=f"Afspraak {i}",
                                             when="elke week")
        agreement.conditions.set(conditions)
        ConcernAnswer.objects.create(version=version, condition=conditions[0], text=f"Antwoord {i}")
        version.copy_recipients.add(who)
    page = client.get(url).content.decode()
    assert "Afspraak 3" in page and "Antwoord 3" in page and "Buur 3" in page
    assert _count(client, url) == before


def test_agreement_rows_are_the_agreements_as_the_models_give_them(pw):
    version = presented_plan(pw)
    extra = Agreement.objects.create(version=version, order=0, who=pw.circle.uncle, what="Eerst", when="nu")
    extra.conditions.set(reversed(pw.conditions()))
    expected = [(a.who.name, a.who.relation, a.what, a.when, a.starts_on, a.ends_on,
                 [c.text for c in a.conditions.all()]) for a in version.agreements.all()]
    assert [(r.who, r.relation, r.what, r.when, r.starts_on, r.ends_on, r.conditions)
            for r in agreement_rows(version)] == expected
    assert len(expected) >= 2 and expected[0][2] == "Eerst" and len(expected[0][6]) == 2


def test_unmet_among_is_unmet_conditions(pw):
    version = presented_plan(pw)
    tests = {t.condition_id: t for t in version.tests.all()}
    assert unmet_among(current_conditions(pw.case), tests) == unmet_conditions(version)
    assert unmet_conditions(version)  # nothing tested yet: the non-negotiable condition is unmet


def test_the_information_form_page_locks_once_and_then_writes_nothing(pw, as_user):
    InformationForm.objects.filter(case=pw.case).update(locked_at=None)
    client = as_user(pw.professional)
    url = f"/cases/{pw.case.pk}/information-form/"
    assert len(_plan_writes(client, url)) == 1
    assert InformationForm.objects.get(case=pw.case).is_locked
    assert _plan_writes(client, url) == []


def test_the_document_prints_the_same_however_the_version_was_read(pw):
    from kring.plans.document import plan_document_content
    from kring.plans.models import PlanVersion

    version = presented_plan(pw)
    plain = plan_document_content(PlanVersion.objects.get(pk=version.pk), language="en")
    joined = plan_document_content(
        PlanVersion.objects.select_related("plan__case", "monitor", "convenor").get(pk=version.pk), language="en")
    assert plain.ops == joined.ops and plain.fingerprint == joined.fingerprint
    printed = str(plain.ops)
    assert pw.circle.aunt.name in printed and pw.circle.uncle.name in printed
    assert all(c.text in printed for c in pw.conditions())


def test_the_plan_pdf_reads_as_often_with_a_longer_plan(pw, as_user):
    version = presented_plan(pw)
    client = as_user(pw.coordinator)
    url = f"/cases/{pw.case.pk}/plan/pdf/?lang=en"
    client.get(url)
    before = _count(client, url)
    for i in range(3):
        who = member(pw.case, f"Buur {i}", email=f"buur{i}@example.org")
        agreement = Agreement.objects.create(version=version, order=10 + i, who=who, what=f"Afspraak {i}",
                                             when="elke week")
        agreement.conditions.set(pw.conditions())
        version.copy_recipients.add(who)
    client.get(url)  # builds and stores the new document
    assert _count(client, url) == before


def test_the_compiled_reads_give_what_the_models_give_for_each_version(pw):
    """The plan page's reads compiled once (`PreparedValues`) return each version's own rows."""
    from kring.plans.models import ConditionTest, Distribution, SafetyCondition
    from kring.plans.services import (
        INFORMATION_CONDITIONS,
        VERSION_ANSWERS,
        VERSION_PROFESSIONAL_NAMES,
        VERSION_PROFESSIONALS,
        VERSION_RECIPIENT_NAMES,
        VERSION_RECIPIENTS,
        plan_test_conditions,
    )
    from kring.plans.views import _DISTRIBUTIONS, _TESTS

    first = presented_plan(pw)
    conditions = pw.conditions()
    plan_test_conditions(version=first, results=[(conditions[0], True, "Goed geregeld")], by=pw.professional)
    ConcernAnswer.objects.create(version=first, condition=None, text="Ons antwoord")
    Distribution.objects.create(version=first, email="tante@example.org")
    empty = pw.case.plan.versions.create(number=first.number + 1, created_by=pw.coordinator)
    for version in (first, empty):
        assert VERSION_ANSWERS(version.pk) == list(
            version.answers.values_list("text", "condition_id", "condition__text"))
        assert VERSION_RECIPIENTS(version.pk) == list(version.copy_recipients.values_list("name", "email"))
        assert VERSION_PROFESSIONALS(version.pk) == list(
            version.copy_professionals.values_list("name", "organisation", "email"))
        assert [n for (n,) in VERSION_RECIPIENT_NAMES(version.pk)] == list(
            version.copy_recipients.order_by("name").values_list("name", flat=True))
        assert VERSION_PROFESSIONAL_NAMES(version.pk) == list(
            version.copy_professionals.order_by("name").values_list("name", "organisation"))
        assert _TESTS(version.pk) == [(t.condition_id, t.met, t.reason, t.tested_by.first_name,
                                       t.tested_by.last_name, t.tested_by.username) for t in version.tests.all()]
    assert len(VERSION_ANSWERS(first.pk)) >= 2 and VERSION_ANSWERS(empty.pk) == []
    assert VERSION_RECIPIENTS(first.pk) and _TESTS(first.pk) and _TESTS(empty.pk) == []
    info_version = conditions[0].version_id
    assert INFORMATION_CONDITIONS(info_version) == [
        (c.pk, c.version_id, c.order, c.text, c.non_negotiable)
        for c in SafetyCondition.objects.filter(version_id=info_version)]
    assert _DISTRIBUTIONS(pw.case.pk) == [(first.number, "tante@example.org", None)]
    assert ConditionTest.objects.filter(version=first).count() == 1


def test_the_plan_page_shows_the_test_and_who_tested(pw, as_user):
    from kring.plans.services import plan_test_conditions

    version = presented_plan(pw)
    conditions = pw.conditions()
    plan_test_conditions(version=version, results=[(conditions[0], False, "Nog niet geregeld")],
                         by=pw.professional)
    page = as_user(pw.coordinator).get(f"/cases/{pw.case.pk}/plan/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nog niet geregeld" in page and f"({pw.professional.display_name})" in page
    assert "Not met" in page and "Not tested yet" in page
    assert all(c.text in page for c in conditions)
