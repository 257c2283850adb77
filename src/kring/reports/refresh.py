"""Keeping the dashboard summaries current (the tables in `models.py` from `CaseMonth` on).

What is summed, and by what:

- `CaseMonth`: every count behind the case figures (requests, lead-time buckets, circle, evaluation,
  outcomes) per region, municipality and month of the request; plus a row per region and month;
- `OfferMonth` + `OfferGap`: the offer register per region and month (per moment, organisation or
  municipality) and the repeated offers to one family, so "families" stays a count of cases;
- `CoordinatorHeld` → `WorkloadHeld`, `WorkloadNow`: the coordinators' workload per group of regions.

How they stay current: signal handlers (`connect_signals`, from `ReportsConfig.ready`) write a
`FigureMark` in the same transaction as every save or delete of a case, a circle member, an
evaluation, an outcome, an offer or a coordinator profile. `refresh()` (run by `kring worker` every
minute, see `run_loop`) reads the marks, recomputes only the months (and coordinator days) they
name, and deletes exactly the marks it read. Time alone changes one figure: "evaluation within 3
months" counts plans accepted at least 3 months ago; each `CaseMonth` keeps the moment its next plan
crosses that line (`eval_next`), and the refresher recomputes such months when it has passed.

`refresh_all()` rebuilds everything (after a bulk load that bypassed the signals, or by
`kring manage refresh_figures --full`).

The same functions that fill the tables (`compute_case_cells`, `compute_offer_cells`) compute the
part of a month that a period cuts off at its start or end (`summary.py`), so both agree by
construction; `figures.RAW` is the independent reference the tests compare with.
"""

from __future__ import annotations

