"""The dashboard figures read from the summary tables (`SUMMARY`), with the same meaning as `figures.RAW`.

A period is whole months plus, at most, a cut-off first and last month. Inner months come
summed from `CaseMonth`/`OfferMonth` (a few hundred rows for the whole country). A first or last
month counts whole when every request (offer) of that month in scope lies inside the period —
always so for the default period, which starts on the 1st and ends today; otherwise that part of
the month is computed from the case tables with the refresher's own functions (one month at most).

Small cells are hidden by the table builders in `figures.py`, after summing: the summaries hold
plain counts and never decide what is shown.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Max, Min, Q, Sum, Value, When
from django.utils import timezone, translation

from kring.regions.models import Municipality, Region

from .figures import EVALUATION_WINDOW, OUTCOME_MONTHS, RAW, Scope, _months, lead_keys, month_end
from .models import (
    CASE_MONTH_MEASURES,
    OFFER_MONTH_MEASURES,
    CaseMonth,
    OfferGap,
    OfferMonth,
    WorkloadHeld,
    WorkloadNow,
)
from .refresh import compute_case_cells, compute_offer_cells, day_start

GROUPED_MEASURES = ["requests", "held", "plans", "lead_contact_norm"]
WORKLOAD_FIELDS = ("coordinators", "available", "capacity", "running", "c0", "c1", "c2", "c3", "c4", "full")


def _region_ids(scope: Scope) -> list[int]:
    if "region_ids" not in scope.cache:
        scope.cache["region_ids"] = list(scope.regions.values_list("pk", flat=True))
    return scope.cache["region_ids"]


def _part(first: date, last: date) -> When_:
    """1 for the first month of the period, 2 for the last, 0 for the months between."""
    return When_(When(month=first, then=Value(1)), When(month=last, then=Value(2)), default=Value(0),
                 output_field=IntegerField())


def _sum_rows(rows, group: str | None, measures: list[str], cut: dict[int, list[tuple[Any, dict]]]):
    """Sum summary rows per group label, replacing the rows of a cut first/last month (`part`) by
    the cells computed for the part of it inside the period. Keeps the database's order of labels."""
    totals: dict[Any, dict[str, int]] = {}
    seen: set[Any] = set()
    for r in rows:
        label = r[group] if group else None
        total = totals.setdefault(label, dict.fromkeys(measures, 0))
        if r.get("part") in cut:
            continue
        seen.add(label)
        for name in measures:
            total[name] += r[name] or 0
    for cells in cut.values():
        for label, cell in cells:
            total = totals.setdefault(label, dict.fromkeys(measures, 0))
            seen.add(label)
            for name in measures:
                total[name] += cell[name]
    return {label: total for label, total in totals.items() if label in seen}


def _cut_parts(scope: Scope, qs, lo: str, hi: str, inside: Callable[[Any, Any], bool]) -> dict[int, date]:
    """The first (1) and last (2) month of the period when the period cuts them: some request (offer)
    of that month in scope lies outside it. Usually none: periods start on the 1st and end today."""
    months = _months(scope.date_from, scope.date_to)
    parts = {months[-1]: 2, months[0]: 1}
    rows = qs.filter(month__in=list(parts)).values("month").order_by().annotate(lo=Min(lo), hi=Max(hi))
    return {parts[r["month"]]: r["month"] for r in rows if not inside(r["lo"], r["hi"])}


def _grouped_rows(qs, scope: Scope, group: str | None, measures: list[str], cut: dict[int, date]) -> list[dict]:
    """Sums per group label in the database's order; split by part only when a month is cut."""
    months = _months(scope.date_from, scope.date_to)
    part = {"part": _part(months[0], months[-1])} if cut else {}
    if group is None:
        # A few hundred rows (regions × months): summed here, which is quicker than having the
        # database sum some seventy columns (most of that time goes into building the query).
        return list(qs.values(*measures, **part))
    sums = {name: Sum(name) for name in measures}
    return list(qs.values(group, **part).order_by(group, *part).annotate(**sums))


