"""`kring demo --scale N`: a national-size, made-up data set for benchmarks.

N cases, requested over the ten years up to today (a little more each year,
fewer at weekends), spread over the 14 regions by population, each walked
through its lifecycle with the delays of the small demo (`kring.core.demo`) and
stopped at today: old cases are closed, withdrawn, declined or cancelled; recent
ones are in every state. Cases are written as the services would have left them
(milestones, `state_changed_at`, `next_deadline_at`, locked information forms,
plan versions with statuses, the follow-up schedule of
`followup_schedule_create` as the reminder worker leaves it), without calling
the services: rows are generated as tuples and written in bulk (PostgreSQL
`COPY`, SQLite one `executemany` per table and chunk) with primary keys
allocated in ranges, then the PostgreSQL sequences are moved past them.

Sizes: 128 rows per case on average, about 28 kB on PostgreSQL with indexes
(100,000 cases: 12.8 million rows, 2.8 GB; so about 28 GB for 1,000,000).
Per case, measured on 100,000 (the run prints the counts of each table):

- persons 3.6 (1-2 parents, 1-5 children); professionals involved 1.25;
  timeline events 7.8; offers 0.5
- circle: 3-30 people (median 11, mean 11.7) for the cases that got to the
  preparation (about two thirds), the parents and children only for cases that
  got to the first contact, none before; 10 members per case overall; safety
  arrangements (0.17) where the legal frame asks for them
- preparation checklist: the 11 items from the preparation on (8.9)
- conference for 75% of the requests, with presences per part (15.9) and
  invitations (5.5)
- information form when a professional with an account is involved (0.41;
  1-2 versions, 1-4 safety conditions each)
- plan for 71%: 1-3 versions (1.2), 3-6 agreements each (5.1), copies (3.2),
  answers (1.8), condition tests (1.0), copies sent (2.0)
- follow-up of accepted plans: reminders (15.9) as `followup_schedule_create`
  makes them and as the worker leaves them, a check-in per sent link reminder
  (7.5; 55% answered, 8.8 answers), evaluations (0.39) that made a new
  version, outcomes at 3, 6 and 12 months (2.0)
- access log: 24 rows per case within the five years the log keeps (older
  rows would have been purged), 15.6 per case overall

States on 100,000 (today): closed 67%, withdrawn 12%, declined 10%,
cancelled 6%, and about 5,400 open cases (follow-up 4,300, the rest spread
over every other state, 40-270 each).

How it writes: chunks of 500 cases, each generated and written by one of
`workers` processes (default: one per core) in its own transaction, with its
own random stream and its own range of ids in every table (`cases.PER_CASE`
per case; gaps are harmless), so the result does not depend on which process
made which chunk. PostgreSQL gets binary `COPY` and, when the role may, the
load runs with `session_replication_role = replica` (the foreign-key triggers
are skipped; `core/tests/test_scale.py` checks every foreign key instead);
then the sequences are set past the ids (`setval`), the dashboards' summary
tables are rebuilt (`kring.reports.refresh.refresh_all`, the rows bypassed the
signals) and `VACUUM (ANALYZE)` runs. SQLite gets `executemany`, then `ANALYZE`.

It refuses a database that already holds cases unless `append` is given: the
data set is meant for a database of its own; made-up families must not mix
with real ones, and its access-log rows could not be deleted for five years.

Not generated: member change history (every member is at `version` 1),
reconvened circles, alerts, plans families make themselves, sign-in codes,
webhook deliveries, sessions.

Staff accounts: see `kring.core.scale.staff`. Deterministic for a seed and a
moment "now" (the same N, seed and now give the same rows).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import IO

from django.db import connection, transaction
from django.utils import timezone

from kring.cases.models import Case
from kring.regions.models import Municipality, Region

from . import writer
from .cases import Generator, tables
from .staff import create_staff

YEARS = 10
#: Requests per region, as a share of the country (roughly the population each region serves).
REGION_WEIGHTS = {
    "amsterdam": 1.5, "rotterdam": 1.3, "utrecht": 1.4, "zuid-holland": 2.4, "noord-holland": 1.5,
    "noord-brabant": 2.6, "gelderland": 2.1, "overijssel": 1.2, "limburg": 1.1, "groningen": 0.6,
    "friesland": 0.65, "drenthe": 0.5, "flevoland": 0.45, "zeeland": 0.39,
}
#: The number of requests grows over the ten years: this many times more in the last year than the first.
GROWTH = 1.9
CHUNK = 500


class CasesExist(Exception):
    """The database already holds cases and `append` was not given."""


@dataclass
class Result:
    cases: int
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    staff: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def submission_times(rng: random.Random, n: int, start: datetime, now: datetime) -> list[datetime]:
    """N moments over the period, more in later years, fewer at weekends, sorted."""
    span = (now - start).total_seconds()
    a, b = 1.0, GROWTH
    out = []
    while len(out) < n:
        u = rng.random()
        x = (-a + math.sqrt(a * a + (b - a) * u * (a + b))) / (b - a)  # inverse of a linearly rising density
        moment = start + timedelta(seconds=round(x * span))
        if moment.weekday() >= 5 and rng.random() < 0.6:
            continue
        out.append(min(moment, now - timedelta(minutes=5)))
    out.sort()
    return out


def default_workers() -> int:
    """Processes that generate and write chunks side by side: the cores, at most 4 (1 on one core)."""
    return max(1, min(4, os.cpu_count() or 1))


def generate(n: int, *, seed: int = 2026, append: bool = False, now: datetime | None = None,
             out: IO[str] | None = None, chunk: int = CHUNK, analyze: bool = True,
             workers: int | None = None, summaries: bool = True) -> Result:
    """Generate N cases with everything around them; returns the row counts and the time it took.

    `workers` processes (default: one per core) each generate a chunk and write it
    in its own transaction; 0 does everything in this process and transaction.
    The rows bypass the model signals, so the dashboards' summary tables are
    rebuilt at the end (`summaries`).
    """
    began = time.monotonic()
    write: Callable[[str], object] = out.write if out is not None else (lambda _s: None)
    if not append and Case.objects.exists():
        raise CasesExist(
            f"This database already holds {Case.objects.count()} cases. The national data set is meant for "
            "an empty database of its own (made-up families must not mix with real ones, and its access-log "
            "rows cannot be deleted for five years). Use --append to add to it anyway.")
    now = (now or timezone.now()).replace(microsecond=0)
    start = now - timedelta(days=round(365.25 * YEARS))
    rng = random.Random(seed)  # noqa: S311 - made-up data, not security
    regions = {r.code: r.pk for r in Region.objects.all()}
    codes = [c for c in REGION_WEIGHTS if c in regions] + sorted(set(regions) - set(REGION_WEIGHTS))
    weights = [REGION_WEIGHTS.get(c, 1.0) for c in codes]
    moments = submission_times(rng, n, start, now)
    region_of = rng.choices(codes, weights=weights, k=n)
    per_region = {c: 0 for c in codes}
    for code in region_of:
        per_region[code] += 1
    municipalities: dict[str, list[tuple[int, str, int]]] = {}
    for pk, name, region_id, code in (Municipality.objects.filter(note="").order_by("name")
                                      .values_list("pk", "name", "region_id", "region__code")):
        municipalities.setdefault(code, []).append((pk, name, region_id))

    write(f"Generating {n:,} cases over {YEARS} years ({start:%Y-%m} .. {now:%Y-%m}), seed {seed}, "
          f"on {connection.vendor} ({connection.settings_dict['NAME']}).\n")
    with transaction.atomic():
        staff = create_staff(rng, per_region, start=start, now=now)
    write(f"  staff: {staff.created:,} accounts ({sum(len(v) for v in staff.coordinators.values()):,} coordinators, "
          f"{sum(len(v) for v in staff.managers.values())} regional managers, "
          f"{sum(len(v) for v in staff.professionals.values()):,} professionals, {len(staff.policy)} policy)\n")

    table_map = tables()
    ordered = list(table_map.values())
    base_ids = writer.Ids(ordered).next
    generator = Generator(seed=seed, now=now, start=start, staff=staff, tables=table_map, base_ids=base_ids,
                          municipalities=municipalities, regions=regions)
    chunks = [(index, first, min(first + chunk, n)) for index, first in enumerate(range(0, n, chunk))]
    skip_triggers = writer.may_skip_triggers()
    if workers is None:
        workers = default_workers()
    if connection.in_atomic_block:
        workers = 0  # inside a transaction (tests): other processes would not see the accounts
    global _JOB
    _JOB = _Job(generator, ordered, moments, region_of, chunk, skip_triggers)
    loaded = time.monotonic()
    last_report = loaded
    rows = 0
    done = 0
    counts = {t.name: 0 for t in ordered}
    try:
        if workers:
            from django.db import connections

            connections.close_all()  # each process opens its own connection
            context = multiprocessing.get_context("fork")
            with context.Pool(workers, initializer=_worker_start) as pool:
                results = pool.imap_unordered(_make_chunk, chunks)
                for cases_done, written in results:
                    done, rows, last_report = _progress(write, out, n, done + cases_done, rows, written, counts,
                                                        loaded, last_report)
        else:
            if skip_triggers:
                writer.set_replication_role("replica")
            try:
                for spec in chunks:
                    cases_done, written = _make_chunk(spec)
                    done, rows, last_report = _progress(write, out, n, done + cases_done, rows, written, counts,
                                                        loaded, last_report)
            finally:
                if skip_triggers:
                    writer.set_replication_role("origin")
    finally:
        _JOB = None
    writer.reset_sequences(ordered)
    _fees(start)
    result = Result(cases=n, seconds=0.0, rows=counts, staff=staff.created)
    generated = time.monotonic() - loaded
    write(f"\nRows per table ({result.total_rows:,} in {_clock(generated)}, "
          f"{result.total_rows / max(generated, 1e-9):,.0f} rows/s; {result.total_rows / max(n, 1):.1f} per case):\n")
    for name, count in sorted(result.rows.items(), key=lambda kv: -kv[1]):
        write(f"  {name:<42}{count:>14,}{count / max(n, 1):>9.2f} per case\n")
    if summaries:
        refreshed = refresh_summaries()
        if refreshed is not None:
            write(f"\nDashboard summaries (kring.reports.refresh.refresh_all): {_clock(refreshed)}\n")
    if analyze:
        clock = time.monotonic()
        writer.analyze()
        write(f"\nPlanner statistics ({'VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE'}): "
              f"{_clock(time.monotonic() - clock)}\n")
    result.seconds = time.monotonic() - began
    write(f"Done: {n:,} cases and {staff.created:,} accounts in {_clock(result.seconds)}.\n")
    return result


@dataclass
class _Job:
    """What the worker processes need (inherited through fork, never pickled)."""

    generator: Generator
    ordered: list
    moments: list[datetime]
    region_of: list[str]
    chunk: int
    skip_triggers: bool


_JOB: _Job | None = None


def _worker_start() -> None:
    if _JOB is not None and _JOB.skip_triggers:
        writer.set_replication_role("replica")


def _make_chunk(spec: tuple[int, int, int]) -> tuple[int, dict[str, int]]:
    """Generate and write one chunk in one transaction; returns (cases, rows per table)."""
    index, first, last = spec
    job = _JOB
    batch = list(zip(job.moments[first:last], job.region_of[first:last], strict=True))
    job.generator.chunk(index, batch, job.chunk)  # outside the transaction: SQLite locks for writing at its start
    counts = {t.name: len(t.rows) for t in job.ordered}
    with transaction.atomic():
        writer.write(job.ordered)
    return len(batch), counts


def _progress(write, out, n: int, done: int, rows: int, written: dict[str, int], counts: dict[str, int],
              loaded: float, last_report: float) -> tuple[int, int, float]:
    for name, count in written.items():
        counts[name] += count
    rows += sum(written.values())
    clock = time.monotonic()
    if clock - last_report >= 10 or done == n:
        last_report = clock
        elapsed = max(clock - loaded, 1e-9)
        eta = elapsed / done * (n - done)
        write(f"  {done:>10,} cases  {rows:>13,} rows  {rows / elapsed:>9,.0f} rows/s  "
              f"{done / elapsed:>7,.0f} cases/s  {_clock(elapsed)} elapsed, {_clock(eta)} to go\n")
        if out is not None:
            out.flush()
    return done, rows, last_report


def refresh_summaries() -> float | None:
    """Rebuild the dashboards' summary tables, when the reports app has them; the seconds it took."""
    try:
        from kring.reports.refresh import refresh_all
    except ImportError:
        return None
    clock = time.monotonic()
    refresh_all()
    return time.monotonic() - clock


def _fees(start: datetime) -> None:
    """A coordinator fee per region from the start of the period, when there is none yet."""
    from kring.reports.models import CoordinatorFee

    have = set(CoordinatorFee.objects.values_list("region_id", flat=True))
    CoordinatorFee.objects.bulk_create([
        CoordinatorFee(region=region, amount=Decimal("550.00"), valid_from=start.date().replace(day=1))
        for region in Region.objects.exclude(pk__in=have)])


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
