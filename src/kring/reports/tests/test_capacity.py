"""Erlang C against known values, and the forecast of a region."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kring.accounts.models import CoordinatorProfile
from kring.reports.capacity import (
    erlang_c,
    expected_wait_hours,
    forecast,
    p_wait_within,
    servers_needed,
)
from kring.testing import factories as f


def test_erlang_c_matches_the_textbook():
    # a = 2 erlang on 3 servers: C = 4/9 = 0.4444 (and on 1 server the queue never empties).
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9, abs=1e-9)
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert erlang_c(2, 2.0) == 1.0
    # λ = 2/h, mean service 1 h, 3 servers: Wq = C / (cμ − λ) = 0.4444 h.
    assert expected_wait_hours(3, 2.0, 1.0) == pytest.approx(4 / 9)
    assert p_wait_within(3, 2.0, 1.0, 0) == pytest.approx(1 - 4 / 9)
    assert expected_wait_hours(2, 2.0, 1.0) is None


def test_more_coordinators_are_needed_for_a_stricter_target():
    low = servers_needed(2.0, 1.0, 0.1, 0.80)
    high = servers_needed(2.0, 1.0, 0.1, 0.95)
    assert 3 <= low <= high
    assert p_wait_within(high, 2.0, 1.0, 0.1) >= 0.95 > p_wait_within(high - 1, 2.0, 1.0, 0.1)
    assert servers_needed(0, 1.0, 1, 0.95) == 0
    assert servers_needed(2.0, 60.0, -12, 0.8) is None


def test_the_forecast_of_a_region_measures_arrival_and_service(db):
    now = timezone.now()
    for i in range(16):  # 16 requests in 8 weeks: 2 per week; 24 hours from assignment to contact
        submitted = now - timedelta(days=3 * i + 1)
        f.CaseFactory(family=False, submitted_at=submitted, assigned_at=submitted + timedelta(hours=2),
                      first_contact_at=submitted + timedelta(hours=26))
    for i in range(2):
        f.CoordinatorFactory(username=f"c{i}")
    CoordinatorProfile.objects.filter(user__username="c1").update(active=False)
    result = forecast(f.region("utrecht"), weeks=8, now=now)
    assert result.requests == 16 and result.arrival_per_week == pytest.approx(2.0)
    assert result.service_measured and result.service_hours == pytest.approx(24.0)
    assert result.coordinators == 1
    # λ = 2/168 per hour, service 24 h: a = 0.2857 on 1 server; C = a.
    assert result.p_start == pytest.approx(1 - (2 / 7) * pytest.importorskip("math").exp(
        -(1 / 24 - 2 / 168) * 24))
    assert result.needed[("start", 0.8)] == 1
    assert result.curve


def test_a_forecast_is_kept_per_region_and_language_for_its_period(db):
    from django.utils import translation

    from kring.reports.capacity import FORECAST_KEPT, _forget_kept, kept

    _forget_kept()
    region = f.region("utrecht")
    period = FORECAST_KEPT.total_seconds()
    now = timezone.now()
    now -= timedelta(seconds=now.timestamp() % period - 60)  # a minute into a period: no edge in reach
    made = []

    def chart(forecast):
        made.append(translation.get_language())
        return f"chart {forecast.requests}"

    with translation.override("nl"):
        first, first_chart = kept(region, chart, now=now)
        f.CaseFactory(region=region, submitted_at=now - timedelta(days=1), family=False)
        again, _ = kept(region, chart, now=now + timedelta(seconds=1))
        assert again is first and made == ["nl"]  # the same period: kept, not computed again
    with translation.override("en"):
        kept(region, chart, now=now)
    assert made == ["nl", "en"]  # each language its own chart
    with translation.override("nl"):
        later, later_chart = kept(region, chart, now=now + FORECAST_KEPT)
    assert later.requests == first.requests + 1 and later_chart != first_chart  # the next period sees the new request
