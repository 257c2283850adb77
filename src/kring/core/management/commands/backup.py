from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from kring.core.backup import backup


class Command(BaseCommand):
    help = "Write a consistent snapshot of the database (SQLite backup API or pg_dump)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="file to write (default: data/backups/kring-<time>)")

    def handle(self, *args, **options):
        from django.conf import settings

        path = options["path"] or settings.DATA_DIR / "backups" / f"kring-{timezone.now():%Y%m%d-%H%M%S}.backup"
        written = backup(Path(path))
        self.stdout.write(f"backup written to {written} ({written.stat().st_size:,} bytes)")