class SummarySource:
    """Reads what `refresh.py` keeps; see the module docstring."""

    name = "summary"

    # --- the cases ---

    def _edge_cells(self, scope: Scope, month: date) -> dict:
        """The cells of the part of `month` inside the period, computed from the case tables."""
        key = ("case-edge", month)
        if key not in scope.cache:
            where = Q(region_id__in=_region_ids(scope), submitted_at__gte=max(scope.start, day_start(month)),
                      submitted_at__lt=min(scope.end, day_start(month_end(month))))
            if scope.municipality is not None:
                where &= Q(municipality=scope.municipality)
            scope.cache[key] = compute_case_cells(where, scope.now - EVALUATION_WINDOW)
        return scope.cache[key]

    def _case_months(self, scope: Scope, group: str | None = None):
        months = _months(scope.date_from, scope.date_to)
        qs = CaseMonth.objects.filter(region_id__in=_region_ids(scope), month__gte=months[0], month__lte=months[-1])
        if scope.municipality is not None:
            return qs.filter(municipality=scope.municipality)
        return qs.filter(municipality__isnull=group != "municipality__name")

    def _case_cut(self, scope: Scope) -> dict[int, date]:
        if "case-cut" not in scope.cache:
            scope.cache["case-cut"] = _cut_parts(scope, self._case_months(scope), "first_at", "last_at",
                                                 lambda lo, hi: scope.start <= lo and hi < scope.end)
        return scope.cache["case-cut"]

    def _cases(self, scope: Scope, group: str | None) -> dict[Any, dict[str, int]]:
        """Case counts per `group` (None, "month", "region__name" or "municipality__name")."""
        key = ("cases", group)
        if key in scope.cache:
            return scope.cache[key]
        measures = CASE_MONTH_MEASURES if group is None else (
            ["requests"] if group == "month" else GROUPED_MEASURES)
        cut = self._case_cut(scope)
        rows = _grouped_rows(self._case_months(scope, group), scope, group, measures, cut)
        cells = {part: [(self._label(scope, group, key), cell) for key, cell in self._edge_cells(scope, month).items()]
                 for part, month in cut.items()}
        scope.cache[key] = _sum_rows(rows, group, measures, cells)
        return scope.cache[key]

    def _label(self, scope: Scope, group: str | None, key: tuple) -> Any:
        region, municipality, month = key
        if group is None:
            return None
        if group == "month":
            return month
        if group == "region__name":
            return _name(scope, Region, region)
        return _name(scope, Municipality, municipality)

    def _totals(self, scope: Scope) -> dict[str, int]:
        return self._cases(scope, None).get(None) or dict.fromkeys(CASE_MONTH_MEASURES, 0)

    def months(self, scope: Scope) -> list[int]:
        counts = self._cases(scope, "month")
        return [counts.get(m, {}).get("requests", 0) for m in _months(scope.date_from, scope.date_to)]

    def funnel(self, scope: Scope) -> dict[str, int]:
        t = self._totals(scope)
        return {"requests": t["requests"], "conferences": t["held"], "plans": t["plans"]}

    def lead_times(self, scope: Scope) -> dict[str, int]:
        t = self._totals(scope)
        return {raw: t[flat] for raw, flat in zip(lead_keys("__"), lead_keys("_"), strict=True)}

    def circle(self, scope: Scope) -> dict[str, Any]:
        t = self._totals(scope)
        n = t["held"]
        big = {k: t[f"circle_{k}"] for k in ("s5", "s10", "s15")}
        return {"n": n, "total": t["circle_total"], "small": n - sum(big.values()), **big,
                "both": t["circle_both"], "outside": t["circle_outside"]}

    def evaluation(self, scope: Scope) -> dict[str, int]:
        t = self._totals(scope)
        return {"n": t["eval_n"], "held": t["eval_held"]}

    def outcomes(self, scope: Scope) -> dict[int, dict[str, Any]]:
        t = self._totals(scope)
        out = {}
        for months in OUTCOME_MONTHS:
            r = {name: t[f"o{months}_{name}"] for name in ("n", "running", "partly", "home", "less_help",
                                                            "fam_n", "prof_n")}
            if not r["n"]:
                continue
            fam_sum, prof_sum = t[f"o{months}_fam_sum"], t[f"o{months}_prof_sum"]
            r["fam"] = fam_sum / r["fam_n"] if r["fam_n"] else None
            r["prof"] = prof_sum / r["prof_n"] if r["prof_n"] else None
            out[months] = r
        return out

    def grouped(self, scope: Scope, key: str) -> list[dict[str, Any]]:
        return [{"label": label, "n": r["requests"], "conferences": r["held"], "plans": r["plans"],
                 "contact": r["lead_contact_norm"]} for label, r in self._cases(scope, key).items()]

    # --- the coordinators ---

    def workload(self, scope: Scope) -> dict[str, int]:
        regions = set(_region_ids(scope))
        f = dict.fromkeys(WORKLOAD_FIELDS, 0)
        keys = []
        for row in WorkloadNow.objects.all():
            if regions & {int(r) for r in row.class_key.split(",")}:
                keys.append(row.class_key)
                for name in WORKLOAD_FIELDS:
                    f[name] += getattr(row, name)
        f["held"] = WorkloadHeld.objects.filter(
            class_key__in=keys, day__gte=scope.date_from, day__lte=scope.date_to).aggregate(
            s=Sum("held"))["s"] or 0 if keys else 0
        return f

    # --- the offers ---

    def offers(self, scope: Scope, kind: str) -> list[tuple[Any, dict[str, int]]]:
        if scope.municipality is not None:
            # One municipality's offers are few: the summary per municipality and moment would be
            # larger than the offers themselves.
            return RAW.offers(scope, kind)
        ids = _region_ids(scope)
        months = _months(scope.date_from, scope.date_to)
        in_period = OfferMonth.objects.filter(region_id__in=ids, month__gte=months[0], month__lte=months[-1])
        if "offer-cut" not in scope.cache:
            scope.cache["offer-cut"] = _cut_parts(scope, in_period.filter(kind="municipality"), "first_on", "last_on",
                                                  lambda lo, hi: scope.date_from <= lo and hi <= scope.date_to)
        cut = scope.cache["offer-cut"]
        group = "municipality__name" if kind == "municipality" else "value"
        rows = _grouped_rows(in_period.filter(kind=kind), scope, group, OFFER_MONTH_MEASURES, cut)
        cells = {part: [(self._offer_label(scope, kind, key), cell)
                        for key, cell in self._offer_edge_cells(scope, month).items() if key[0] == kind]
                 for part, month in cut.items()}
        totals = _sum_rows(rows, group, OFFER_MONTH_MEASURES, cells)
        gaps = {r[group]: r for r in OfferGap.objects.filter(
            kind=kind, from_on__gte=scope.date_from, to_on__lte=scope.date_to, from_region_id__in=ids,
            to_region_id__in=ids).values(group).order_by().annotate(n=Count("id"), plan=Count("id", filter=Q(plan=True)))}
        out = []
        for label, t in totals.items():
            gap = gaps.get(label, {"n": 0, "plan": 0})
            out.append((label, {"n": t["n"], "yes": t["yes"], "not_required": t["not_required"],
                                "plan": t["n_plan"] - gap["plan"], "families": t["n"] - gap["n"]}))
        return out

    def _offer_edge_cells(self, scope: Scope, month: date) -> dict:
        """The offers of the part of `month` inside the period, counted from the offer table."""
        key = ("offer-edge", month)
        if key not in scope.cache:
            scope.cache[key] = compute_offer_cells(Q(
                region_id__in=_region_ids(scope), offered_on__gte=max(scope.date_from, month),
                offered_on__lte=min(scope.date_to, _last_day(month))))
        return scope.cache[key]

    def _offer_label(self, scope: Scope, kind: str, key: tuple) -> Any:
        _kind, _region, municipality, value, _month = key
        return _name(scope, Municipality, municipality) if kind == "municipality" else value


