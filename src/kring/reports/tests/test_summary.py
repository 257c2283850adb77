"""The summary tables give exactly the figures of the case tables (`figures.RAW`, the reference),
for regions, municipalities and the country, whole and cut-off months; and they follow a change
after one refresh that recomputes only the months the change touched."""

from __future__ import annotations

import csv
import io
import math
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from kring.cases.models import Case
from kring.cases.services import case_assign, case_transition
from kring.regions.models import Municipality, Region
from kring.reports import figures
from kring.reports.figures import Figure, Scope
from kring.reports.models import CaseMonth, FigureMark, OfferGap, OfferMonth
from kring.reports.refresh import local_month, refresh, refresh_all
from kring.reports.summary import SUMMARY, freshness
from kring.testing import factories as f

from . import varied
from .varied import NOW


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _scope(regions=None, municipality=None, **kwargs) -> Scope:
    qs = Region.objects.filter(code__in=regions) if regions else Region.objects.all()
    if municipality is not None:
        municipality = Municipality.objects.filter(region__code=municipality).order_by("name")[1]
    return Scope(regions=qs, municipality=municipality, now=NOW, **kwargs)


SCOPES = {
    "Utrecht, whole months": dict(regions=["utrecht"], date_from=date(2025, 1, 1), date_to=date(2025, 11, 30)),
    "Utrecht, cut at both ends": dict(regions=["utrecht"], date_from=date(2024, 9, 15), date_to=date(2025, 6, 10)),
    "two regions": dict(regions=["utrecht", "zuid-holland"], date_from=date(2024, 10, 1), date_to=date(2025, 3, 31)),
    "country, up to today": dict(date_from=date(2024, 12, 1), date_to=NOW.date()),
    "country, cut on 15 February, summer time ends in it": dict(date_from=date(2025, 2, 15),
                                                                  date_to=date(2025, 10, 31)),
    "country, everything": dict(date_from=date(2024, 6, 1), date_to=date(2026, 1, 31)),
    "within one month": dict(regions=["utrecht"], date_from=date(2025, 3, 5), date_to=date(2025, 3, 20)),
    "one day": dict(date_from=date(2025, 4, 1), date_to=date(2025, 4, 1)),
    "one municipality": dict(municipality="zuid-holland", date_from=date(2024, 7, 1), date_to=date(2025, 11, 30)),
    "one municipality, cut": dict(municipality="utrecht", date_from=date(2025, 3, 10), date_to=date(2025, 9, 20)),
    "a region without requests": dict(regions=["limburg"], date_from=date(2025, 1, 1), date_to=date(2025, 6, 30)),
}


def assert_same_tables(raw: list[figures.Table], summary: list[figures.Table], label: str) -> None:
    assert [t.slug for t in raw] == [t.slug for t in summary]
    for r, s in zip(raw, summary, strict=True):
        where = f"{label} · {r.slug}"
        assert (r.title, r.columns, r.note) == (s.title, s.columns, s.note), where
        assert r.text_rows() == s.text_rows(), where
        for raw_row, summary_row in zip(r.rows, s.rows, strict=True):
            for a, b in zip(raw_row, summary_row, strict=True):
                if not isinstance(a, Figure):
                    assert str(a) == str(b), where
                    continue
                assert (a.kind, a.base, a.numerator, a.suppressed) == (b.kind, b.base, b.numerator, b.suppressed), (
                    where, raw_row[0])
                if a.kind == "mean" and a.value is not None:
                    # The database averages (AVG); the summary divides its sums.
                    assert math.isclose(a.value, b.value, rel_tol=1e-12), (where, raw_row[0])
                else:
                    assert a.value == b.value, (where, raw_row[0])


@pytest.fixture
def made(db):
    return varied.build()


def test_summaries_give_the_figures_of_the_case_tables_for_every_scope(made):
    refresh_all(now=NOW)
    assert OfferGap.objects.exists()  # families offered a plan more than once
    shown = 0
    for label, kwargs in SCOPES.items():
        summary_scope = _scope(**kwargs)
        raw = figures.policy_tables(_scope(**kwargs), figures.RAW)
        summary = figures.policy_tables(summary_scope)
        assert_same_tables(raw, summary, label)
        shown += sum(1 for t in raw for row in t.rows for c in row
                     if isinstance(c, Figure) and c.shown not in (None, 0))
        if label.endswith("cut at both ends"):  # the cut-off months came from the case tables
            assert {key[0] for key in summary_scope.cache if isinstance(key, tuple)} >= {"case-edge", "offer-edge"}
    assert shown > 500  # the comparison is about real figures, not about hidden cells


def test_the_worker_s_refresh_from_marks_alone_gives_the_same_figures(made):
    assert FigureMark.objects.exists()
    units = refresh(now=NOW)  # no full rebuild: only what the saves marked
    assert units is not None and units.marks and not units.full
    assert not FigureMark.objects.exists()
    for label in ("Utrecht, cut at both ends", "country, everything", "one municipality"):
        kwargs = SCOPES[label]
        assert_same_tables(figures.policy_tables(_scope(**kwargs), figures.RAW),
                           figures.policy_tables(_scope(**kwargs)), label)


def _rows() -> dict[tuple, object]:
    return {(r.region_id, r.municipality_id, r.month): r.computed_at for r in CaseMonth.objects.all()}


