"""Dashboard figures, computed in the database and hidden when they rest on fewer than 5 families.

Every table is made by one or two aggregate queries over the cases in scope
(`Scope`): no Python loop over cases, so the same code serves a region with a
hundred cases and the country with a million.

Suppression (DOMAIN §7: nobody may recognise a family):
- a count of 1 to 4 families is shown as "<5";
- a share is shown as "-" (dash) when its base is under 5, or when the families it
  counts are 1 to 4 (else "3% of 40" would give the hidden count back);
- an average is shown as "-" (dash) when it rests on fewer than 5 families.
A count of 0 is shown: it points at nobody.

Where the numbers come from (a `source`): the pages read the summary tables the
worker keeps current (`summary.SUMMARY`, see `refresh.py`); `RAW` runs the same
figures straight on the case tables. `RAW` is the reference: the tests hold the
summaries to it, figure for figure. Each table function asks its source for the
plain counts and builds the table (labels, shares, suppression) in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from html import escape
from itertools import pairwise
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kring.accounts.models import CoordinatorProfile
from kring.cases.models import (
    ACTIVE_STATES,
    NORM_CONTACT,
    NORM_PLAN,
    NORM_START,
    NORM_URGENT_MEETING,
    Case,
    TriggerMoment,
    Urgency,
)
from kring.followup.models import Evaluation, Outcome
from kring.network.models import CircleMember, Kind, MemberRole, MemberStatus, Side

MIN_FAMILIES = 5
#: "About nine in ten conferences give a workable plan" (seed 003).
REFERENCE_PLAN_PER_CONFERENCE = 0.9
#: 86% of the referrals led to a conference in 2023.
REFERENCE_CONFERENCE_PER_REQUEST = 0.86
#: The first evaluation is due about three months after the plan was accepted.
EVALUATION_WINDOW = timedelta(days=92)

SUPPRESSED_NOTE = gettext_lazy(
    "Figures about fewer than 5 families are hidden (shown as <5 or –), so that no family can be recognised."
)


class Seconds(Func):
    """`end - start` in seconds, with the database's own date arithmetic (no Python function per row)."""

    arity = 2
    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)",
                           arg_joiner=") - julianday(", **extra_context)


def _within(end: str, start: str, limit: timedelta) -> Q:
    """`end` came at most `limit` after `start` (both set)."""
    return Q(**{f"_s_{end}_{start}__lte": limit.total_seconds()})


def _with_seconds(qs: QuerySet, pairs) -> QuerySet:
    return qs.alias(**{f"_s_{end}_{start}": Seconds(F(end), F(start)) for end, start in set(pairs)})


# --- one figure --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A number with what it rests on, so it can hide itself."""

    kind: str  # "count", "share" or "mean"
    value: float | int | None
    base: int
    numerator: int | None = None

    @classmethod
    def count(cls, n: int | None) -> Figure:
        return cls("count", int(n or 0), int(n or 0))

    @classmethod
    def share(cls, numerator: int | None, base: int | None) -> Figure:
        numerator, base = int(numerator or 0), int(base or 0)
        return cls("share", numerator / base if base else None, base, numerator)

    @classmethod
    def mean(cls, value: float | None, base: int | None) -> Figure:
        return cls("mean", None if value is None else float(value), int(base or 0))

    @property
    def suppressed(self) -> bool:
        if self.kind == "count":
            return 0 < self.value < MIN_FAMILIES
        if self.base < MIN_FAMILIES:
            return True
        return self.kind == "share" and 0 < (self.numerator or 0) < MIN_FAMILIES

    @property
    def shown(self) -> float | int | None:
        """The value, or None when it is hidden or there is none (for exports and charts)."""
        if self.suppressed or self.value is None:
            return None
        if self.kind == "share":
            return round(self.value, 4)
        if self.kind == "mean":
            return round(self.value, 1)
        return self.value

    @property
    def display(self) -> str:
        if self.suppressed:
            return "<5" if self.kind == "count" else "–"
        if self.value is None:
            return "–"
        if self.kind == "share":
            return f"{round(self.value * 100)}%"
        if self.kind == "mean":
            return formats.number_format(round(self.value, 1), 1)
        if -1000 < self.value < 1000:  # no thousands separator to place (and much faster)
            return str(self.value)
        return formats.number_format(self.value, 0, force_grouping=True)

    def __str__(self) -> str:
        return self.display


