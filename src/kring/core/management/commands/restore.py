from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kring.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database's content with a snapshot made by `kring backup`."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, **options):
        if not options["yes"]:
            answer = input("This replaces everything in the database. Type 'restore' to go on: ")
            if answer.strip() != "restore":
                raise CommandError("restore cancelled")
        try:
            restore(Path(options["path"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("restored")
