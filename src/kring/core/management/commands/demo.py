"""`manage.py demo` (`kring demo`): load made-up demo data, idempotently."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kring.core.demo import load_demo


class Command(BaseCommand):
    help = (
        "Create demo accounts (one password, one TOTP secret) and about 200 made-up cases "
        "in every state. Running it again adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true",
            help="load demo data even though neither KRING_DEMO nor KRING_DEBUG is on",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Demo accounts share a published password and second factor: never on a real site.
        if not (settings.DEMO or settings.DEBUG or options["force"]):
            raise CommandError(
                "Demo data holds accounts with a published password. Set KRING_DEMO=1 "
                "(or use `kring demo`) to load it."
            )
        load_demo(stdout=self.stdout)
