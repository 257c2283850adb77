"""GET /api/reports/figures sends each table's JSON made once, and the same JSON ninja would send."""

from __future__ import annotations

import json

from ninja.responses import NinjaJSONEncoder

from kring.api.reports import FiguresOut
from kring.reports.refresh import refresh
from kring.reports.tests import data


def _as_ninja_sends_it(body: bytes) -> str:
    return json.dumps(FiguresOut.model_validate_json(body).model_dump(), cls=NinjaJSONEncoder)


def test_the_figures_are_the_json_of_the_documented_answer(world, token_api):
    data.build()
    refresh()
    client = token_api(world.policy)
    for path in ("/api/reports/figures?date_from=2025-01-01&date_to=2025-03-31", "/api/reports/figures"):
        first, again = client.get(path), client.get(path)  # the second one from the tables' kept JSON
        assert first.status_code == again.status_code == 200
        assert first["Content-Type"] == "application/json; charset=utf-8"
        assert first.content.decode() == again.content.decode() == _as_ninja_sends_it(first.content)
        assert json.loads(first.content)["tables"]


def test_a_manager_gets_the_same_shape(world, token_api):
    body = token_api(world.manager).get("/api/reports/figures")
    assert body.content.decode() == _as_ninja_sends_it(body.content)
    assert json.loads(body.content)["scope"]["regions"] == ["utrecht"]
