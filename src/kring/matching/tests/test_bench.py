"""The benchmark command prints its figures and checks the optimum (no times asserted)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kring.matching.bench import run_size
from kring.matching.synthetic import make_pool


def test_the_benchmark_prints_every_method_and_an_independent_optimum_check():
    out = StringIO()
    call_command("bench_matching", "--sizes", "30x10,60x20", "--seed", "3", "--repeat", "1", stdout=out)
    text = out.getvalue()
    assert "30 requests x 10 coordinators" in text and "60 requests x 20 coordinators" in text
    for label in ["optimiser (min-cost flow)", "greedy, first come first served", "one by one"]:
        assert label in text
    assert text.count("same objective") == 4  # dense and sparse, per size
    assert "DIFFERENT" not in text


def test_the_optimiser_beats_greedy_on_a_synthetic_pool():
    result = run_size(make_pool(300, 60, seed=5), repeat=1)
    optimal, greedy = result.figures["optimal"], result.figures["greedy"]
    assert optimal.share_of_optimum == 1.0 and all(same for _, _, same in result.checks)
    assert optimal.wishes_met_count > greedy.wishes_met_count
    assert optimal.urgent_matched >= greedy.urgent_matched
    assert optimal.matched >= greedy.matched


def test_synthetic_pools_are_reproducible():
    assert make_pool(50, 10, seed=7) == make_pool(50, 10, seed=7)


def test_a_bad_size_is_refused():
    with pytest.raises(CommandError):
        call_command("bench_matching", "--sizes", "lots", stdout=StringIO())
