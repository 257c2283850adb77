"""`kring bench pages`: every page of every role, in-process, against the floor.

Requests go through Django's test `Client`, in this process: the whole
middleware stack, the view, the templates and the database, without an HTTP
server in between. That is what a page costs on the server, and only in-process
can each request's SQL queries be counted. The HTTP server and concurrency are
`kring bench load`'s part.

Pages are measured round-robin (every page once, then again, `repeat` times),
so that the floor and the pages see the same conditions; one request per page
before that warms the caches and checks the answer (status 200 and a marker
that only the real page holds).
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from .scenario import FLOOR, Page, Scenario, end_sessions, pages, sessions_for

FLOOR_URLCONF = "kring.benchmarks.urls"


@dataclass
class PageResult:
    page: Page
    times: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    sql_times: list[float] = field(default_factory=list)
    cpu_times: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return percentile(self.times, 95)

    @property
    def sql_median(self) -> float:
        return statistics.median(self.sql_times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_times)

    @property
    def query_count(self) -> int:
        """Queries per request (the most frequent count; `query_counts` shows them all)."""
        return statistics.mode(self.queries)

    @property
    def query_counts(self) -> list[int]:
        return sorted(set(self.queries))

    @property
    def ok(self) -> bool:
        return not self.problems and all(s == 200 for s in self.statuses)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `pct` % of values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


class _QueryCounter:
    """Counts the queries and the time spent in the database driver."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def _headers() -> dict[str, Any]:
    """Ask as a browser would over the configured scheme (an https site redirects plain http)."""
    if settings.SECURE:
        return {"secure": True, "headers": {"X-Forwarded-Proto": "https"}}
    return {}


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def measure(scenario: Scenario, *, repeat: int, only: Callable[[Page], bool] | None = None,
            progress: Callable[[str], None] | None = None) -> list[PageResult]:
    """Measure every page (the floor first) `repeat` times; sessions are removed afterwards."""
    todo = [p for p in pages(scenario) if only is None or p.name == FLOOR or only(p)]
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(BENCH_FLOOR=True, ROOT_URLCONF=FLOOR_URLCONF, ALLOWED_HOSTS=hosts):
        keys = sessions_for(scenario)
        try:
            clients = {}
            for role, key in keys.items():
                clients[role] = Client()
                clients[role].cookies[settings.SESSION_COOKIE_NAME] = key
            return _run(todo, clients, repeat, progress)
        finally:
            end_sessions(keys.values())


def _run(todo: list[Page], clients: dict[str, Client], repeat: int,
         progress: Callable[[str], None] | None) -> list[PageResult]:
    results = [PageResult(page) for page in todo]
    counter = _QueryCounter()
    extra = _headers()
    with connection.execute_wrapper(counter):
        for result in results:  # warm up, and check that the real page answers
            response = clients[result.page.role].get(result.page.path, **extra)
            body = _body(response)
            if response.status_code != 200:
                result.problems.append(f"status {response.status_code}"
                                       + (f" to {response['Location']}" if response.has_header("Location") else ""))
            elif result.page.marker and result.page.marker not in body:
                result.problems.append(f"the answer lacks {result.page.marker.decode()!r}")
        for round_ in range(repeat):
            for result in results:
                client = clients[result.page.role]
                counter.count, counter.seconds = 0, 0.0
                cpu = time.thread_time()
                started = time.perf_counter()
                response = client.get(result.page.path, **extra)
                _body(response)
                elapsed = time.perf_counter() - started
                result.cpu_times.append(time.thread_time() - cpu)
                result.times.append(elapsed)
                result.queries.append(counter.count)
                result.sql_times.append(counter.seconds)
                result.statuses.append(response.status_code)
            if progress is not None and (round_ + 1) % max(1, repeat // 10) == 0:
                progress(f"  round {round_ + 1} of {repeat}")
    return results


# --- the report ---------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def table(results: list[PageResult], *, header: str) -> str:
    floor = next(r for r in results if r.page.name == FLOOR)
    lines = [header, ""]
    title = (f"{'page':<44} {'median ms':>9} {'p95 ms':>8} {'queries':>8} {'SQL ms':>7} {'CPU ms':>7} "
             f"{'×floor':>7}  status")
    lines += [title, "-" * len(title)]
    for r in results:
        queries = str(r.query_count) if len(r.query_counts) == 1 else "/".join(map(str, r.query_counts))
        ratio = r.median / floor.median if floor.median else float("nan")
        statuses = ",".join(str(s) for s in sorted(set(r.statuses))) or "-"
        flag = "" if r.ok else "  ← " + "; ".join(r.problems or ["not 200"])
        if r.ok and r.p95 > 0.1:
            flag = "  ← p95 above 100 ms"
        lines.append(f"{r.page.key:<44} {_ms(r.median):>9} {_ms(r.p95):>8} {queries:>8} "
                     f"{_ms(r.sql_median):>7} {_ms(r.cpu_median):>7} {ratio:>7.1f}  {statuses}{flag}")
    lines.append("")
    lines.append("median and p95: the whole request in-process; SQL ms: median time in the database driver; "
                 "CPU ms: median CPU time of this process (the part that does not wait for the database or "
                 "for other processes on a busy machine); ×floor: median / the floor's median")
    return "\n".join(lines)


def as_json(results: list[PageResult], *, meta: dict[str, Any]) -> dict[str, Any]:
    floor = next(r for r in results if r.page.name == FLOOR)
    return {
        **meta,
        "floor_median_ms": floor.median * 1000,
        "pages": [{
            "role": r.page.role, "page": r.page.name, "path": r.page.path,
            "median_ms": round(r.median * 1000, 3), "p95_ms": round(r.p95 * 1000, 3),
            "min_ms": round(min(r.times) * 1000, 3), "max_ms": round(max(r.times) * 1000, 3),
            "queries": r.query_count, "query_counts": r.query_counts,
            "sql_median_ms": round(r.sql_median * 1000, 3), "cpu_median_ms": round(r.cpu_median * 1000, 3),
            "ratio_to_floor": round(r.median / floor.median, 2) if floor.median else None,
            "statuses": sorted(set(r.statuses)), "problems": r.problems,
        } for r in results],
    }