import logging
import threading
import time as time_module
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import (
    Count,
    DateField,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from kring.accounts.models import CoordinatorProfile
from kring.cases.models import ACTIVE_STATES, Case
from kring.followup.models import Evaluation, Outcome
from kring.network.models import CircleMember, MemberRole

from .figures import (
    CAME,
    EVALUATION_WINDOW,
    OUTCOME_MONTHS,
    circle_per_case,
    evaluation_in_time,
    lead_aggregates,
    month_end,
    offer_aggregates,
    outcome_aggregates,
    with_lead_seconds,
)
from .models import (
    CASE_MONTH_MEASURES,
    CaseMonth,
    CoordinatorHeld,
    FigureMark,
    FigureState,
    Offer,
    OfferGap,
    OfferMonth,
    WorkloadHeld,
    WorkloadNow,
)

logger = logging.getLogger(__name__)

#: Marks read per round; a longer queue is worked off in several rounds.
MAX_MARKS = 20_000
CHUNK = 500
#: How long a refresher may hold the lease: a killed worker blocks the next one this long at most.
#: A full rebuild of a national data set takes minutes, so it takes a longer lease.
LEASE = timedelta(minutes=10)
LEASE_FULL = timedelta(hours=3)
OUTCOME_FIELDS = ("n", "running", "partly", "home", "less_help", "fam_n", "fam_sum", "prof_n", "prof_sum")
OFFER_KINDS = ("moment", "organisation", "municipality")


def interval_seconds() -> float:
    return float(getattr(settings, "KRING_FIGURES_REFRESH_SECONDS", 60))


# --- local calendar ------------------------------------------------------------------------


def local_month(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _runs(months: Iterable[date]) -> list[list[date]]:
    """Sorted months in runs of consecutive months."""
    runs: list[list[date]] = []
    for month in sorted(set(months)):
        if runs and month_end(runs[-1][-1]) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs


# --- computing the summaries from the case tables ----------------------------------------------


CellKey = tuple[int, int, date]  # region, municipality, month


def compute_case_cells(where: Q, cutoff: datetime) -> dict[CellKey, dict[str, Any]]:
    """Every `CaseMonth` count per (region, municipality, month of the request) of the cases that
    match `where`. `cutoff`: plans accepted up to then count for the evaluation figure."""
    cases = Case.objects.filter(where)
    month = TruncMonth("submitted_at", output_field=DateField())
    accepted = Q(plan_accepted_at__lte=cutoff)
    rows = (with_lead_seconds(cases).values("region_id", "municipality_id", m=month).order_by().annotate(
        requests=Count("id"), held=Count("id", filter=Q(held_at__isnull=False)),
        plans=Count("id", filter=Q(plan_accepted_at__isnull=False)),
        first_at=Min("submitted_at"), last_at=Max("submitted_at"),
        eval_n=Count("id", filter=accepted), eval_held=Count("id", filter=accepted & Q(Exists(evaluation_in_time()))),
        eval_next=Min("plan_accepted_at", filter=Q(plan_accepted_at__gt=cutoff)),
        **lead_aggregates("_")))
    cells: dict[CellKey, dict[str, Any]] = {}
    for r in rows:
        cell = dict.fromkeys(CASE_MONTH_MEASURES, 0)
        cell.update(r)
        cells[(cell.pop("region_id"), cell.pop("municipality_id"), cell.pop("m"))] = cell

    members = (CircleMember.objects.filter(case__in=cases.filter(held_at__isnull=False), role=MemberRole.NETWORK,
                                           status__in=CAME)
               .values("case", "case__region_id", "case__municipality_id",
                       m=TruncMonth("case__submitted_at", output_field=DateField())).order_by())
    for r in circle_per_case(members).iterator(chunk_size=5000):
        cell = cells[(r["case__region_id"], r["case__municipality_id"], r["m"])]
        size = r["size"]
        cell["circle_total"] += size
        if size >= 15:
            cell["circle_s15"] += 1
        elif size >= 10:
            cell["circle_s10"] += 1
        elif size >= 5:
            cell["circle_s5"] += 1
        cell["circle_both"] += r["mother"] > 0 and r["father"] > 0
        cell["circle_outside"] += r["outside"] > 0

    outcomes = (Outcome.objects.filter(case__in=cases, recorded_at__isnull=False, months__in=OUTCOME_MONTHS)
                .values("case__region_id", "case__municipality_id", "months",
                        m=TruncMonth("case__submitted_at", output_field=DateField()))
                .order_by().annotate(**outcome_aggregates(with_sums=True)))
    for r in outcomes:
        cell = cells[(r["case__region_id"], r["case__municipality_id"], r["m"])]
        for name in OUTCOME_FIELDS:
            cell[f"o{r['months']}_{name}"] = r[name] or 0
    return cells


def _rollup(cells: dict[CellKey, dict[str, Any]], measures: list[str], extremes: dict[str, Any]):
    """Sum cells per (region, month): the rows for a whole region."""
    totals: dict[tuple[int, date], dict[str, Any]] = {}
    for (region, _municipality, month), cell in cells.items():
        total = totals.get((region, month))
        if total is None:
            totals[(region, month)] = dict(cell)
            continue
        for name in measures:
            total[name] += cell[name]
        for name, pick in extremes.items():
            values = [v for v in (total[name], cell[name]) if v is not None]
            total[name] = pick(values) if values else None
    return totals


def case_month_rows(cells: dict[CellKey, dict[str, Any]], now: datetime) -> list[CaseMonth]:
    rows = [CaseMonth(region_id=region, municipality_id=municipality, month=month, computed_at=now, **cell)
            for (region, municipality, month), cell in cells.items()]
    rollup = _rollup(cells, CASE_MONTH_MEASURES, {"first_at": min, "last_at": max, "eval_next": min})
    rows += [CaseMonth(region_id=region, municipality_id=None, month=month, computed_at=now, **cell)
             for (region, month), cell in rollup.items()]
    return rows


OfferKey = tuple[str, int, int | None, str, date]  # kind, region, municipality, value, month


def compute_offer_cells(where: Q) -> dict[OfferKey, dict[str, Any]]:
    """`OfferMonth` counts of the offers that match `where`: per moment and per organisation (for the
    region), and per municipality."""
    offers = Offer.objects.filter(where)
    month = TruncMonth("offered_on", output_field=DateField())
    aggregates = dict(**offer_aggregates(), n_plan=Count("id", filter=Q(case__plan_accepted_at__isnull=False)),
                      first_on=Min("offered_on"), last_on=Max("offered_on"))
    cells: dict[OfferKey, dict[str, Any]] = {}
    for kind in ("moment", "organisation"):
        for r in offers.values("region_id", kind, m=month).order_by().annotate(**aggregates):
            cells[(kind, r.pop("region_id"), None, r.pop(kind), r.pop("m"))] = r
    for r in offers.values("region_id", "municipality_id", m=month).order_by().annotate(**aggregates):
        cells[("municipality", r.pop("region_id"), r.pop("municipality_id"), "", r.pop("m"))] = r
    return cells


def offer_month_rows(cells: dict[OfferKey, dict[str, Any]], now: datetime) -> list[OfferMonth]:
    return [OfferMonth(kind=kind, region_id=region, municipality_id=municipality, value=value, month=month,
                       computed_at=now, **cell)
            for (kind, region, municipality, value, month), cell in cells.items()]


def compute_gaps(case_ids: Iterable[int]) -> list[OfferGap]:
    """The gaps between the offers in a row to each of these cases, per moment, organisation and municipality."""
    rows = (Offer.objects.filter(case_id__in=list(case_ids)).order_by("case_id", "offered_on", "id")
            .values_list("case_id", "region_id", "municipality_id", "offered_on", "moment", "organisation",
                         "case__plan_accepted_at"))
    gaps = []
    for case_id, offers in groupby(rows, key=lambda r: r[0]):
        offers = list(offers)
        plan = offers[0][6] is not None
        for kind, index in (("moment", 4), ("organisation", 5), ("municipality", 2)):
            last: dict[Any, tuple] = {}
            for offer in offers:
                value = offer[index]
                before = last.get(value)
                if before is not None:
                    gaps.append(OfferGap(
                        case_id=case_id, kind=kind, value="" if kind == "municipality" else value,
                        municipality_id=offer[2], from_region_id=before[1], to_region_id=offer[1],
                        from_on=before[3], to_on=offer[3], plan=plan))
                last[value] = offer
    return gaps


def coordinator_classes() -> dict[int, str]:
    """Each coordinator (user id) with a profile: the sorted ids of the regions they serve ("3,7")."""
    regions: dict[int, list[int]] = defaultdict(list)
    through = CoordinatorProfile.regions.through
    for profile_id, region_id in through.objects.values_list("coordinatorprofile_id", "region_id"):
        regions[profile_id].append(region_id)
    return {user_id: ",".join(map(str, sorted(regions.get(pk, []))))
            for pk, user_id in CoordinatorProfile.objects.values_list("pk", "user_id")}


def compute_workload_now() -> list[WorkloadNow]:
    """Every group of regions: its coordinators, their places and their running cases (all regions)."""
    active = Subquery(
        Case.objects.filter(coordinator=OuterRef("user"), state__in=ACTIVE_STATES).order_by()
        .values("coordinator").annotate(c=Count("id")).values("c"), output_field=IntegerField())
    classes = coordinator_classes()
    groups: dict[str, WorkloadNow] = {}
    for user_id, is_active, max_cases, running in (CoordinatorProfile.objects.annotate(
            active_n=Coalesce(active, Value(0))).values_list("user_id", "active", "max_cases", "active_n")):
        key = classes.get(user_id, "")
        if not key:
            continue
        g = groups.setdefault(key, WorkloadNow(class_key=key))
        g.coordinators += 1
        g.available += is_active
        g.capacity += max_cases if is_active else 0
        g.running += running
        setattr(g, f"c{min(running, 4)}", getattr(g, f"c{min(running, 4)}") + 1)
        g.full += running >= max_cases
    return list(groups.values())


# --- applying changes ------------------------------------------------------------------------


@dataclass
class Units:
    """What one refresh recomputes."""

    case_months: set[tuple[int, date]] = field(default_factory=set)  # region, month
    offer_months: set[tuple[int, date]] = field(default_factory=set)
    gap_cases: set[int] = field(default_factory=set)
    held: set[tuple[int, date]] = field(default_factory=set)  # coordinator, day
    profiles: set[int | None] = field(default_factory=set)  # None: every coordinator
    marks: int = 0
    full: bool = False

    def __bool__(self) -> bool:
        return bool(self.case_months or self.offer_months or self.gap_cases or self.held or self.profiles)


def _by_region(units: set[tuple[int, date]]) -> dict[int, list[date]]:
    out: dict[int, list[date]] = defaultdict(list)
    for region, month in units:
        out[region].append(month)
    return out


def _month_ranges(units: set[tuple[int, date]], field: str, as_day: bool) -> tuple[Q, Q]:
    """(which rows of the source table, which summary rows): the months of `units`, per region in
    runs of consecutive months, so one query reads them all."""
    source, summary = Q(pk__in=[]), Q(pk__in=[])
    for region, months in _by_region(units).items():
        for run in _runs(months):
            start, end = run[0], month_end(run[-1])
            if as_day:
                start, end = day_start(start), day_start(end)
            source |= Q(region_id=region, **{f"{field}__gte": start, f"{field}__lt": end})
            summary |= Q(region_id=region, month__in=run)
    return source, summary


def refresh_case_months(units: set[tuple[int, date]], now: datetime) -> None:
    if not units:
        return
    where, rows_of = _month_ranges(units, "submitted_at", as_day=True)
    rows = case_month_rows(compute_case_cells(where, now - EVALUATION_WINDOW), now)
    with transaction.atomic():
        CaseMonth.objects.filter(rows_of).delete()
        CaseMonth.objects.bulk_create(rows, batch_size=500)


def refresh_offer_months(units: set[tuple[int, date]], now: datetime) -> None:
    if not units:
        return
    where, rows_of = _month_ranges(units, "offered_on", as_day=False)
    rows = offer_month_rows(compute_offer_cells(where), now)
    with transaction.atomic():
        OfferMonth.objects.filter(rows_of).delete()
        OfferMonth.objects.bulk_create(rows, batch_size=500)


def refresh_gaps(case_ids: Iterable[int]) -> None:
    for chunk in _chunks(case_ids):
        gaps = compute_gaps(chunk)
        with transaction.atomic():
            OfferGap.objects.filter(case_id__in=chunk).delete()
            OfferGap.objects.bulk_create(gaps, batch_size=500)


def refresh_held(held: set[tuple[int, date]], profiles: set[int | None]) -> None:
    """Conferences per coordinator and day, then per group of regions and day."""
    classes = coordinator_classes()
    touched: set[tuple[str, date]] = set()
    if None in profiles:  # every coordinator: regroup all rows
        profiles = set(CoordinatorHeld.objects.values_list("coordinator_id", flat=True).distinct())
    for coordinator in profiles:
        key = classes.get(coordinator, "")
        rows = CoordinatorHeld.objects.filter(coordinator_id=coordinator)
        for old, day in rows.exclude(class_key=key).values_list("class_key", "day"):
            touched |= {(old, day), (key, day)}
        rows.exclude(class_key=key).update(class_key=key)
    days_of: dict[int, set[date]] = defaultdict(set)
    for coordinator, day in held:
        days_of[coordinator].add(day)
    for coordinator, days in days_of.items():
        counts = _held_per_day(coordinator, min(days), max(days))
        key = classes.get(coordinator, "")
        with transaction.atomic():
            CoordinatorHeld.objects.filter(coordinator_id=coordinator, day__in=days).delete()
            CoordinatorHeld.objects.bulk_create([
                CoordinatorHeld(coordinator_id=coordinator, day=day, held=counts[day], class_key=key)
                for day in days if counts.get(day)])
        touched |= {(key, day) for day in days}
    refresh_workload_held(touched)


def _held_per_day(coordinator: int, first: date, last: date) -> dict[date, int]:
    rows = (Case.objects.filter(coordinator_id=coordinator, held_at__gte=day_start(first),
                                held_at__lt=day_start(last + timedelta(days=1)))
            .values(d=TruncDate("held_at")).order_by().annotate(n=Count("id")))
    return {r["d"]: r["n"] for r in rows}


def refresh_workload_held(touched: set[tuple[str, date]]) -> None:
    days_of: dict[str, set[date]] = defaultdict(set)
    for key, day in touched:
        if key:
            days_of[key].add(day)
    for key, days in days_of.items():
        for chunk in _chunks(sorted(days)):
            sums = (CoordinatorHeld.objects.filter(class_key=key, day__in=chunk).values("day").order_by()
                    .annotate(s=Sum("held")))
            with transaction.atomic():
                WorkloadHeld.objects.filter(class_key=key, day__in=chunk).delete()
                WorkloadHeld.objects.bulk_create([WorkloadHeld(class_key=key, day=r["day"], held=r["s"])
                                                  for r in sums if r["s"]])


def refresh_workload_now() -> None:
    rows = compute_workload_now()
    with transaction.atomic():
        WorkloadNow.objects.all().delete()
        WorkloadNow.objects.bulk_create(rows)


def apply(units: Units, now: datetime) -> None:
    refresh_case_months(units.case_months, now)
    refresh_offer_months(units.offer_months, now)
    refresh_gaps(units.gap_cases)
    refresh_held(units.held, units.profiles)
    refresh_workload_now()


# --- the refresh -----------------------------------------------------------------------------


def _take_lease(duration: timedelta) -> bool:
    FigureState.objects.get_or_create(pk=1)
    clock = timezone.now()
    return bool(FigureState.objects.filter(pk=1).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=clock))
                .update(lease_until=clock + duration))