@dataclass
class Chart:
    """What to draw of a table: one column as bars, with reference lines."""

    column: int
    percent: bool = False
    references: list[tuple[float, str]] = field(default_factory=list)
    #: Row labels (first column) of bars that meet the norm, drawn darker and named in the text.
    within_norm: set[str] = field(default_factory=set)


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    description: str = ""
    chart: Chart | None = None
    note: str = ""
    #: Pieces of HTML made once for this table (its rows, its chart): a computed dashboard is
    #: kept and shown again until its figures change (`summary.cached_tables`).
    rendered: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_suppressed(self) -> bool:
        if "suppressed" not in self.rendered:
            self.rendered["suppressed"] = any(isinstance(c, Figure) and c.suppressed
                                              for row in self.rows for c in row)
        return self.rendered["suppressed"]

    def text_rows(self) -> list[list[str]]:
        return [[c.display if isinstance(c, Figure) else str(c) for c in row] for row in self.rows]

    def html_rows(self) -> SafeString:
        """The rows as HTML (`<th scope="row">` first). A table of every municipality is thousands of
        cells: built as one string, each cell escaped, instead of a template loop per cell."""
        if "rows" not in self.rendered:
            self.rendered["rows"] = mark_safe("\n".join(  # noqa: S308 - every cell is escaped here
                f'<tr><th scope="row">{escape(str(row[0]))}</th>{"".join(f"<td>{escape(str(c))}</td>" for c in row[1:])}</tr>'
                for row in self.text_rows()))
        return self.rendered["rows"]

    def value_rows(self) -> list[list[Any]]:
        """Numbers where they are shown, the marks "<5" or a dash where they are hidden (for XLSX)."""
        out = []
        for row in self.rows:
            out.append([
                (c.shown if c.shown is not None else c.display) if isinstance(c, Figure) else str(c)
                for c in row
            ])
        return out


# --- the scope ---------------------------------------------------------------------------


@dataclass
class Scope:
    """Which cases the figures are about: regions, optionally one municipality, and a period
    of request dates (both days included)."""

    regions: QuerySet
    date_from: date
    date_to: date
    municipality: Any = None
    now: datetime = field(default_factory=timezone.now)
    #: What a source already read for this scope (one page asks several tables of it).
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    def cases(self) -> QuerySet:
        qs = Case.objects.filter(region__in=self.regions, submitted_at__gte=self.start, submitted_at__lt=self.end)
        if self.municipality is not None:
            qs = qs.filter(municipality=self.municipality)
        return qs

    def offers(self) -> QuerySet:
        from .models import Offer

        qs = Offer.objects.filter(region__in=self.regions, offered_on__gte=self.date_from,
                                  offered_on__lte=self.date_to)
        if self.municipality is not None:
            qs = qs.filter(municipality=self.municipality)
        return qs


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last twelve whole and current months: from the first of the month 11 months ago to today."""
    today = today or timezone.localdate()
    month = today.month - 11
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1), today


def month_end(month: date) -> date:
    """The first day of the next month."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _months(date_from: date, date_to: date) -> list[date]:
    months, day = [], date_from.replace(day=1)
    while day <= date_to:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


# --- the measures --------------------------------------------------------------------------


def _month_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Measure:
    slug: str
    title: Any
    start: str
    end: str
    norm: timedelta | None
    norm_label: Any
    edges: tuple[tuple[timedelta, Any], ...]
    only_urgent: bool = False


def _h(hours: int) -> timedelta:
    return timedelta(hours=hours)


def _d(days: int) -> timedelta:
    return timedelta(days=days)


