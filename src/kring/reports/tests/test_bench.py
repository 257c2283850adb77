"""`bench_dashboards` runs end to end on a small synthetic database (its figures are never asserted)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from kring.cases.models import Case
from kring.reports.models import CaseMonth
from kring.testing import factories as f


def test_the_benchmark_builds_reuses_and_prints(db):
    out = io.StringIO()
    call_command("bench_dashboards", cases=60, repeat=1, coordinators=5, stdout=out)
    assert Case.objects.count() == 60
    assert CaseMonth.objects.exists()  # the summaries were built before the pages were asked
    call_command("bench_dashboards", cases=60, repeat=1, coordinators=5, raw=True, stdout=out)
    assert Case.objects.count() == 60  # reused
    text = out.getvalue()
    assert "policy figures (country, 12 months)" in text and "median" in text and "p95" in text
    assert "summaries rebuilt" in text and "straight from the case tables" in text


def test_the_benchmark_refuses_a_database_with_real_cases(db):
    f.CaseFactory()
    with pytest.raises(CommandError):
        call_command("bench_dashboards", cases=10, repeat=1, stdout=io.StringIO())