def _release_lease(**fields: Any) -> None:
    FigureState.objects.filter(pk=1).update(lease_until=None, **fields)


def resolve(marks: list[dict[str, Any]], now: datetime) -> Units:
    """Turn marks into the months and days to recompute; add months whose evaluation figure moved on."""
    units = Units(marks=len(marks))
    case_ids = set()
    for m in marks:
        kind = m["kind"]
        if kind == FigureMark.CASE:
            case_ids.add(m["case_id"])
        elif kind == FigureMark.CASES:
            units.case_months.add((m["region_id"], m["month"]))
        elif kind == FigureMark.OFFERS:
            units.offer_months.add((m["region_id"], m["month"]))
        elif kind == FigureMark.HELD:
            units.held.add((m["coordinator_id"], m["day"]))
        elif kind == FigureMark.PROFILE:
            units.profiles.add(m["coordinator_id"])
    for chunk in _chunks(case_ids):
        for region, submitted, coordinator, held in Case.objects.filter(pk__in=chunk).values_list(
                "region_id", "submitted_at", "coordinator_id", "held_at"):
            units.case_months.add((region, local_month(submitted)))
            if coordinator is not None and held is not None:
                units.held.add((coordinator, local_day(held)))
        for region, offered_on in Offer.objects.filter(case_id__in=chunk).values_list("region_id", "offered_on"):
            units.offer_months.add((region, offered_on.replace(day=1)))
    units.gap_cases = case_ids
    units.case_months |= set(CaseMonth.objects.filter(
        municipality__isnull=True, eval_next__lte=now - EVALUATION_WINDOW).values_list("region_id", "month"))
    return units