MEASURES = (
    Measure("lead_start", gettext_lazy("Request to coordinator assigned"), "submitted_at", "assigned_at",
            NORM_START, gettext_lazy("norm: within 24 hours"),
            ((_h(4), gettext_lazy("within 4 hours")), (_h(24), gettext_lazy("4 to 24 hours")),
             (_d(2), gettext_lazy("1 to 2 days")), (_d(7), gettext_lazy("2 to 7 days")))),
    Measure("lead_contact", gettext_lazy("Request to first contact with the family"), "submitted_at",
            "first_contact_at", NORM_CONTACT, gettext_lazy("norm: within 2 days"),
            ((_d(1), gettext_lazy("within 1 day")), (_d(2), gettext_lazy("1 to 2 days")),
             (_d(7), gettext_lazy("2 to 7 days")), (_d(14), gettext_lazy("1 to 2 weeks")))),
    Measure("lead_urgent", gettext_lazy("Urgent request to conference"), "submitted_at", "held_at",
            NORM_URGENT_MEETING, gettext_lazy("norm: within 1 week"),
            ((_d(3), gettext_lazy("within 3 days")), (_d(7), gettext_lazy("3 to 7 days")),
             (_d(14), gettext_lazy("1 to 2 weeks")), (_d(28), gettext_lazy("2 to 4 weeks"))),
            only_urgent=True),
    Measure("lead_conference", gettext_lazy("Request to conference"), "submitted_at", "held_at",
            NORM_PLAN, gettext_lazy("norm: the plan lies ready within 6 weeks"),
            ((_d(14), gettext_lazy("within 2 weeks")), (_d(28), gettext_lazy("2 to 4 weeks")),
             (_d(42), gettext_lazy("4 to 6 weeks")), (_d(70), gettext_lazy("6 to 10 weeks")))),
    Measure("lead_plan", gettext_lazy("Conference to plan accepted"), "held_at", "plan_accepted_at",
            None, "",
            ((_d(1), gettext_lazy("same day")), (_d(7), gettext_lazy("within 1 week")),
             (_d(14), gettext_lazy("1 to 2 weeks")), (_d(28), gettext_lazy("2 to 4 weeks")))),
)


def lead_keys(sep: str = "__") -> list[str]:
    """The counts behind the lead-time tables: per measure the families where it happened (`n`),
    the cumulative count within each edge, and the count within the norm."""
    keys = []
    for m in MEASURES:
        keys += [f"{m.slug}{sep}n", *(f"{m.slug}{sep}{i}" for i in range(len(m.edges)))]
        if m.norm is not None:
            keys.append(f"{m.slug}{sep}norm")
    return keys


def lead_aggregates(sep: str = "__") -> dict[str, Count]:
    """The aggregates of `lead_keys`, on a queryset made by `with_lead_seconds`."""
    aggregates: dict[str, Any] = {}
    for m in MEASURES:
        done = Q(**{f"{m.end}__isnull": False, f"{m.start}__isnull": False})
        if m.only_urgent:
            done &= Q(urgency=Urgency.URGENT)
        aggregates[f"{m.slug}{sep}n"] = Count("id", filter=done)
        for i, (edge, _label) in enumerate(m.edges):
            aggregates[f"{m.slug}{sep}{i}"] = Count("id", filter=done & _within(m.end, m.start, edge))
        if m.norm is not None:
            aggregates[f"{m.slug}{sep}norm"] = Count("id", filter=done & _within(m.end, m.start, m.norm))
    return aggregates


def with_lead_seconds(qs: QuerySet) -> QuerySet:
    return _with_seconds(qs, [(m.end, m.start) for m in MEASURES])


CAME = (MemberStatus.ATTENDED, MemberStatus.AGREEMENT)
OUTCOME_MONTHS = (3, 6, 12)
OFFER_KEYS = {"moment": "moment", "organisation": "organisation", "municipality": "municipality__name"}


