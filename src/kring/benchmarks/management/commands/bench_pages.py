"""`manage.py bench_pages` (`kring bench pages`): every role's pages against the floor, in-process.

Runs against the configured database (DATABASE_URL) and the data in it; see
`kring.benchmarks.pages` for the method. Writes only what a page read writes
(its access-log row, the session's last-seen time) and the sessions it signs
in with, which it removes again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from kring.benchmarks.pages import as_json, measure, table
from kring.benchmarks.scenario import pick_scenario, skipped


def database_url(value: str) -> str:
    """A database URL, or just a PostgreSQL database name put into the current DATABASE_URL."""
    if "://" in value:
        return value
    current = os.environ.get("DATABASE_URL", "")
    if not current.startswith(("postgres://", "postgresql://")):
        raise CommandError("--cases-db NAME needs a PostgreSQL DATABASE_URL to take the server from; "
                           "or give a whole URL.")
    base, _, _name = current.rpartition("/")
    return f"{base}/{value}"


def rerun_with_database(url: str, argv: list[str]) -> None:
    """Run the same benchmark in a fresh process against another database (settings are read at start)."""
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-m", "kring.cli", "bench", *argv], env=env, check=False)  # noqa: S603
    if done.returncode:
        raise CommandError(f"the benchmark against {url.rsplit('/', 1)[-1]} failed")


def describe_database() -> str:
    settings = connection.settings_dict
    name = Path(settings["NAME"]).name if connection.vendor == "sqlite" else settings["NAME"]
    return f"{connection.vendor} ({name})"


class Command(BaseCommand):
    help = "Median and p95 time and SQL queries of every role's pages and API reads, against the floor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=20, help="requests per page (default %(default)s)")
        parser.add_argument("--cases-db", metavar="URL_OR_NAME",
                            help="run against this database instead of DATABASE_URL (a PostgreSQL name is "
                                 "enough: the server of DATABASE_URL is kept)")
        parser.add_argument("--case", type=int, metavar="ID", help="measure this case (default: the newest "
                            "case with an accepted plan, a coordinator, a referrer and a portal parent)")
        parser.add_argument("--only", metavar="TEXT", help="only pages whose 'role: page' contains TEXT")
        parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cases_db"]:
            argv = ["pages", "--repeat", str(options["repeat"])]
            for name in ("case", "only", "json"):
                if options[name]:
                    argv += [f"--{name}", str(options[name])]
            rerun_with_database(database_url(options["cases_db"]), argv)
            return
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1")
        scenario = pick_scenario(options["case"])
        if scenario.made_second_factors:
            self.stderr.write(f"gave a TOTP authenticator to {', '.join(scenario.made_second_factors)} "
                              "(staff pages need one)")
        only = options["only"]
        results = measure(scenario, repeat=options["repeat"],
                          only=(lambda p: only.lower() in p.key.lower()) if only else None,
                          progress=lambda line: self.stderr.write(line))
        header = (f"Kring bench pages: {describe_database()}, {scenario.cases_in_database:,} cases, "
                  f"case {scenario.case.reference} (pk {scenario.case.pk}), {options['repeat']} requests "
                  "per page, in-process")
        if skipped(scenario):
            header += f"\nnot measured (no accepted plan in this database): {', '.join(skipped(scenario))}"
        self.stdout.write(table(results, header=header))
        if options["json"]:
            meta = {"database": describe_database(), "cases": scenario.cases_in_database,
                    "case_id": scenario.case.pk, "repeat": options["repeat"]}
            Path(options["json"]).write_text(json.dumps(as_json(results, meta=meta), indent=2))
        failed = [r.page.key for r in results if not r.ok]
        if failed:
            raise CommandError(f"not every page answered as expected: {', '.join(failed)}")
