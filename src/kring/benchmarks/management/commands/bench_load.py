"""`manage.py bench_load` (`kring bench load`): throughput of a mix of roles, and of the floor.

See `kring.benchmarks.load` for the method. It signs in 5 sessions per user
(one per role per user) and removes them afterwards; the pages write what they
always write (access-log rows, the sessions' last-seen time).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kring.benchmarks.load import (
    alternate,
    phase_json,
    phase_table,
    start_server,
    stop_server,
    temporary_log_dir,
    warm_up,
)
from kring.benchmarks.scenario import (
    FLOOR,
    end_sessions,
    family_session,
    pages,
    pick_scenario,
    skipped,
    staff_session,
)

from .bench_pages import database_url, describe_database, rerun_with_database


class Command(BaseCommand):
    help = ("Serve the site with gunicorn on loopback and drive it with a mix of roles, then with the "
            "floor only; print throughput and p50/p95/p99 per page, errors, and mix/floor.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=float, default=60, help="length of each phase (default %(default)s)")
        parser.add_argument("--rounds", type=int, default=4,
                            help="the mix and the floor take turns this many times (default %(default)s)")
        parser.add_argument("--users", type=int, default=8, help="concurrent users (default %(default)s)")
        parser.add_argument("--workers", type=int, default=min(4, 2 * (os.cpu_count() or 1)),
                            help="gunicorn workers (default: two per core, at most 4: %(default)s)")
        parser.add_argument("--cases-db", metavar="URL_OR_NAME", help="run against this database (see bench pages)")
        parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
        parser.add_argument("--keep-logs", action="store_true", help="keep gunicorn's logs (their folder is printed)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cases_db"]:
            argv = ["load", "--seconds", str(options["seconds"]), "--rounds", str(options["rounds"]),
                    "--users", str(options["users"]),
                    "--workers", str(options["workers"])]
            if options["json"]:
                argv += ["--json", options["json"]]
            if options["keep_logs"]:
                argv.append("--keep-logs")
            rerun_with_database(database_url(options["cases_db"]), argv)
            return
        if options["users"] < 1 or options["seconds"] <= 0 or options["workers"] < 1 or options["rounds"] < 1:
            raise CommandError("--users, --seconds, --rounds and --workers must be positive")
        scenario = pick_scenario()
        every = pages(scenario)
        floor = [p for p in every if p.name == FLOOR]
        mix = [p for p in every if p.name != FLOOR]
        sessions = [{**{role: staff_session(user) for role, user in scenario.users.items()},
                     "family": family_session(scenario.parent)} for _ in range(options["users"])]
        log_dir = temporary_log_dir()
        server = None
        try:
            server = start_server(workers=options["workers"], log_dir=log_dir)
            problems = warm_up(server, every, sessions[0], rounds=options["workers"])
            if problems:
                raise CommandError("pages did not answer as expected before the run:\n  " + "\n  ".join(problems))
            mixed, bare, ratios = alternate(server, mix, floor, sessions, seconds=options["seconds"],
                                            rounds=options["rounds"])
        finally:
            if server is not None:
                stop_server(server)
            end_sessions(key for user in sessions for key in user.values())
            if not options["keep_logs"]:
                shutil.rmtree(log_dir, ignore_errors=True)
        ratio = mixed.throughput / bare.throughput if bare.throughput else float("nan")
        self.stdout.write(
            f"Kring bench load: {describe_database()}, {scenario.cases_in_database:,} cases, gunicorn with "
            f"{options['workers']} workers on loopback, {options['users']} users, {options['seconds']:g} s per phase "
            f"in {options['rounds']} turns"
            + (f"; not measured: {', '.join(skipped(scenario))}" if skipped(scenario) else ""))
        self.stdout.write("")
        self.stdout.write(phase_table(mixed))
        self.stdout.write("")
        self.stdout.write(phase_table(bare))
        self.stdout.write("")
        self.stdout.write(f"mixed / floor throughput: {mixed.throughput:.1f} / {bare.throughput:.1f} = {ratio:.2f}"
                          f" (turns: {', '.join(f'{r:.2f}' for r in ratios)}); errors: {mixed.errors + bare.errors}")
        if options["keep_logs"]:
            self.stdout.write(f"logs: {log_dir}")
        if options["json"]:
            Path(options["json"]).write_text(json.dumps({
                "database": describe_database(), "cases": scenario.cases_in_database,
                "workers": options["workers"], "users": options["users"], "seconds": options["seconds"],
                "mixed": phase_json(mixed), "floor": phase_json(bare), "ratio": round(ratio, 3),
                "rounds": options["rounds"], "round_ratios": [round(r, 3) for r in ratios],
            }, indent=2))
        if mixed.errors or bare.errors:
            raise CommandError(f"{mixed.errors + bare.errors} requests failed")
