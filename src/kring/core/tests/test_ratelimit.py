"""Rate limits on costly and bulk functions: 429 with a translated page, per person, per window."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.core import ratelimit
from kring.testing.helpers import login

EXPORT = ("/dashboard/export/", {"date_from": "2025-01-01", "date_to": "2025-03-31",
                                 "table": "requests_per_month", "format": "csv"})


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {"export": (2, 600), "api": (3, 60)}


def test_the_third_export_in_the_window_is_refused_in_dutch_and_runs_nothing(world, as_user, tight):
    client = as_user(world.manager)
    with time_machine.travel(timezone.now().replace(minute=1, second=0), tick=False):
        assert [client.get(*EXPORT).status_code for _ in range(2)] == [200, 200]
        logged = AccessLogEntry.objects.count()
        refused = client.get(*EXPORT)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 600
    text = refused.content.decode()
    assert "Te veel verzoeken" in text and "Probeer het over" in text
    assert AccessLogEntry.objects.count() == logged  # the export did not run


def test_the_limit_is_per_person_and_ends_with_the_window(world, as_user, client, tight):
    moment = timezone.now().replace(minute=1, second=0)
    with time_machine.travel(moment, tick=False):
        manager = as_user(world.manager)
        assert [manager.get(*EXPORT).status_code for _ in range(3)] == [200, 200, 429]
    other = login(client.__class__(), world.stranger_manager)
    with time_machine.travel(moment, tick=False):
        assert other.get(*EXPORT).status_code == 200  # another person is not slowed down
    with time_machine.travel(moment + timedelta(minutes=10), tick=False):
        assert manager.get(*EXPORT).status_code == 200  # a new window


def test_the_api_answers_429_json_past_its_limit(world, as_user, tight):
    client = as_user(world.coordinator)
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        codes = [client.get("/api/cases").status_code for _ in range(4)]
        refused = client.get("/api/cases")
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    assert refused.status_code == 429 and "detail" in refused.json()


def test_every_limited_url_name_exists():
    from django.urls import NoReverseMatch, reverse

    for name in ratelimit.LIMITED:
        try:
            reverse(name)
        except NoReverseMatch:
            reverse(name, args=[1])


def test_hit_counts_in_fixed_windows(db):
    assert [ratelimit.hit("t", 2, 60, now=120.0) for _ in range(3)] == [0, 0, 60]
    assert ratelimit.hit("t", 2, 60, now=150.0) == 30
    assert ratelimit.hit("t", 2, 60, now=180.0) == 0


def test_the_limits_are_on_in_the_real_settings():
    import kring.settings as real

    assert getattr(real, "RATE_LIMITS_ENABLED", True) is True