def _name(scope: Scope, model, pk: int) -> str:
    """The name of a region or municipality (all names read once per scope, only for cut-off months)."""
    names = scope.cache.setdefault(("names", model), {})
    if pk not in names:
        names.update(model.objects.values_list("pk", "name"))
    return names[pk]


def _last_day(month: date) -> date:
    return date.fromordinal(month_end(month).toordinal() - 1)


SUMMARY = SummarySource()


def _state(scope: Scope | None = None) -> tuple[str, datetime | None]:
    from .refresh import state

    if scope is None:
        return state()
    if "state" not in scope.cache:
        scope.cache["state"] = state()
    return scope.cache["state"]


def freshness(scope: Scope | None = None) -> datetime | None:
    """When the summaries were last brought up to date (None: never)."""
    value = _state(scope)[1]
    return timezone.localtime(value) if value else None


#: Computed dashboards of this process, under the summaries' version: a refresh that changes a
#: summary gives a new version, so an entry is never served after its figures changed.
_TABLES: OrderedDict[tuple, list] = OrderedDict()
_TABLES_LOCK = threading.Lock()
MAX_CACHED = 16


def cached_tables(kind: str, scope: Scope, build: Callable[[], list]) -> list:
    """The tables of a dashboard (`kind`) for this scope, computed once per version of the summaries.

    Figures come from the summaries, which change only when the worker refreshes them; the
    first request after that computes them again (see `bench_dashboards` for both timings)."""
    version = _state(scope)[0]
    if not version:
        return build()
    key = (version, kind, translation.get_language(), tuple(_region_ids(scope)),
           scope.municipality.pk if scope.municipality is not None else None, scope.date_from, scope.date_to)
    with _TABLES_LOCK:
        tables = _TABLES.get(key)
        if tables is not None:
            _TABLES.move_to_end(key)
            return list(tables)
    tables = build()
    with _TABLES_LOCK:
        _TABLES[key] = tables
        while len(_TABLES) > MAX_CACHED:
            _TABLES.popitem(last=False)
    return list(tables)


def forget_cached() -> None:
    """Drop this process's computed dashboards (the benchmark times the computing too)."""
    with _TABLES_LOCK:
        _TABLES.clear()