def circle_per_case(members: QuerySet) -> QuerySet:
    """Per case: how many people of the network came, from which side, from outside the family."""
    return members.annotate(
        size=Count("id"),
        mother=Count("id", filter=Q(side__in=[Side.MOTHER, Side.BOTH])),
        father=Count("id", filter=Q(side__in=[Side.FATHER, Side.BOTH])),
        outside=Count("id", filter=~Q(kind=Kind.FAMILY)))


def outcome_aggregates(with_sums: bool = False) -> dict[str, Any]:
    aggregates: dict[str, Any] = dict(
        n=Count("id"),
        running=Count("id", filter=Q(plan_running="yes")),
        partly=Count("id", filter=Q(plan_running="partly")),
        home=Count("id", filter=Q(child_lives__in=["home", "network"])),
        less_help=Count("id", filter=Q(professional_help="less")),
        fam_n=Count("family_satisfaction"), prof_n=Count("professional_satisfaction"))
    if with_sums:
        aggregates.update(fam_sum=Sum("family_satisfaction"), prof_sum=Sum("professional_satisfaction"))
    else:
        aggregates.update(fam=Avg("family_satisfaction"), prof=Avg("professional_satisfaction"))
    return aggregates


def offer_aggregates() -> dict[str, Any]:
    return dict(n=Count("id"), yes=Count("id", filter=Q(answer="yes")),
                not_required=Count("id", filter=~Q(exemption="")))


# --- the raw source: every figure straight from the case tables (the reference) -----------


class RawSource:
    """Aggregate queries over the cases in scope: no Python loop over cases, but every request
    scans the cases of the whole period (seconds at national scale; see `summary.py`)."""

    name = "raw"

    def months(self, scope: Scope) -> list[int]:
        """One filtered count per month (plain comparisons on the indexed date: no per-row date function)."""
        months = _months(scope.date_from, scope.date_to)
        bounds = [*months[1:], month_end(months[-1])]
        counts = scope.cases().aggregate(**{
            f"m{i}": Count("id", filter=Q(submitted_at__gte=_month_start(m), submitted_at__lt=_month_start(end)))
            for i, (m, end) in enumerate(zip(months, bounds, strict=True))})
        return [counts[f"m{i}"] for i in range(len(months))]

    def funnel(self, scope: Scope) -> dict[str, int]:
        return scope.cases().aggregate(
            requests=Count("id"),
            conferences=Count("id", filter=Q(held_at__isnull=False)),
            plans=Count("id", filter=Q(plan_accepted_at__isnull=False)),
        )

    def lead_times(self, scope: Scope) -> dict[str, int]:
        """All lead-time distributions in one aggregate query: cumulative counts per edge."""
        return with_lead_seconds(scope.cases()).aggregate(**lead_aggregates())

    def circle(self, scope: Scope) -> dict[str, Any]:
        """One pass over the people who came, grouped per case; cases where nobody came count as 0."""
        held = scope.cases().filter(held_at__isnull=False)
        n = held.count()
        per_case = circle_per_case(CircleMember.objects.filter(case__in=held, role=MemberRole.NETWORK,
                                                               status__in=CAME).values("case").order_by("case"))
        f = per_case.aggregate(
            rows=Count("case"), total=Coalesce(Sum("size"), Value(0)),
            s0=Count("case", filter=Q(size__lt=5)), s5=Count("case", filter=Q(size__gte=5, size__lt=10)),
            s10=Count("case", filter=Q(size__gte=10, size__lt=15)), s15=Count("case", filter=Q(size__gte=15)),
            both=Count("case", filter=Q(mother__gt=0, father__gt=0)),
            outside_n=Count("case", filter=Q(outside__gt=0)),
        )
        return {"n": n, "total": f["total"], "small": f["s0"] + n - f["rows"], "s5": f["s5"], "s10": f["s10"],
                "s15": f["s15"], "both": f["both"], "outside": f["outside_n"]}

    def evaluation(self, scope: Scope) -> dict[str, int]:
        accepted_before = scope.now - EVALUATION_WINDOW
        return scope.cases().filter(plan_accepted_at__lte=accepted_before).aggregate(
            n=Count("id"), held=Count("id", filter=Q(Exists(evaluation_in_time()))))

    def outcomes(self, scope: Scope) -> dict[int, dict[str, Any]]:
        qs = (Outcome.objects.filter(case__in=scope.cases(), recorded_at__isnull=False)
              .values("months").order_by("months").annotate(**outcome_aggregates()))
        return {r["months"]: r for r in qs}

    def workload(self, scope: Scope) -> dict[str, int]:
        active = Subquery(
            Case.objects.filter(coordinator=OuterRef("user"), state__in=ACTIVE_STATES).order_by()
            .values("coordinator").annotate(c=Count("id")).values("c"), output_field=IntegerField())
        held = Subquery(
            Case.objects.filter(coordinator=OuterRef("user"), held_at__gte=scope.start, held_at__lt=scope.end)
            .order_by().values("coordinator").annotate(c=Count("id")).values("c"), output_field=IntegerField())
        profiles = CoordinatorProfile.objects.filter(regions__in=scope.regions).values("pk")
        return CoordinatorProfile.objects.filter(pk__in=profiles).annotate(
            active_n=Coalesce(active, Value(0)), held_n=Coalesce(held, Value(0))).aggregate(**workload_aggregates())

    def grouped(self, scope: Scope, key: str) -> list[dict[str, Any]]:
        qs = (_with_seconds(scope.cases(), [("first_contact_at", "submitted_at")]).values(key).order_by(key)
              .annotate(n=Count("id"), conferences=Count("id", filter=Q(held_at__isnull=False)),
                        plans=Count("id", filter=Q(plan_accepted_at__isnull=False)),
                        contact=Count("id", filter=_within("first_contact_at", "submitted_at", NORM_CONTACT))))
        return [{"label": r[key], "n": r["n"], "conferences": r["conferences"], "plans": r["plans"],
                 "contact": r["contact"]} for r in qs]

    def offers(self, scope: Scope, kind: str) -> list[tuple[Any, dict[str, int]]]:
        return offer_counts(scope.offers(), OFFER_KEYS[kind])


