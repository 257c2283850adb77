"""`kring manage refresh_figures [--full]`: bring the dashboard summaries up to date now.

Without `--full` it does what the worker does every minute (only the months that changed);
with `--full` it rebuilds every summary from the case tables, e.g. after a bulk load.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kring.reports.refresh import refresh


class Command(BaseCommand):
    help = "Bring the dashboard summaries up to date (--full: rebuild them from the case tables)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="rebuild every summary")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        units = refresh(full=options["full"], wait=600)
        if units is None:
            raise CommandError("Another refresh has been running for 10 minutes; try again when it is done.")
        self.stdout.write(f"{'full rebuild' if units.full else f'{units.marks} changes'}: "
                          f"{len(units.case_months)} case months, {len(units.offer_months)} offer months "
                          f"in {time.perf_counter() - started:.1f} s")
