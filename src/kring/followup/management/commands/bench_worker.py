"""`kring bench worker [--count N]`: reminders per second for N due reminders on the configured database.

Makes one throw-away case with 100 circle members and N due reminders (kind
"evaluation": a plain e-mail without a link), runs the dispatcher until all are
sent, prints the figures, and removes the case again. Mail goes to the dummy
backend (or `--backend locmem`/`smtp`), so the figures measure claiming,
building and marking, i.e. the database. Never asserted anywhere.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.mail import get_connection
from django.core.management.base import BaseCommand
from django.db import connection as db
from django.utils import timezone

from kring.cases.models import Case, Channel, LegalFrame, RequesterKind, TriggerMoment
from kring.followup.dispatch import send_due_reminders
from kring.followup.models import Reminder, ReminderKind, ReminderStatus
from kring.network.models import CircleMember
from kring.regions.models import Municipality

BACKENDS = {
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}


class Command(BaseCommand):
    help = "Benchmark the reminder dispatcher: reminders per second."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=100_000)
        parser.add_argument("--backend", choices=sorted(BACKENDS), default="dummy")
        parser.add_argument("--keep", action="store_true", help="keep the benchmark case afterwards")

    def handle(self, *args, count: int, backend: str, keep: bool, **options):
        municipality = Municipality.objects.select_related("region").order_by("pk").first()
        if municipality is None:
            self.stderr.write("no municipalities: run `kring migrate` first")
            return
        case = Case.objects.create(
            region=municipality.region, municipality=municipality, legal_frame=LegalFrame.VOLUNTARY,
            trigger_moment=TriggerMoment.OWN_INITIATIVE, situation="benchmark", channel=Channel.DEMO,
            requester_kind=RequesterKind.OTHER, requester_name="bench", requester_email="bench@example.org",
            state="follow_up")
        try:
            members = CircleMember.objects.bulk_create([
                CircleMember(case=case, name=f"Bench {i}", email=f"bench{i}@example.org") for i in range(100)])
            due = timezone.now() - timedelta(minutes=1)
            started = time.perf_counter()
            for start in range(0, count, 5000):
                Reminder.objects.bulk_create([
                    Reminder(case=case, kind=ReminderKind.EVALUATION, member=members[i % len(members)], due_at=due)
                    for i in range(start, min(count, start + 5000))])
            created = time.perf_counter() - started
            mail = get_connection(BACKENDS[backend])
            started = time.perf_counter()
            stats = send_due_reminders(connection=mail)
            elapsed = time.perf_counter() - started
            sent = Reminder.objects.filter(case=case, status=ReminderStatus.SENT).count()
            self.stdout.write(f"database:   {db.vendor} ({db.settings_dict.get('NAME')})")
            self.stdout.write(f"reminders:  {count} due, {stats.sent} sent, {sent} marked sent, "
                              f"{stats.failed} failed, {stats.retried} to retry")
            self.stdout.write(f"set-up:     {created:.1f} s ({count / created:,.0f} rows/s)")
            self.stdout.write(f"dispatch:   {elapsed:.1f} s")
            self.stdout.write(f"throughput: {stats.sent / elapsed:,.0f} reminders/s "
                              f"({elapsed / max(1, stats.sent) * 1000:.2f} ms each; e-mail backend: {backend})")
        finally:
            if not keep:
                case.delete()
