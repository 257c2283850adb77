"""The portal's pages read what they show in a fixed number of queries, and show the same."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kring.audit.log import log_access
from kring.audit.models import AccessLogEntry
from kring.family.views import LOG_PAGE_SIZE, log_page
from kring.followup.models import Outcome
from kring.plans.models import PlanStatus, PlanVersion

from .conftest import PARENT_EMAIL, latest_code


@pytest.fixture
def signed_in(client, family_world):
    client.post("/gezin/inloggen/", {"address": PARENT_EMAIL})
    client.post("/gezin/inloggen/code/", {"code": latest_code()})
    return client


def _queries(client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def _more_versions(world, n: int) -> None:
    last = PlanVersion.objects.filter(plan__case=world.case).order_by("-number").first()
    for number in range(last.number + 1, last.number + 1 + n):
        PlanVersion.objects.create(plan=last.plan, number=number, status=PlanStatus.ACCEPTED,
                                   concerns_answered=f"Versie {number}", monitor=world.aunt,
                                   change_note=f"wijziging {number}")


@pytest.mark.parametrize("path", ["/gezin/", "/gezin/kring/", "/gezin/plan/", "/gezin/wie-keek/"])
def test_portal_pages_do_not_read_more_with_more_data(signed_in, family_world, path):
    signed_in.get(path)  # warm up
    few, _html = _queries(signed_in, path)
    _more_versions(family_world, 3)
    for months in (6, 12, 18):
        Outcome.objects.create(case=family_world.case, months=months, due_on="2030-01-01")
    for _ in range(3 * LOG_PAGE_SIZE):
        log_access(None, action="read", object_type="case", object_id=family_world.case.pk,
                   case_id=family_world.case.pk, purpose="case coordination")
    many, _html = _queries(signed_in, path)
    assert many == few


def test_the_session_look_up_reads_the_person_case_and_own_plan_in_one_query(signed_in, family_world):
    _queries(signed_in, "/gezin/kring/")  # warm up
    with CaptureQueriesContext(connection) as ctx:
        signed_in.get("/gezin/kring/")
    person_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "cases_caseperson"' in q["sql"]]
    assert len(person_reads) == 1
    assert "family_selfplan" in person_reads[0] and "situation" not in person_reads[0]
    assert not any('FROM "family_selfplan"' in q["sql"] for q in ctx.captured_queries)


def test_the_plan_page_shows_the_newest_version_and_lists_the_others(signed_in, family_world):
    _more_versions(family_world, 2)
    html = signed_in.get("/gezin/plan/").content.decode()
    assert "Versie 3" in html and "wijziging 2" in html and "?versie=1" in html
    assert "Wie brengt de kinderen naar school?" in signed_in.get("/gezin/plan/?versie=1").content.decode()
    assert signed_in.get("/gezin/plan/?versie=9").status_code == 404
    assert signed_in.get("/gezin/plan/pdf/?versie=2").content.startswith(b"%PDF")
    assert signed_in.get("/gezin/plan/pdf/?versie=9").status_code == 404


def test_a_family_without_a_plan_sees_none_and_an_unknown_version_is_not_an_error(signed_in, family_world):
    family_world.case.plan.delete()
    assert signed_in.get("/gezin/plan/?versie=2").status_code == 200
    assert signed_in.get("/gezin/plan/pdf/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [0, 1, LOG_PAGE_SIZE, LOG_PAGE_SIZE + 1, 3 * LOG_PAGE_SIZE - 7])
def test_the_log_pages_are_the_ones_the_paginator_picks(family_world, rows):
    case_id = family_world.case.pk
    for _ in range(rows):
        log_access(None, action="read", object_type="case", object_id=case_id, case_id=case_id,
                   purpose="case coordination")
    entries = AccessLogEntry.objects.filter(case_id=case_id).order_by("-at", "-id")
    for requested in [None, "", "abc", "2.0", "-1", "0", "1", "2", "3", "4", "99"]:
        expected = Paginator(entries.values_list("id", flat=True), LOG_PAGE_SIZE).get_page(requested)
        page, found = log_page(entries.values_list("id", flat=True), requested)
        assert list(found) == list(expected), requested
        assert (page.number, page.has_previous, page.has_next, page.has_other_pages) == (
            expected.number, expected.has_previous(), expected.has_next(), expected.has_other_pages()), requested


def test_the_log_page_counts_the_log_only_past_its_end(signed_in, family_world):
    _count, _html = _queries(signed_in, "/gezin/wie-keek/")
    with CaptureQueriesContext(connection) as ctx:
        signed_in.get("/gezin/wie-keek/")
    assert not any("COUNT(" in q["sql"] for q in ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        html = signed_in.get("/gezin/wie-keek/?pagina=50").content.decode()
    assert any("COUNT(" in q["sql"] for q in ctx.captured_queries)
    assert "Fatima el Amrani" in html  # the last page, not an empty one


def test_the_circle_page_shows_everyone_but_reads_no_safety_arrangements(signed_in, family_world):
    from kring.network.models import ArrangementKind, CircleMember, SafetyArrangement

    SafetyArrangement.objects.create(case=family_world.case, kind=ArrangementKind.MUST_NOT_MEET,
                                     person=family_world.aunt, other=family_world.neighbour,
                                     note="Nooit samen in een kamer")
    signed_in.get("/gezin/kring/")  # warm up
    with CaptureQueriesContext(connection) as ctx:
        html = signed_in.get("/gezin/kring/").content.decode()
    assert not any("network_safetyarrangement" in q["sql"] for q in ctx.captured_queries)
    member_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "network_circlemember"' in q["sql"]]
    assert len(member_reads) == 1 and '"phone"' not in member_reads[0] and '"notes"' not in member_reads[0]
    assert "Nooit samen" not in html and 'data-arrangement=' not in html
    for member in CircleMember.objects.filter(case=family_world.case):
        assert member.name in html
    assert "Henk de Buur" in html and html.count("<svg") == 1


def test_the_compiled_reads_equal_the_model_reads(family_world):
    """Key dates, the first log page and the plan version's reads: the ORM's rows, per case and version."""
    from kring.family import status, views
    from kring.plans.models import Agreement

    case = family_world.case
    for months in (12, 6):
        Outcome.objects.create(case=case, months=months, due_on="2030-01-01")
    for _ in range(LOG_PAGE_SIZE + 3):
        log_access(None, action="read", object_type="case", object_id=case.pk, case_id=case.pk,
                   purpose="case coordination")
    _more_versions(family_world, 1)
    assert status._OUTCOMES(case.pk) == list(Outcome.objects.filter(case=case).values_list("months", "due_on"))
    assert [d for (d,) in status._EVALUATION_DATE(case.pk)] == [
        PlanVersion.objects.filter(plan__case=case).order_by("-number").first().evaluation_date]
    first = views._LOG_FIRST_PAGE(case.pk)
    assert len(first) == LOG_PAGE_SIZE + 1 and first == list(views._log_entries(case.pk)[:LOG_PAGE_SIZE + 1])
    assert views._LOG_FIRST_PAGE(case.pk + 10_000) == [] and status._MEETING(case.pk + 10_000) == []
    for version in PlanVersion.objects.filter(plan__case=case):
        assert views._AGREEMENTS(version.pk) == list(
            Agreement.objects.filter(version=version).values_list("who__name", "what", "when"))
        assert [t for (t,) in views._ANSWER_TEXTS(version.pk)] == list(version.answers.values_list("text", flat=True))
        assert [n for (n,) in views._COPY_NAMES(version.pk)] == list(
            version.copy_recipients.order_by("name").values_list("name", flat=True))


@pytest.mark.parametrize("with_self_plan", [False, True])
def test_the_compiled_person_read_makes_what_select_related_makes(family_world, with_self_plan):
    from django.utils import timezone

    from kring.cases.models import CasePerson
    from kring.family import session
    from kring.family.models import SelfPlan

    person_id = CasePerson.objects.filter(case=family_world.case).order_by("pk").values_list("pk", flat=True)[0]
    if with_self_plan:
        now = timezone.now()
        SelfPlan.objects.create(case=family_world.case, started_by_id=person_id, started_at=now, updated_at=now)

    def state(obj):
        fields = {k: v for k, v in obj.__dict__.items() if k != "_state"}
        return type(obj), fields, obj.get_deferred_fields(), obj._state.adding, obj._state.db

    expected = (CasePerson.objects.select_related("case", "case__self_plan")
                .only(*session.PERSON_FIELDS, *(f"case__{n}" for n in session.CASE_FIELDS),
                      *(f"case__self_plan__{n}" for n in session.SELF_PLAN_FIELDS)).get(pk=person_id))
    person = session.family_person(person_id)
    assert state(person) == state(expected)
    with CaptureQueriesContext(connection) as ctx:
        assert state(person.case) == state(expected.case)
        family = session.Family(person=person, case=person.case)
        if with_self_plan:
            assert state(family.self_plan) == state(expected.case.self_plan)
            assert family.self_plan.case is person.case
        else:
            assert family.self_plan is None
    assert ctx.captured_queries == []
    assert session.family_person(person_id + 10_000) is None
