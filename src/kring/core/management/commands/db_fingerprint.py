import json

from django.core.management.base import BaseCommand

from kring.core.backup import table_fingerprints


class Command(BaseCommand):
    help = "Print the row count and checksum of every table as JSON (used by the restore drill)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(table_fingerprints(), indent=1, sort_keys=True))