def _contact_csv(client) -> list[str]:
    response = client.get("/dashboard/export/", {"table": "lead_contact", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row[1] for row in rows[1:6]]


def test_a_transition_shows_on_the_dashboard_after_one_refresh_that_touches_only_its_month(world, as_user):
    utrecht = world.utrecht
    f.CaseFactory(submitted_at=timezone.now() - timedelta(days=45))
    f.CaseFactory(municipality=f.municipality("Maastricht"), submitted_at=timezone.now() - timedelta(days=3))
    f.CaseFactory(submitted_at=timezone.now() - timedelta(days=400), first_contact_at=timezone.now())
    refresh_all()
    before = _rows()
    offers_before = set(OfferMonth.objects.values_list("pk", flat=True))
    client = as_user(world.manager)
    assert _contact_csv(client) == ["0"] * 5
    page = client.get("/dashboard/").content.decode()
    line = page[page.index('id="freshness"'):].split("</p>")[0]
    assert freshness().strftime("%H:%M") in line  # "bijgewerkt om …"

    case_assign(case=world.case, coordinator=world.coordinator, by=world.manager)
    case_transition(case=world.case, name="first_contact", by=world.coordinator)
    assert _contact_csv(client) == ["0"] * 5  # not yet: the worker has not been round

    units = refresh()
    month = local_month(world.case.submitted_at)
    assert units.case_months == {(utrecht.pk, month)}
    after = _rows()
    changed = {key for key in after if after[key] != before.get(key)}
    assert changed == {(utrecht.pk, None, month), (utrecht.pk, world.case.municipality_id, month)}
    assert set(before) == set(after)
    assert set(OfferMonth.objects.values_list("pk", flat=True)) == offers_before
    assert _contact_csv(client) == ["<5", "0", "0", "0", "0"]  # within 1 day: one family, hidden as <5

    assert refresh().case_months == set()  # nothing changed since: nothing recomputed


def test_moving_or_deleting_a_case_recomputes_the_month_it_leaves(db):
    march = timezone.make_aware(timezone.datetime(2025, 3, 10, 9))
    cases = [f.CaseFactory(submitted_at=march, family=False) for _ in range(6)]
    refresh_all()
    scope = dict(regions=["utrecht"], date_from=date(2025, 3, 1), date_to=date(2025, 4, 30))
    assert SUMMARY.months(_scope(**scope)) == [6, 0]

    moved = cases[0]
    moved.submitted_at = march + timedelta(days=30)
    moved.save()
    cases[1].delete()
    units = refresh()
    utrecht = Region.objects.get(code="utrecht").pk
    assert units.case_months == {(utrecht, date(2025, 3, 1)), (utrecht, date(2025, 4, 1))}
    assert SUMMARY.months(_scope(**scope)) == [4, 1]
    assert SUMMARY.months(_scope(**scope)) == figures.RAW.months(_scope(**scope))


def test_a_plan_turning_three_months_old_counts_without_any_change(db):
    accepted = NOW - timedelta(days=91)
    case = f.CaseFactory(submitted_at=accepted - timedelta(days=30), held_at=accepted, plan_accepted_at=accepted,
                         family=False)
    scope = dict(regions=["utrecht"], date_from=date(2025, 1, 1), date_to=NOW.date())
    refresh_all(now=NOW)
    assert SUMMARY.evaluation(_scope(**scope))["n"] == 0
    units = refresh(now=NOW + timedelta(days=2))
    assert units.marks == 0
    assert units.case_months == {(case.region_id, local_month(case.submitted_at))}
    assert SUMMARY.evaluation(_scope(**scope))["n"] == 1
    assert refresh(now=NOW + timedelta(days=3)).case_months == set()


def test_a_coordinator_serving_other_regions_moves_their_workload(db):
    utrecht, limburg = f.region("utrecht"), f.region("limburg")
    coordinators = [f.CoordinatorFactory(username=f"w{i}", totp=False) for i in range(3)]
    for i in range(6):
        f.CaseFactory(coordinator=coordinators[i % 3], state="preparing", held_at=NOW - timedelta(days=i),
                      family=False)
    refresh_all(now=NOW)
    in_limburg = dict(regions=["limburg"], date_from=date(2025, 11, 1), date_to=NOW.date())
    assert SUMMARY.workload(_scope(**in_limburg))["coordinators"] == 0
    coordinators[0].coordinator_profile.regions.set([utrecht, limburg])
    refresh(now=NOW)
    for kwargs in (in_limburg, dict(in_limburg, regions=["utrecht"])):
        assert SUMMARY.workload(_scope(**kwargs)) == figures.RAW.workload(_scope(**kwargs))
    assert SUMMARY.workload(_scope(**in_limburg))["held"] == 2


def test_refresh_all_and_the_command_leave_no_marks(made):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("refresh_figures", "--full", stdout=out)
    assert "full rebuild" in out.getvalue()
    assert not FigureMark.objects.exists()
    assert CaseMonth.objects.filter(municipality__isnull=True).count() == len(
        {(c.region_id, local_month(c.submitted_at)) for c in Case.objects.all()})


def test_a_dashboard_is_computed_once_per_version_of_the_summaries(world, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kring.reports.refresh import state

    def reads_summaries() -> bool:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/dashboard/").status_code == 200
        return any("reports_casemonth" in q["sql"] for q in ctx.captured_queries)

    refresh_all()
    client = as_user(world.manager)
    assert reads_summaries()
    assert not reads_summaries()  # the same figures, from this process's memory
    version = state()[0]
    assert refresh().case_months == set() and state()[0] == version  # nothing changed: still valid
    case_transition(case=world.case, name="withdraw", by=world.manager, reason="family moved")
    refresh()
    assert state()[0] != version
    assert reads_summaries()


def test_only_one_refresher_at_a_time(db):
    from kring.reports.models import FigureState

    FigureState.objects.update_or_create(pk=1, defaults={"lease_until": timezone.now() + timedelta(minutes=5)})
    assert refresh() is None  # the worker is refreshing
    FigureState.objects.filter(pk=1).update(lease_until=timezone.now() - timedelta(seconds=1))  # it was killed
    assert refresh() is not None
    assert FigureState.objects.get(pk=1).lease_until is None
