"""`kring bench load` serves the site with gunicorn and drives it for a few seconds without errors."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection

from kring.benchmarks.scenario import pages, pick_scenario

from .world import make_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _database_url(tmp_path) -> str:
    """The test database for another process: a file copy (SQLite), or the same database (PostgreSQL)."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "bench.sqlite3"
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_bench_load_runs_a_mix_and_the_floor_without_errors(flushable_access_log, tmp_path):
    from kring.regions.loading import load_regions
    from kring.regions.models import Municipality, Region

    if not Municipality.objects.exists():  # an earlier transactional test flushed them
        load_regions(Region, Municipality)
    make_world()
    out = tmp_path / "load.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KRING_", "DJANGO_", "DATABASE_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="kring.settings", KRING_DATA_DIR=str(tmp_path),
               DATABASE_URL=_database_url(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "kring.cli", "bench", "load", "--seconds", "2", "--rounds", "2", "--users", "2",
         "--workers", "2", "--json", str(out)],
        env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(out.read_text())
    assert figures["mixed"]["errors"] == 0 and figures["floor"]["errors"] == 0
    assert figures["mixed"]["ok"] > 0 and figures["floor"]["ok"] > 0 and figures["ratio"] > 0
    assert len(figures["round_ratios"]) == 2 and all(r > 0 for r in figures["round_ratios"])
    assert {p["page"] for p in figures["floor"]["pages"]} == {"floor"}
    mixed_pages = {(p["role"], p["page"]) for p in figures["mixed"]["pages"]}
    assert mixed_pages == {(p.role, p.name) for p in pages(pick_scenario()) if p.name != "floor"}
    assert "mixed / floor throughput" in result.stdout
    if os.path.exists("/proc/self/stat"):  # CPU by side, read from /proc: the web workers did the work
        for phase in ("mixed", "floor"):
            cpu = figures[phase]["cpu_ms_per_request"]
            assert set(cpu) == {"web", "database", "generator"} and cpu["web"] > 0, cpu
            assert (cpu["database"] > 0) == (connection.vendor == "postgresql"), cpu
        assert "CPU per request: web" in result.stdout