def refresh(*, now: datetime | None = None, full: bool = False, wait: float = 0) -> Units | None:
    """Bring the summaries up to date; None when another refresher held the lease for `wait` seconds.

    `now` is the moment the figures are about (the evaluation figure counts plans accepted at least
    3 months before it); tests pass a fixed one.
    """
    deadline = time_module.monotonic() + wait
    while not _take_lease(LEASE_FULL if full else LEASE):
        if time_module.monotonic() >= deadline:
            return None
        time_module.sleep(1)
    now = now or timezone.now()
    done: dict[str, Any] = {}
    try:
        if full:
            units = _refresh_full(now)
            done = {"refreshed_at": now, "full_at": now, "version": uuid.uuid4().hex}
        else:
            marks = list(FigureMark.objects.order_by("id").values(
                "id", "kind", "case_id", "region_id", "month", "coordinator_id", "day")[:MAX_MARKS])
            units = resolve(marks, now)
            if units:
                apply(units, now)
                done["version"] = uuid.uuid4().hex
            for chunk in _chunks([m["id"] for m in marks], 1000):
                FigureMark.objects.filter(pk__in=chunk).delete()
            if len(marks) < MAX_MARKS:
                done["refreshed_at"] = now
    finally:
        _release_lease(**done)
    return units