def evaluation_in_time() -> QuerySet:
    """An evaluation of the case (`OuterRef`) held by three months after its plan was accepted."""
    due = ExpressionWrapper(OuterRef("plan_accepted_at") + EVALUATION_WINDOW, output_field=DateTimeField())
    return Evaluation.objects.filter(case=OuterRef("pk"), held_on__lte=TruncDate(due))


def workload_aggregates() -> dict[str, Any]:
    """Over coordinator profiles annotated with `active_n` (and `held_n`, when present)."""
    return dict(
        coordinators=Count("id"), available=Count("id", filter=Q(active=True)),
        capacity=Coalesce(Sum("max_cases", filter=Q(active=True)), Value(0)),
        running=Coalesce(Sum("active_n"), Value(0)), held=Coalesce(Sum("held_n"), Value(0)),
        c0=Count("id", filter=Q(active_n=0)), c1=Count("id", filter=Q(active_n=1)),
        c2=Count("id", filter=Q(active_n=2)), c3=Count("id", filter=Q(active_n=3)),
        c4=Count("id", filter=Q(active_n__gte=4)),
        full=Count("id", filter=Q(active_n__gte=F("max_cases"))),
    )


def offer_counts(qs: QuerySet, key: str) -> list[tuple[Any, dict[str, int]]]:
    """Offers grouped by `key`: offers, yes, not required, families with a plan, families."""
    rows = (qs.values(key).order_by(key).annotate(
        **offer_aggregates(),
        plan=Count("case", filter=Q(case__plan_accepted_at__isnull=False), distinct=True),
        families=Count("case", distinct=True),
    ))
    return [(r[key], r) for r in rows]


RAW = RawSource()


def _source(source):
    if source is not None:
        return source
    from .summary import SUMMARY

    return SUMMARY


# --- the tables --------------------------------------------------------------------------


