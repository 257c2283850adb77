"""`kring manage destroy_expired`: what the retention rules ask for today.

The worker host runs it once a day (cron or a systemd timer beside `kring worker`;
see docs/security.md). It is safe to run again at any moment.
"""

from django.core.management.base import BaseCommand

from kring.privacy.services import destroy_expired


class Command(BaseCommand):
    help = ("Destroy case files 20 years after the care ended, carry out approved destruction "
            "requests and delete access-log rows older than 5 years; anonymous figures remain.")

    def handle(self, *args, **options):
        report = destroy_expired()
        self.stdout.write(
            f"destroyed (retention): {report.expired}; destroyed (request): {report.requested}; "
            f"access-log rows deleted: {report.access_log_rows}"
        )
        if report.overdue_undecided:
            self.stderr.write("undecided destruction requests past 3 months: "
                              + ", ".join(report.overdue_undecided))
