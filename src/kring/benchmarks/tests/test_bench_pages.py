"""`kring bench pages` measures every page of every role, and no page's queries grow with the data."""

from __future__ import annotations

import json

from django.core.management import call_command

from kring.benchmarks.pages import measure
from kring.benchmarks.scenario import FLOOR, all_pages, pick_scenario

from .world import add_case, grow


def test_bench_pages_measures_every_page_and_the_floor_with_status_200(bench_world, tmp_path, capsys):
    out = tmp_path / "pages.json"
    call_command("bench_pages", repeat=1, json=str(out))
    figures = json.loads(out.read_text())
    measured = {(p["role"], p["page"]): p for p in figures["pages"]}
    expected = {(p.role, p.name) for p in all_pages(pick_scenario())}
    assert set(measured) == expected
    assert ("coordinator", FLOOR) in measured
    assert all(p["statuses"] == [200] and not p["problems"] for p in measured.values()), measured
    assert all(p["queries"] > 0 and p["median_ms"] > 0 for p in measured.values())
    assert figures["cases"] == 1
    table = capsys.readouterr().out
    assert "coordinator: floor" in table and "family: plan PDF" in table and "1 cases" in table


def _query_counts(case_id: int) -> dict[str, list[int]]:
    results = measure(pick_scenario(case_id), repeat=2)
    assert all(r.ok for r in results), [(r.page.key, r.problems, r.statuses) for r in results if not r.ok]
    return {r.page.key: r.query_counts for r in results}


def test_queries_per_request_are_the_same_with_five_times_more_data(bench_world):
    for index in (1, 2):
        add_case(bench_world, index=index)
    small = _query_counts(bench_world.case.pk)
    # Five times the cases in every list, and a larger circle, plan, timeline and log on the case.
    grow(bench_world, 12)
    large = _query_counts(bench_world.case.pk)
    grown = {page: (small[page], large[page]) for page in small if small[page] != large[page]}
    assert not grown, f"query counts that grow with the data (small, large): {grown}"
