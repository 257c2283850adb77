"""Capacity forecast per region: Erlang C (M/M/c) on the arrival of requests and the coordinators.

The queue is "waiting for a coordinator to pick up the request". Requests arrive
at rate λ (requests per hour, from the last N weeks); each available coordinator
is one server who needs on average `service_hours` to take a request from
assignment to the first contact with the family (measured, or given). Then:

- P(wait > t) = C(c, a) · exp(-(cμ - λ)·t), with a = λ/μ and C the Erlang C formula;
- the 24-hour start norm holds for a request when it waits at most 24 hours;
- the 2-day contact norm holds when wait + service ≤ 48 hours, approximated
  with the average service time: P(wait ≤ 48 h - service).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.signals import setting_changed
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F
from django.dispatch import receiver
from django.utils import timezone, translation

from kring.accounts.models import CoordinatorProfile
from kring.cases.models import NORM_CONTACT, NORM_START, Case

TARGETS = (0.80, 0.95)
DEFAULT_SERVICE_HOURS = 24.0
MAX_SERVERS = 500


def erlang_c(servers: int, offered_load: float) -> float:
    """The probability that a request has to wait (all `servers` busy), for load a = λ/μ.

    Computed with the stable recurrence of Erlang B: B(0)=1, B(k)=a·B(k-1)/(k + a·B(k-1)),
    then C = c·B / (c - a·(1 - B)). 1.0 when the system is overloaded (a ≥ c).
    """
    if offered_load <= 0:
        return 0.0
    if servers <= offered_load:
        return 1.0
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return servers * b / (servers - offered_load * (1 - b))


def p_wait_within(servers: int, arrival: float, service_hours: float, hours: float) -> float:
    """P(wait ≤ hours) in an M/M/c queue (arrival per hour, mean service in hours)."""
    if arrival <= 0:
        return 1.0
    if hours < 0:
        return 0.0
    mu = 1.0 / service_hours
    if servers * mu <= arrival:
        return 0.0
    c = erlang_c(servers, arrival / mu)
    return 1.0 - c * math.exp(-(servers * mu - arrival) * hours)


def expected_wait_hours(servers: int, arrival: float, service_hours: float) -> float | None:
    """Mean wait before a coordinator picks the request up; None when the queue grows without end."""
    if arrival <= 0:
        return 0.0
    mu = 1.0 / service_hours
    if servers * mu <= arrival:
        return None
    return erlang_c(servers, arrival / mu) / (servers * mu - arrival)


def servers_needed(arrival: float, service_hours: float, hours: float, target: float) -> int | None:
    """The fewest coordinators with P(wait ≤ hours) ≥ target; None when no number can do it
    (the service alone takes longer than the norm)."""
    if hours < 0:
        return None
    if arrival <= 0:
        return 0
    c = max(1, math.floor(arrival * service_hours) + 1)
    while c < MAX_SERVERS and p_wait_within(c, arrival, service_hours, hours) < target:
        c += 1
    return c


@dataclass
class Forecast:
    region: object
    weeks: int
    requests: int
    arrival_per_week: float
    service_hours: float
    service_measured: bool
    coordinators: int
    expected_wait_hours: float | None
    p_start: float
    p_contact: float
    needed: dict[tuple[str, float], int | None] = field(default_factory=dict)
    curve: list[tuple[int, float, float]] = field(default_factory=list)  # (c, P(start), P(contact))

    @property
    def needed_rows(self) -> list[tuple[str, int | None]]:
        from django.utils.translation import gettext as _

        rows = []
        for (norm, target), value in self.needed.items():
            pct = round(target * 100)
            label = (_("Coordinators needed to start within 24 hours for %(pct)s%% of the families")
                     if norm == "start" else
                     _("Coordinators needed for contact within 2 days for %(pct)s%% of the families"))
            rows.append((label % {"pct": pct}, value))
        return rows

    @property
    def arrival_per_hour(self) -> float:
        return self.arrival_per_week / (7 * 24)


def forecast(region, *, weeks: int = 8, service_hours: float | None = None,
             now: datetime | None = None) -> Forecast:
    now = now or timezone.now()
    since = now - timedelta(weeks=weeks)
    cases = Case.objects.filter(region=region, submitted_at__gte=since, submitted_at__lt=now)
    measured = cases.filter(assigned_at__isnull=False, first_contact_at__isnull=False).aggregate(
        n=Count("id"),
        avg=Avg(ExpressionWrapper(F("first_contact_at") - F("assigned_at"), output_field=DurationField())),
    )
    requests = cases.count()
    is_measured = service_hours is None and measured["n"] >= 5 and measured["avg"] is not None
    if service_hours is None:
        service_hours = (max(measured["avg"].total_seconds() / 3600, 0.25) if is_measured
                         else DEFAULT_SERVICE_HOURS)
    coordinators = CoordinatorProfile.objects.filter(regions=region, active=True).count()
    arrival = requests / (weeks * 7 * 24)
    start_h = NORM_START.total_seconds() / 3600
    contact_h = NORM_CONTACT.total_seconds() / 3600 - service_hours
    result = Forecast(
        region=region, weeks=weeks, requests=requests, arrival_per_week=requests / weeks,
        service_hours=service_hours, service_measured=is_measured, coordinators=coordinators,
        expected_wait_hours=expected_wait_hours(coordinators, arrival, service_hours) if coordinators else None,
        p_start=p_wait_within(coordinators, arrival, service_hours, start_h) if coordinators else 0.0,
        p_contact=p_wait_within(coordinators, arrival, service_hours, contact_h) if coordinators else 0.0,
    )
    for target in TARGETS:
        result.needed[("start", target)] = servers_needed(arrival, service_hours, start_h, target)
        result.needed[("contact", target)] = servers_needed(arrival, service_hours, contact_h, target)
    known = [v for v in result.needed.values() if v]
    top = max([coordinators, *known]) + 2
    low = max(1, min([coordinators or 1, *known]) - 2)
    result.curve = [(c, p_wait_within(c, arrival, service_hours, start_h),
                     p_wait_within(c, arrival, service_hours, contact_h)) for c in range(low, top + 1)][:30]
    return result


#: How long a web process keeps a region's forecast: it rests on eight weeks of requests, so a
#: few minutes add nothing a manager can see, and computing it took a third of the dashboard.
FORECAST_KEPT = timedelta(minutes=10)
_kept: dict[tuple[int, str], tuple[int, Any]] = {}


def kept(region, make: Callable[[Forecast], Any], *, now: datetime | None = None) -> tuple[Forecast, Any]:
    """`forecast(region)` and `make(forecast)` (its chart, in the active language), kept per region
    and language in this process for the current period of `FORECAST_KEPT`."""
    now = now or timezone.now()
    period = int(now.timestamp() // FORECAST_KEPT.total_seconds())
    key = (region.pk, translation.get_language() or "")
    found = _kept.get(key)
    if found is not None and found[0] == period:
        return found[1]
    result = forecast(region, now=now)
    made = (result, make(result))
    _kept[key] = (period, made)
    return made


@receiver(setting_changed)
def _forget_kept(**kwargs) -> None:
    _kept.clear()
