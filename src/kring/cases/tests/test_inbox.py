"""The regional manager's inbox: norm clocks, order, overdue marks, constant query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kring.cases.models import Case, CasePerson, PersonRole
from kring.cases.services import case_transition
from kring.testing import factories as f


def test_urgent_requests_come_first_then_the_nearest_deadline(world, as_user):
    now = timezone.now()
    old = f.CaseFactory(submitted_at=now - timedelta(hours=20), family=False)
    fresh = f.CaseFactory(submitted_at=now - timedelta(hours=1), family=False)
    urgent = f.CaseFactory(submitted_at=now - timedelta(minutes=5), urgency="urgent", family=False)
    overdue = f.CaseFactory(submitted_at=now - timedelta(hours=30), family=False)
    page = as_user(world.manager).get("/inbox/").context["page"]
    order = [c.pk for c in page]
    assert order.index(urgent.pk) == 0
    assert order.index(overdue.pk) < order.index(old.pk) < order.index(fresh.pk)


def test_overdue_clocks_are_marked(world, as_user):
    f.CaseFactory(submitted_at=timezone.now() - timedelta(hours=30), family=False)
    html = as_user(world.manager).get("/inbox/").content.decode()
    assert "clock-overdue" in html


def test_a_manager_sees_only_the_requests_of_their_regions(world, as_user):
    limburg_case = f.CaseFactory(municipality=f.municipality("Maastricht"), family=False)
    page = as_user(world.manager).get("/inbox/").context["page"]
    assert limburg_case.pk not in [c.pk for c in page]
    page = as_user(world.stranger_manager).get("/inbox/").context["page"]
    assert [c.pk for c in page] == [limburg_case.pk]


def test_assignment_stops_the_24_hour_clock_and_first_contact_removes_it_from_the_inbox(world, as_user):
    client = as_user(world.manager)
    response = client.post(f"/cases/{world.case.pk}/assign/", {"coordinator": world.coordinator.pk})
    assert response.status_code == 302
    world.case.refresh_from_db()
    assert world.case.coordinator == world.coordinator
    assert {c.code: c.status for c in world.case.clocks()}["start"] == "met"
    assert world.case.pk in [c.pk for c in client.get("/inbox/").context["page"]]
    case_transition(case=world.case, name="first_contact", by=world.coordinator)
    assert world.case.pk not in [c.pk for c in client.get("/inbox/").context["page"]]


def test_a_late_first_contact_shows_as_met_too_late(world):
    start = timezone.now()
    case = f.CaseFactory(coordinator=world.coordinator, submitted_at=start)
    with time_machine.travel(start + timedelta(days=3)):
        case = case_transition(case=case, name="first_contact", by=world.coordinator)
    assert {c.code: c.status for c in case.clocks()}["contact"] == "late"


def _make_cases(n: int, region_municipality: str = "Utrecht", **extra) -> None:
    m = f.municipality(region_municipality)
    now = timezone.now()
    cases = [
        Case(region=m.region, municipality=m, legal_frame="voluntary", trigger_moment="intake",
             situation="x", channel="demo", requester_kind="parent", requester_name="x",
             requester_email="x@example.org", submitted_at=now - timedelta(minutes=i),
             next_deadline_at=now + timedelta(hours=24) - timedelta(minutes=i), reference=f"K-T{n:04d}{i:05d}",
             **extra)
        for i in range(n)
    ]
    Case.objects.bulk_create(cases)
    CasePerson.objects.bulk_create(
        CasePerson(case=c, role=PersonRole.CHILD, name="kind", birth_date="2015-01-01")
        for c in Case.objects.filter(reference__startswith=f"K-T{n:04d}")
    )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/inbox/", "/cases/", "/cases/?state=request&q=K-"])
def test_the_inbox_and_case_list_run_the_same_number_of_queries_for_10_and_1000_requests(world, as_user, url):
    world.coordinator.coordinator_profile  # noqa: B018
    client = as_user(world.manager)
    _make_cases(10, coordinator=world.coordinator)
    small = _queries(client, url)
    _make_cases(990, coordinator=world.coordinator)
    assert Case.objects.count() > 1000
    large = _queries(client, url)
    assert small == large, (small, large)
    print(f"queries for {url}: {small} at 10 requests, {large} at 1000")  # reported in the closing note


def test_the_coordinator_case_list_query_count_is_constant(world, as_user):
    client = as_user(world.coordinator)
    _make_cases(10, coordinator=world.coordinator)
    small = _queries(client, "/cases/")
    _make_cases(990, coordinator=world.coordinator)
    assert small == _queries(client, "/cases/")


def test_inbox_rows_say_the_time_left_and_the_action_in_the_page_language(world, as_user):
    """The rows are written in Python with translations kept per language: each language gets its own."""
    with time_machine.travel(timezone.now(), tick=False):
        case = f.CaseFactory(submitted_at=timezone.now() - timedelta(hours=3), urgency="urgent", family=False)
        client = as_user(world.manager)
        dutch = client.get("/inbox/").content.decode()
        english = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row_nl = dutch.split(f'<tr id="case-{case.pk}"', 1)[1].split("</tr>", 1)[0]
    row_en = english.split(f'<tr id="case-{case.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "nog 21 uur" in row_nl and "<em>nog geen</em>" in row_nl and ">Toewijzen</a>" in row_nl
    assert "21 hours left" in row_en and "<em>none yet</em>" in row_en and ">Assign</a>" in row_en
    assert f'href="/cases/{case.pk}/assign/"' in row_nl and 'class="urgent"' in row_nl
