"""`kring bench load` splits the CPU per request by side, counting workers that ended too."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from kring.benchmarks.load import _processes, _tree_cpu, cpu_used


def test_cpu_used_is_the_difference_per_side():
    before = {"web": 2.0, "database": 1.0, "generator": 3.0}
    after = {"web": 2.75, "database": 1.5, "generator": 3.5}
    assert cpu_used(before, after) == {"web": 0.75, "database": 0.5, "generator": 0.5}
    assert cpu_used(None, after) is None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux only)")
def test_a_server_keeps_the_cpu_of_a_worker_that_ended():
    """A parent that runs one busy child after another: the tree's CPU only grows."""
    code = ("import subprocess, sys, time\n"
            "for _ in range(3):\n"
            "    subprocess.run([sys.executable, '-c', 'import time\\nend=time.process_time()+0.3\\n"
            "while time.process_time()<end: pass'])\n"
            "time.sleep(5)\n")
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        seen = []
        for _ in range(40):
            seen.append(_tree_cpu(parent.pid, _processes()))
            time.sleep(0.05)
        assert seen == sorted(seen), seen  # never drops when a child ends and is reaped
        assert seen[-1] >= 0.6, seen  # at least two finished children's 0.3 s each
    finally:
        parent.kill()
        parent.wait()


def test_turns_of_a_phase_add_up_to_one_phase():
    from collections import Counter

    from kring.benchmarks.load import PageLoad, Phase, combined
    from kring.benchmarks.scenario import Page

    page = Page("coordinator", "case page", "/cases/1/", 1)
    first = Phase("mixed", 2.0, 4, {page.key: PageLoad(page, [0.1, 0.2], Counter({"status 500": 1}))},
                  {"web": 1.0, "database": 0.5, "generator": 0.1})
    second = Phase("mixed", 3.0, 4, {page.key: PageLoad(page, [0.3], Counter({"status 500": 2}))},
                   {"web": 2.0, "database": 0.25, "generator": 0.1})
    both = combined([first, second])
    assert both.seconds == 5.0 and both.ok == 3 and both.errors == 3
    assert both.pages[page.key].times == [0.1, 0.2, 0.3]
    assert both.cpu == {"web": 3.0, "database": 0.75, "generator": 0.2}
    assert both.throughput == 3 / 5.0
    assert first.pages[page.key].times == [0.1, 0.2]  # the turns themselves are left as they were
