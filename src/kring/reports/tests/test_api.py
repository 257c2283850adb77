"""The read-only report operations: who gets what, aggregates only, one access-log row per call."""

from __future__ import annotations

import pytest

from kring.api.matrix import PERSONAS, access_log_rows
from kring.reports.matrix_expectations import API_OPERATIONS
from kring.reports.refresh import refresh

from . import data


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", API_OPERATIONS, ids=lambda o: o["operation_id"])
def test_each_persona_gets_the_expected_status(world, api, access_log, operation, persona):
    client = api(None if persona == "anonymous" else world.by_name(persona))
    log = access_log()
    path = operation["path"] + ("?" + operation["query"] if operation.get("query") else "")
    response = client.call(operation["method"], path)
    expected = operation["expected"][persona]
    assert response.status_code == expected, response.content
    assert len(log.rows()) == access_log_rows(expected)


def test_figures_come_with_hidden_cells_marked(world, token_api):
    data.build()
    refresh()  # as the worker does
    response = token_api(world.policy).get("/api/reports/figures?date_from=2025-01-01&date_to=2025-03-31")
    assert response.status_code == 200
    body = response.json()
    assert body["min_families"] == 5
    tables = {t["slug"]: t for t in body["tables"]}
    months = [row[1] for row in tables["requests_per_month"]["rows"]]
    assert [m["value"] for m in months] == [7, None, 6]
    assert months[1] == {"value": None, "display": "<5", "suppressed": True}
    funnel = tables["funnel"]["rows"]
    assert funnel[2][3]["value"] == 0.75
    assert "by_municipality" in tables
    assert body["refreshed_at"] is not None


def test_a_manager_gets_only_their_regions(world, token_api):
    client = token_api(world.manager)
    assert client.get("/api/reports/figures?region=limburg").status_code == 404
    assert client.get("/api/reports/figures?municipality=0344").status_code == 404
    body = client.get("/api/reports/figures").json()
    assert body["scope"]["regions"] == ["utrecht"]
    assert "by_region" not in {t["slug"] for t in body["tables"]}


@pytest.mark.parametrize("query", ["date_from=2025-05-01&date_to=2025-01-01", "date_from=1900-01-01",
                                   "date_to=9999-12-31", "date_from=2010-01-01&date_to=2025-01-01",
                                   "date_from=nope"])
def test_bad_periods_are_422(world, token_api, query):
    assert token_api(world.policy).get(f"/api/reports/figures?{query}").status_code == 422


def test_the_capacity_forecast(world, token_api):
    response = token_api(world.manager).get("/api/reports/capacity?region=utrecht&weeks=4&service_hours=12")
    assert response.status_code == 200
    body = response.json()
    assert body["service_hours"] == 12 and not body["service_measured"]
    assert {(n["norm"], n["target"]) for n in body["needed"]} == {
        ("start", 0.8), ("start", 0.95), ("contact", 0.8), ("contact", 0.95)}