def requests_per_month(scope: Scope, source=None) -> Table:
    months = _months(scope.date_from, scope.date_to)
    counts = _source(source).months(scope)
    table_rows = [[formats.date_format(m, "M Y"), Figure.count(c)] for m, c in zip(months, counts, strict=True)]
    return Table("requests_per_month", _("Requests per month"), [_("Month"), _("Requests")], table_rows,
                 description=_("How many requests for a family group conference came in each month."),
                 chart=Chart(column=1))


def funnel(scope: Scope, source=None) -> Table:
    f = _source(source).funnel(scope)
    rows = [
        [_("Requests"), Figure.count(f["requests"]), Figure.share(f["requests"], f["requests"]), ""],
        [_("Conference held"), Figure.count(f["conferences"]), Figure.share(f["conferences"], f["requests"]),
         ""],
        [_("Plan accepted"), Figure.count(f["plans"]), Figure.share(f["plans"], f["requests"]),
         Figure.share(f["plans"], f["conferences"])],
    ]
    return Table(
        "funnel", _("From request to plan"),
        [_("Step"), _("Families"), _("Share of requests"), _("Share of conferences")], rows,
        description=_("How many requests led to a conference and to an accepted plan."),
        chart=Chart(column=2, percent=True, references=[
            (REFERENCE_CONFERENCE_PER_REQUEST, _("86 in 100 requests led to a conference in 2023")),
            (REFERENCE_PLAN_PER_CONFERENCE, _("about 9 in 10 conferences give a plan")),
        ]),
    )


def lead_times(scope: Scope, source=None) -> list[Table]:
    result = _source(source).lead_times(scope)
    tables = []
    for m in MEASURES:
        n = result[f"{m.slug}__n"]
        cumulative = [result[f"{m.slug}__{i}"] for i in range(len(m.edges))]
        counts = [cumulative[0]] + [b - a for a, b in pairwise(cumulative)]
        counts.append(n - cumulative[-1])
        labels = [str(label) for _edge, label in m.edges] + [_("longer")]
        rows = [[label, Figure.count(c), Figure.share(c, n)] for label, c in zip(labels, counts, strict=True)]
        within = set()
        note = ""
        if m.norm is not None:
            rows.append([_("Within the norm"), Figure.count(result[f"{m.slug}__norm"]),
                         Figure.share(result[f"{m.slug}__norm"], n)])
            within = {str(label) for edge, label in m.edges if edge <= m.norm}
            note = str(m.norm_label)
        tables.append(Table(
            m.slug, str(m.title), [_("Time"), _("Families"), _("Share")], rows,
            description=_("%(measure)s: how long it took, for the families where it happened. %(norm)s")
            % {"measure": m.title, "norm": note},
            chart=Chart(column=2, percent=True, within_norm=within), note=note,
        ))
    return tables


def circle(scope: Scope, source=None) -> Table:
    c = _source(source).circle(scope)
    n = c["n"]
    rows = [
        [_("Conferences held"), Figure.count(n), ""],
        [_("Average number of people from the circle who came"), Figure.mean(c["total"] / n if n else None, n), ""],
        [_("0 to 4 people"), Figure.count(c["small"]), Figure.share(c["small"], n)],
        [_("5 to 9 people"), Figure.count(c["s5"]), Figure.share(c["s5"], n)],
        [_("10 to 14 people"), Figure.count(c["s10"]), Figure.share(c["s10"], n)],
        [_("15 people or more"), Figure.count(c["s15"]), Figure.share(c["s15"], n)],
        [_("Both sides of the family came"), Figure.count(c["both"]), Figure.share(c["both"], n)],
        [_("Someone from outside the family came"), Figure.count(c["outside"]), Figure.share(c["outside"], n)],
    ]
    return Table("circle", _("The circle at the conference"), [_("Figure"), _("Conferences"), _("Share")], rows,
                 description=_("How many people from the circle came to the conference, and from which side."),
                 chart=Chart(column=2, percent=True))


