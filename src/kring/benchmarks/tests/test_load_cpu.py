"""`kring bench load` splits the CPU per request by side; each process counts from its own start."""

from __future__ import annotations


def test_cpu_used_counts_each_process_from_its_own_start():
    from kring.benchmarks.load import cpu_used

    before = {"web": {1: 2.0, 2: 5.0}, "database": {7: 1.0}, "generator": {9: 3.0}}
    after = {"web": {1: 2.5, 3: 0.25}, "database": {7: 1.5}, "generator": {9: 3.5}}
    # Process 2 ended (missed), process 3 started (counted from zero).
    assert cpu_used(before, after) == {"web": 0.75, "database": 0.5, "generator": 0.5}
    assert cpu_used(None, after) is None
