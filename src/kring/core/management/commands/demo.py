"""`manage.py demo` (`kring demo`): load made-up demo data, idempotently; or, with `--scale N`,
generate a national-size data set of N cases for benchmarks (`kring.core.scale`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kring.core.demo import load_demo


class Command(BaseCommand):
    help = (
        "Create demo accounts (one password, one TOTP secret) and about 200 made-up cases "
        "in every state. Running it again adds nothing. With --scale N: generate N made-up cases "
        "over ten years with everything around them, in bulk, into the database DATABASE_URL points at."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true",
            help="load demo data even though neither KRING_DEMO nor KRING_DEBUG is on",
        )
        parser.add_argument("--scale", type=int, metavar="N",
                            help="generate N cases (e.g. 1000000 for the national data set)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed for --scale (default 2026)")
        parser.add_argument("--append", action="store_true",
                            help="with --scale: add to a database that already holds cases")
        parser.add_argument("--no-analyze", action="store_true",
                            help="with --scale: skip updating the planner statistics at the end")
        parser.add_argument("--workers", type=int, metavar="N",
                            help="with --scale: processes that generate and write (default: one per core)")

    def handle(self, *args: Any, **options: Any) -> None:
        # Demo accounts share a published password and second factor: never on a real site.
        if not (settings.DEMO or settings.DEBUG or options["force"]):
            raise CommandError(
                "Demo data holds accounts with a published password. Set KRING_DEMO=1 "
                "(or use `kring demo`) to load it."
            )
        if options["scale"] is None:
            if options["append"]:
                raise CommandError("--append goes with --scale.")
            load_demo(stdout=self.stdout)
            return
        if options["scale"] < 1:
            raise CommandError("--scale needs a number of cases of at least 1.")
        from kring.core.scale import CasesExist, generate

        try:
            generate(options["scale"], seed=options["seed"], append=options["append"], out=self.stdout,
                     analyze=not options["no_analyze"], workers=options["workers"])
        except CasesExist as exc:
            raise CommandError(str(exc)) from exc