def _refresh_full(now: datetime) -> Units:
    last_mark = FigureMark.objects.aggregate(m=Max("id"))["m"]
    cutoff = now - EVALUATION_WINDOW
    case_rows = case_month_rows(compute_case_cells(Q(), cutoff), now)
    offer_rows = offer_month_rows(compute_offer_cells(Q()), now)
    with transaction.atomic():
        CaseMonth.objects.all().delete()
        CaseMonth.objects.bulk_create(case_rows, batch_size=1000)
        OfferMonth.objects.all().delete()
        OfferMonth.objects.bulk_create(offer_rows, batch_size=1000)
    units = Units(full=True, case_months={(r.region_id, r.month) for r in case_rows},
                  offer_months={(r.region_id, r.month) for r in offer_rows})
    repeated = (Offer.objects.values("case_id").order_by().annotate(n=Count("id")).filter(n__gte=2)
                .values_list("case_id", flat=True))
    OfferGap.objects.all().delete()
    for chunk in _chunks(repeated, 2000):
        OfferGap.objects.bulk_create(compute_gaps(chunk), batch_size=1000)
    _rebuild_held()
    refresh_workload_now()
    if last_mark is not None:
        FigureMark.objects.filter(pk__lte=last_mark).delete()
    return units


def _insert_select(model, columns: list[str], queryset) -> None:
    """INSERT INTO model (columns) SELECT … in the database: no rows through Python."""
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM ({sql}) AS sub", params)  # noqa: S608


