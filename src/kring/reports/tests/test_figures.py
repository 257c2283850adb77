"""Every dashboard figure on hand-made data with known answers (see data.py), small cells hidden.

Each test runs twice: on the case tables (`figures.RAW`) and on the summary tables the worker
keeps (`SUMMARY`, rebuilt before the first read of each scope, as of its `now`)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from kring.regions.models import Municipality, Region
from kring.reports import figures
from kring.reports.figures import Figure
from kring.reports.refresh import refresh_all
from kring.reports.summary import SUMMARY

from . import data


class FreshSummary:
    """The summary source, brought up to date before each read (as the worker would have done)."""

    name = "summary"

    def __getattr__(self, name):
        method = getattr(SUMMARY, name)

        def call(scope, *args):
            if not scope.cache.get("refreshed"):
                refresh_all(now=scope.now)
                scope.cache["refreshed"] = True
            return method(scope, *args)

        return call


@pytest.fixture(params=["raw", "summary"])
def source(request):
    return figures.RAW if request.param == "raw" else FreshSummary()


@pytest.fixture
def made(db):
    return data.build()


def cells(table, column=None):
    """{row label: Figure} for one column, or {row label: [cells]}."""
    if column is None:
        return {row[0]: row[1:] for row in table.rows}
    return {row[0]: row[column] for row in table.rows}


def shown(table, column):
    return {label: (f.display if isinstance(f, Figure) else f) for label, f in cells(table, column).items()}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_requests_per_month_hide_a_month_with_fewer_than_5(made, source):
    table = figures.requests_per_month(data.scope(), source)
    assert [(row[0], row[1].display) for row in table.rows] == [
        ("Jan 2025", "7"), ("Feb 2025", "<5"), ("Mar 2025", "6")]
    assert table.rows[1][1].shown is None and table.has_suppressed


def test_from_request_to_conference_and_plan(made, source):
    table = figures.funnel(data.scope(), source)
    assert shown(table, 1) == {"Requests": "16", "Conference held": "12", "Plan accepted": "9"}
    assert shown(table, 2)["Conference held"] == "75%"
    assert shown(table, 2)["Plan accepted"] == "56%"
    assert table.rows[2][3].value == 0.75  # plans per conference
    assert [v for v, _label in table.chart.references] == [0.86, 0.9]


def test_lead_times_against_the_norms(made, source):
    tables = {t.slug: t for t in figures.lead_times(data.scope(), source)}
    start = shown(tables["lead_start"], 1)
    assert start == {"within 4 hours": "11", "4 to 24 hours": "<5", "1 to 2 days": "<5", "2 to 7 days": "0",
                     "longer": "0", "Within the norm": "14"}
    assert tables["lead_start"].rows[-1][2].value == 14 / 16
    contact = cells(tables["lead_contact"], 2)
    assert contact["within 1 day"].display == "67%"
    assert contact["1 to 2 days"].display == "–"  # 2 families: hidden share
    assert contact["Within the norm"].display == "83%"
    conference = shown(tables["lead_conference"], 1)
    assert conference["4 to 6 weeks"] == "10" and conference["6 to 10 weeks"] == "<5"
    assert tables["lead_conference"].rows[-1][2].value == 10 / 12
    plan = shown(tables["lead_plan"], 1)
    assert plan["same day"] == "6" and plan["1 to 2 weeks"] == "<5"
    assert len(tables["lead_plan"].rows) == 5  # no norm row
    urgent = shown(tables["lead_urgent"], 2)
    assert set(urgent.values()) == {"–"}  # no urgent requests: nothing to show


def test_circle_size_and_both_sides(made, source):
    table = figures.circle(data.scope(), source)
    c = cells(table)
    assert c["Conferences held"][0].display == "12"
    assert c["Average number of people from the circle who came"][0].value == 6.0
    assert c["0 to 4 people"][0].display == "<5"
    assert c["5 to 9 people"][0].display == "6" and c["5 to 9 people"][1].display == "50%"
    assert c["10 to 14 people"][0].display == "<5" and c["15 people or more"][0].display == "0"
    assert c["Both sides of the family came"][0].value == 8
    assert c["Both sides of the family came"][1].display == "67%"
    assert c["Someone from outside the family came"][1].display == "50%"


def test_evaluation_held_within_three_months(made, source):
    c = cells(figures.evaluation(data.scope(), source))
    assert c["Plans accepted at least 3 months ago"][0].value == 9
    assert c["Evaluation held within 3 months"][0].value == 6
    assert c["Evaluation held within 3 months"][1].display == "67%"


def test_evaluation_waits_until_three_months_have_passed(made, source):
    c = cells(figures.evaluation(data.scope(now=data.at(date(2025, 3, 1))), source))
    assert c["Plans accepted at least 3 months ago"][0].value == 0


def test_outcomes_at_3_6_and_12_months(made, source):
    table = figures.outcomes(data.scope(), source)
    three, six, twelve = table.rows
    assert [c.display for c in three[1:]] == ["8", "75%", "–", "75%", "75%", "8.0", "–"]
    assert six[1].display == "<5" and all(c.display == "–" for c in six[2:])
    assert twelve[1].display == "0"  # due but not recorded


def test_coordinators_workload(made, source):
    c = {row[0]: row[1] for row in figures.workload(data.scope(), source).rows}
    assert c["Coordinators in these regions"].value == 6
    assert c["Cases running now"].value == 7
    assert c["Places (maximum cases of the available coordinators)"].value == 18
    assert c["Occupation of the places"].display == "39%"
    assert c["Conferences held in the period"].value == 10
    assert [c[f"Coordinators with {k}"].value for k in ("no case", "1 case", "2 cases", "3 cases",
                                                         "4 cases or more")] == [2, 2, 1, 1, 0]
    assert c["Coordinators at or over their maximum"].value == 1


def test_workload_is_hidden_when_fewer_than_5_cases_run(db, source):
    for i in range(3):
        data.f.CoordinatorFactory(username=f"c{i}")
    table = figures.workload(data.scope(), source)
    assert {row[1].display for row in table.rows} <= {"–", "0", "0%", "<5"}
    assert table.has_suppressed


def test_offers_per_moment_organisation_and_municipality(made, source):
    moment = cells(figures.offers_by_moment(data.scope(), source))
    intake = moment["First contact or intake"]
    assert [c.display for c in intake] == ["6", "5", "83%", "0", "5", "83%"]
    crisis = moment["Crisis"]
    assert [c.display for c in crisis] == ["<5", "0", "–", "0", "0", "–"]
    assert moment["Start of help"][3].display == "<5"  # not required by law: youth probation
    organisation = cells(figures.offers_by_organisation(data.scope(), source))
    assert organisation["Samen Veilig Utrecht"][0].value == 9
    assert organisation["Samen Veilig Utrecht"][4].value == 5
    municipality = cells(figures.offers_by_municipality(data.scope(), source))
    assert municipality["Utrecht"][0].value == 9


def test_policy_sees_regions_and_municipalities_side_by_side(made, source):
    all_regions = data.scope(regions=Region.objects.all())
    region = cells(figures.by_region(all_regions, source))
    assert list(region) == ["Utrecht"]
    assert [c.display for c in region["Utrecht"][:4]] == ["16", "12", "9", "75%"]
    assert region["Utrecht"][4].value == 10 / 16
    municipality = cells(figures.by_municipality(all_regions, source))
    assert municipality["Utrecht"][0].value == 16


def test_the_period_and_the_municipality_narrow_the_figures(made, source):
    january = figures.funnel(data.scope(date_to=date(2025, 1, 31)), source)
    assert january.rows[0][1].value == 7
    elsewhere = Municipality.objects.filter(region__code="utrecht").exclude(name="Utrecht").first()
    none = figures.funnel(data.scope(municipality=elsewhere), source)
    assert none.rows[0][1].value == 0
    other_region = figures.funnel(data.scope(regions=Region.objects.filter(code="limburg")), source)
    assert other_region.rows[0][1].value == 0


def test_a_small_region_shows_no_figure_about_a_family(db, source):
    for day in data.DAYS[:4]:
        data.f.CaseFactory(submitted_at=data.at(day), family=False, held_at=data.at(day),
                           plan_accepted_at=data.at(day), first_contact_at=data.at(day))
    for table in figures.manager_tables(data.scope(), source):
        for row in table.rows:
            for cell in row[1:]:
                if isinstance(cell, Figure) and cell.value not in (0, None):
                    assert cell.suppressed, (table.slug, row)


@pytest.mark.parametrize(("figure", "text"), [
    (Figure.count(0), "0"), (Figure.count(4), "<5"), (Figure.count(5), "5"),
    (Figure.share(4, 100), "–"), (Figure.share(5, 100), "5%"), (Figure.share(0, 4), "–"),
    (Figure.share(0, 5), "0%"), (Figure.mean(3.0, 4), "–"), (Figure.mean(3.25, 5), "3.2"),
])
def test_suppression_rules(figure, text):
    assert figure.display == text