def evaluation(scope: Scope, source=None) -> Table:
    f = _source(source).evaluation(scope)
    rows = [
        [_("Plans accepted at least 3 months ago"), Figure.count(f["n"]), ""],
        [_("Evaluation held within 3 months"), Figure.count(f["held"]), Figure.share(f["held"], f["n"])],
    ]
    return Table("evaluation", _("Evaluation within 3 months"), [_("Figure"), _("Families"), _("Share")], rows,
                 description=_("Whether the circle evaluated its plan within 3 months after it was accepted."),
                 chart=Chart(column=2, percent=True))


def outcomes(scope: Scope, source=None) -> Table:
    by_months = _source(source).outcomes(scope)
    rows = []
    for months in OUTCOME_MONTHS:
        r = by_months.get(months, {})
        n = r.get("n", 0)
        rows.append([
            _("%(months)s months") % {"months": months}, Figure.count(n),
            Figure.share(r.get("running"), n), Figure.share(r.get("partly"), n),
            Figure.share(r.get("home"), n), Figure.share(r.get("less_help"), n),
            Figure.mean(r.get("fam"), r.get("fam_n")), Figure.mean(r.get("prof"), r.get("prof_n")),
        ])
    return Table(
        "outcomes", _("Outcomes after 3, 6 and 12 months"),
        [_("After"), _("Recorded"), _("Plan still running"), _("Plan partly running"),
         _("Child lives at home or in the network"), _("Less professional help"),
         _("Satisfaction of the family (1-10)"), _("Satisfaction of the professional (1-10)")],
        rows, description=_("What became of the plans, as recorded 3, 6 and 12 months after the conference."),
        chart=Chart(column=2, percent=True),
    )


def workload(scope: Scope, source=None) -> Table:
    """Coordinators who serve the regions: how many cases each has running now.

    The cells count coordinators, but every one of them stands for families, so the
    whole table rests on the number of running cases in it.
    """
    f = _source(source).workload(scope)
    running = f["running"]

    def cell(value: int) -> Figure:
        # Rests on the running cases of the table: hidden together when they are fewer than 5.
        return Figure("count", value, running) if running >= MIN_FAMILIES else Figure("mean", None, running)

    rows = [
        [_("Coordinators in these regions"), Figure.count(f["coordinators"]) if running >= MIN_FAMILIES
         else cell(f["coordinators"])],
        [_("Available for new cases"), cell(f["available"])],
        [_("Cases running now"), Figure.count(running)],
        [_("Places (maximum cases of the available coordinators)"), cell(f["capacity"])],
        [_("Occupation of the places"), Figure.share(running, f["capacity"]) if f["capacity"]
         else Figure.share(0, 0)],
        [_("Conferences held in the period"), Figure.count(f["held"])],
        [_("Coordinators with no case"), cell(f["c0"])],
        [_("Coordinators with 1 case"), cell(f["c1"])],
        [_("Coordinators with 2 cases"), cell(f["c2"])],
        [_("Coordinators with 3 cases"), cell(f["c3"])],
        [_("Coordinators with 4 cases or more"), cell(f["c4"])],
        [_("Coordinators at or over their maximum"), cell(f["full"])],
    ]
    return Table("workload", _("Coordinators' workload"), [_("Figure"), _("Number")], rows,
                 description=_("How busy the coordinators of these regions are now."))


def _grouped(scope: Scope, source, key: str, slug: str, title: str, label: str) -> Table:
    rows = [[r["label"], Figure.count(r["n"]), Figure.count(r["conferences"]), Figure.count(r["plans"]),
             Figure.share(r["plans"], r["conferences"]), Figure.share(r["contact"], r["n"])]
            for r in _source(source).grouped(scope, key)]
    return Table(slug, title, [label, _("Requests"), _("Conferences"), _("Plans"),
                               _("Plans per conference"), _("Contact within 2 days")], rows,
                 description=_("Requests, conferences and plans, side by side."))


def by_region(scope: Scope, source=None) -> Table:
    return _grouped(scope, source, "region__name", "by_region", _("By region"), _("Region"))


