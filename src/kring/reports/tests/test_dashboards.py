"""The dashboard pages, their exports read back, and who may see them."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from kring.audit.models import AccessLogEntry
from kring.regions.models import Region
from kring.reports.refresh import refresh
from kring.testing import factories as f

from . import data

PERIOD = {"date_from": "2025-01-01", "date_to": "2025-03-31"}


@pytest.fixture
def made(world):
    built = data.build()
    refresh()  # as the worker does
    return built


def test_the_manager_sees_charts_with_a_table_behind_each(made, world, as_user):
    response = as_user(world.manager).get("/dashboard/", PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') >= 8
    assert html.count("<svg") == html.count("<title id=") == html.count("<desc id=")
    assert "<caption>" in html
    assert "&lt;5" in html  # February's 3 requests are hidden
    assert "Erlang C" in html  # the capacity forecast


def test_a_manager_of_another_region_sees_none_of_these_families(made, world, as_user):
    response = as_user(world.stranger_manager).get("/dashboard/export/", {**PERIOD, "table": "funnel",
                                                                          "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1] == "0"


def test_a_manager_cannot_ask_for_a_region_outside_their_own(made, world, as_user):
    response = as_user(world.stranger_manager).get("/dashboard/export/", {
        **PERIOD, "region": "utrecht", "table": "funnel", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1] == "0"  # the filter falls back to their own regions


def test_csv_export_reads_back_and_is_logged_once(made, world, as_user):
    before = AccessLogEntry.objects.count()
    response = as_user(world.manager).get("/dashboard/export/", {**PERIOD, "table": "requests_per_month",
                                                                 "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Maand", "Aanvragen"] or rows[0][1]  # translated header
    assert [r[1] for r in rows[1:4]] == ["7", "<5", "6"]
    assert "5" in rows[-1][0]  # the note about hidden figures
    entries = AccessLogEntry.objects.filter(pk__gt=0).order_by("-id")[: AccessLogEntry.objects.count() - before]
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [
        ("export", "report", "requests_per_month.csv")]


def test_xlsx_export_has_a_sheet_per_table_with_numbers(made, world, as_user):
    response = as_user(world.manager).get("/dashboard/export/", {**PERIOD, "table": "all", "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) >= 12
    sheet = book[book.sheetnames[0]]
    values = [row[1] for row in sheet.iter_rows(min_row=2, max_row=4, values_only=True)]
    assert values == [7, "<5", 6]
    funnel = book[book.sheetnames[1]]
    shares = [row[2] for row in funnel.iter_rows(min_row=2, max_row=4, values_only=True)]
    assert shares == [1.0, 0.75, 0.5625]
    assert AccessLogEntry.objects.filter(action="export", object_id="all.xlsx").count() == 1


def test_policy_sees_the_country_by_region_and_municipality(made, world, as_user):
    client = as_user(world.policy)
    response = client.get("/figures/", PERIOD)
    assert response.status_code == 200
    assert 'id="by_region"' in response.content.decode()
    response = client.get("/figures/export/", {**PERIOD, "table": "by_municipality", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:4] == ["Utrecht", "16", "12", "9"]
    response = client.get("/figures/export/", {**PERIOD, "municipality": "0344", "table": "funnel",
                                               "format": "csv"})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/cases/", "/cases/{case_id}/", "/offers/", "/fees/", "/fees/statement/",
                                  "/cases/{case_id}/offers/new/", "/dashboard/", "/inbox/"])
def test_policy_never_reaches_a_page_about_a_person(made, world, as_user, path):
    response = as_user(world.policy).get(path.format(case_id=made["cases"][0].pk))
    assert response.status_code in (403, 404)


def test_bad_export_requests_are_404(world, as_user):
    client = as_user(world.manager)
    assert client.get("/dashboard/export/", {"table": "all", "format": "csv"}).status_code == 404
    assert client.get("/dashboard/export/", {"table": "nope", "format": "xlsx"}).status_code == 404
    assert client.get("/dashboard/export/", {"format": "pdf"}).status_code == 404


def test_a_bad_period_shows_the_error_and_the_default_figures(world, as_user):
    response = as_user(world.manager).get("/dashboard/", {"date_from": "2025-05-01", "date_to": "2025-01-01"})
    assert response.status_code == 200
    assert b"errorlist" in response.content


def test_the_dashboard_runs_a_fixed_number_of_queries(made, world, as_user, django_assert_max_num_queries):
    client = as_user(world.manager)
    f.CaseFactory.create_batch(20, family=False)
    with django_assert_max_num_queries(60):
        assert client.get("/dashboard/", PERIOD).status_code == 200


def test_exports_of_everything_hold_no_names(made, world, as_user):
    response = as_user(world.policy).get("/figures/export/", {**PERIOD, "table": "all", "format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    text = " ".join(str(c) for s in book for row in s.iter_rows(values_only=True) for c in row if c)
    assert world.professional.last_name not in text
    assert made["cases"][0].reference not in text
    assert Region.objects.count() > 1