def _rebuild_held() -> None:
    """Conferences per coordinator and day straight from the cases, then per group of regions."""
    with transaction.atomic():
        CoordinatorHeld.objects.all().delete()
        _insert_select(CoordinatorHeld, ["coordinator_id", "day", "held", "class_key"], (
            Case.objects.filter(held_at__isnull=False, coordinator__isnull=False)
            .values("coordinator_id", day=TruncDate("held_at")).order_by()
            .annotate(held=Count("id"), class_key=Value(""))))
        by_key: dict[str, list[int]] = defaultdict(list)
        for coordinator, key in coordinator_classes().items():
            if key:
                by_key[key].append(coordinator)
        for key, coordinators in by_key.items():
            for chunk in _chunks(coordinators):
                CoordinatorHeld.objects.filter(coordinator_id__in=chunk).update(class_key=key)
        WorkloadHeld.objects.all().delete()
        _insert_select(WorkloadHeld, ["class_key", "day", "held"], (
            CoordinatorHeld.objects.exclude(class_key="").values("class_key", "day").order_by()
            .annotate(held=Sum("held"))))


def refresh_all(*, now: datetime | None = None, wait: float = 3600) -> Units | None:
    """Rebuild every summary from the case tables. Call it after loading data in bulk
    (`bulk_create`, `update` and COPY send no signals, so they leave no marks). Waits for a
    refresh that is running (the worker's) to finish first."""
    return refresh(now=now, full=True, wait=wait)


def state() -> tuple[str, datetime | None]:
    """(version, refreshed_at) of the summaries; ("", None) before the first refresh."""
    return FigureState.objects.filter(pk=1).values_list("version", "refreshed_at").first() or ("", None)


# --- the worker loop -------------------------------------------------------------------------


def run_loop(stop: threading.Event, *, interval: float | None = None) -> None:
    """Refresh every `interval` seconds until `stop` is set; a long queue is worked off without waiting."""
    interval = interval_seconds() if interval is None else interval
    logger.info("figures loop started (every %ss)", interval)
    while not stop.is_set():
        close_old_connections()
        more = False
        try:
            units = refresh()
            if units is not None and units.marks:
                logger.info("figures: %s marks, %s case months, %s offer months recomputed", units.marks,
                            len(units.case_months), len(units.offer_months))
                more = units.marks >= MAX_MARKS
        except Exception:  # a locked SQLite file, a lost connection: try again next round
            logger.exception("figures loop: round failed; trying again")
        finally:
            close_old_connections()
        if not more:
            stop.wait(interval)
    logger.info("figures loop stopped")