def by_municipality(scope: Scope, source=None) -> Table:
    return _grouped(scope, source, "municipality__name", "by_municipality", _("By municipality"),
                    _("Municipality"))


# --- the offer-moment register -----------------------------------------------------------


def offer_row(value: Any, r: dict[str, int], labels: dict | None = None) -> list[Any]:
    label = labels.get(value, value) if labels else (value or _("(unknown)"))
    return [str(label), Figure.count(r["n"]), Figure.count(r["yes"]), Figure.share(r["yes"], r["n"]),
            Figure.count(r["not_required"]), Figure.count(r["plan"]), Figure.share(r["plan"], r["families"])]


def offer_rows(qs: QuerySet, key: str, labels: dict | None = None) -> list[list[Any]]:
    return [offer_row(value, r, labels) for value, r in offer_counts(qs, key)]


OFFER_COLUMNS = (gettext_lazy("Offers"), gettext_lazy("Family said yes"), gettext_lazy("Share yes"),
                 gettext_lazy("Not required by law"), gettext_lazy("Families with a plan"),
                 gettext_lazy("Share of families with a plan"))


def _offer_table_rows(scope: Scope, source, kind: str, labels: dict | None = None) -> list[list[Any]]:
    return [offer_row(value, r, labels) for value, r in _source(source).offers(scope, kind)]


def offers_by_moment(scope: Scope, source=None) -> Table:
    return Table("offers_by_moment", _("Offers per moment"),
                 [_("Moment"), *map(str, OFFER_COLUMNS)],
                 _offer_table_rows(scope, source, "moment", dict(TriggerMoment.choices)),
                 description=_("How often a family group plan was offered at each moment, and how often "
                               "it led to a plan."), chart=Chart(column=1))


def offers_by_organisation(scope: Scope, source=None) -> Table:
    return Table("offers_by_organisation", _("Offers per organisation"),
                 [_("Organisation"), *map(str, OFFER_COLUMNS)], _offer_table_rows(scope, source, "organisation"),
                 description=_("How often each organisation offered a family group plan."))


def offers_by_municipality(scope: Scope, source=None) -> Table:
    return Table("offers_by_municipality", _("Offers per municipality"),
                 [_("Municipality"), *map(str, OFFER_COLUMNS)],
                 _offer_table_rows(scope, source, "municipality"),
                 description=_("How often a family group plan was offered in each municipality."))


# --- the dashboards ----------------------------------------------------------------------


def manager_tables(scope: Scope, source=None) -> list[Table]:
    def build() -> list[Table]:
        return [requests_per_month(scope, source), funnel(scope, source), *lead_times(scope, source),
                circle(scope, source), evaluation(scope, source), outcomes(scope, source),
                workload(scope, source), offers_by_moment(scope, source), offers_by_organisation(scope, source),
                offers_by_municipality(scope, source)]

    return _cached("manager", scope, source, build)


def policy_tables(scope: Scope, source=None) -> list[Table]:
    def build() -> list[Table]:
        return [requests_per_month(scope, source), funnel(scope, source), by_region(scope, source),
                by_municipality(scope, source), *lead_times(scope, source), circle(scope, source),
                evaluation(scope, source), outcomes(scope, source), workload(scope, source),
                offers_by_moment(scope, source), offers_by_organisation(scope, source),
                offers_by_municipality(scope, source)]

    return _cached("policy", scope, source, build)


def _cached(kind: str, scope: Scope, source, build) -> list[Table]:
    """The pages' dashboards (summary source) are computed once per version of the summaries."""
    if source is not None:
        return build()
    from .summary import cached_tables

    return cached_tables(kind, scope, build)


TABLE_SLUGS = frozenset({
    "requests_per_month", "funnel", "by_region", "by_municipality", *(m.slug for m in MEASURES), "circle",
    "evaluation", "outcomes", "workload", "offers_by_moment", "offers_by_organisation",
    "offers_by_municipality",
})