def start_in_thread(*, interval: float | None = None) -> tuple[threading.Thread, threading.Event]:
    """Run `run_loop` in a daemon thread (for `kring worker`). Set the event and join to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=run_loop, args=(stop,), kwargs={"interval": interval},
                              name="kring-figures", daemon=True)
    thread.start()
    return thread, stop


# --- marks from signals ------------------------------------------------------------------------

CASE_PLACE = ("region_id", "submitted_at", "coordinator_id", "held_at")
CASE_WATCHED = frozenset({"region", "region_id", "submitted_at", "coordinator", "coordinator_id", "held_at"})
OFFER_WATCHED = frozenset({"region", "region_id", "offered_on"})


def _place_marks(place: dict[str, Any]) -> list[FigureMark]:
    marks = [FigureMark(kind=FigureMark.CASES, region_id=place["region_id"],
                        month=local_month(place["submitted_at"]))]
    if place["coordinator_id"] is not None and place["held_at"] is not None:
        marks.append(FigureMark(kind=FigureMark.HELD, coordinator_id=place["coordinator_id"],
                                day=local_day(place["held_at"])))
    return marks


def _before(model, instance, update_fields, watched: frozenset[str], columns: Iterable[str]) -> None:
    """Keep where a changed row was, so the refresher also recomputes the month it leaves."""
    if instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not watched & set(update_fields):
        return
    instance._figures_before = model.objects.filter(pk=instance.pk).values(*columns).first()


def _case_pre_save(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    if not raw:
        _before(Case, instance, update_fields, CASE_WATCHED, CASE_PLACE)


def _case_post_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    marks = [FigureMark(kind=FigureMark.CASE, case_id=instance.pk)]
    before = instance.__dict__.pop("_figures_before", None)
    if before is not None:
        marks += _place_marks(before)
    FigureMark.objects.bulk_create(marks)


def _case_post_delete(sender, instance, **kwargs) -> None:
    FigureMark.objects.bulk_create([FigureMark(kind=FigureMark.CASE, case_id=instance.pk),
                                    *_place_marks({c: getattr(instance, c) for c in CASE_PLACE})])


def _child_changed(sender, instance, raw=False, **kwargs) -> None:
    """A circle member, evaluation or outcome: its case's figures change."""
    if not raw:
        FigureMark.objects.create(kind=FigureMark.CASE, case_id=instance.case_id)


def _offer_pre_save(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    if not raw:
        _before(Offer, instance, update_fields, OFFER_WATCHED, ("region_id", "offered_on"))


def _offer_post_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    marks = [FigureMark(kind=FigureMark.CASE, case_id=instance.case_id)]
    before = instance.__dict__.pop("_figures_before", None)
    if before is not None:
        marks.append(FigureMark(kind=FigureMark.OFFERS, region_id=before["region_id"],
                                month=before["offered_on"].replace(day=1)))
    FigureMark.objects.bulk_create(marks)


def _offer_post_delete(sender, instance, **kwargs) -> None:
    FigureMark.objects.bulk_create([
        FigureMark(kind=FigureMark.CASE, case_id=instance.case_id),
        FigureMark(kind=FigureMark.OFFERS, region_id=instance.region_id, month=instance.offered_on.replace(day=1))])


def _profile_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        FigureMark.objects.create(kind=FigureMark.PROFILE, coordinator_id=instance.user_id)


def _profile_regions_changed(sender, instance, action, reverse, pk_set=None, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:
        users = [instance.user_id]
    elif pk_set:
        users = list(CoordinatorProfile.objects.filter(pk__in=pk_set).values_list("user_id", flat=True))
    else:
        users = [None]  # a region lost all its coordinators: regroup everyone
    FigureMark.objects.bulk_create([FigureMark(kind=FigureMark.PROFILE, coordinator_id=u) for u in users])


def connect_signals() -> None:
    uid = "kring.reports.figures"
    pre_save.connect(_case_pre_save, sender=Case, dispatch_uid=f"{uid}.case.pre")
    post_save.connect(_case_post_save, sender=Case, dispatch_uid=f"{uid}.case.post")
    post_delete.connect(_case_post_delete, sender=Case, dispatch_uid=f"{uid}.case.delete")
    for model in (CircleMember, Evaluation, Outcome):
        name = model._meta.label_lower
        post_save.connect(_child_changed, sender=model, dispatch_uid=f"{uid}.{name}.post")
        post_delete.connect(_child_changed, sender=model, dispatch_uid=f"{uid}.{name}.delete")
    pre_save.connect(_offer_pre_save, sender=Offer, dispatch_uid=f"{uid}.offer.pre")
    post_save.connect(_offer_post_save, sender=Offer, dispatch_uid=f"{uid}.offer.post")
    post_delete.connect(_offer_post_delete, sender=Offer, dispatch_uid=f"{uid}.offer.delete")
    post_save.connect(_profile_changed, sender=CoordinatorProfile, dispatch_uid=f"{uid}.profile.post")
    post_delete.connect(_profile_changed, sender=CoordinatorProfile, dispatch_uid=f"{uid}.profile.delete")
    m2m_changed.connect(_profile_regions_changed, sender=CoordinatorProfile.regions.through,
                        dispatch_uid=f"{uid}.profile.regions")
