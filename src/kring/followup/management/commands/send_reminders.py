"""Send the due follow-up reminders once, or keep doing it (`--loop`) until SIGTERM.

`kring worker` already runs this loop in a thread next to the task worker; run
this command on its own only to send reminders without the task worker.
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from kring.followup.dispatch import run_loop, send_due_reminders


class Command(BaseCommand):
    help = "Send due follow-up reminders (once, or with --loop until stopped)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running; stop with SIGTERM or Ctrl+C")
        parser.add_argument("--interval", type=float, default=None, help="seconds between rounds")

    def handle(self, *args, loop: bool = False, interval: float | None = None, **options):
        if not loop:
            stats = send_due_reminders()
            self.stdout.write(f"sent {stats.sent}, retried {stats.retried}, failed {stats.failed}, "
                              f"cancelled {stats.cancelled}")
            return
        stop = threading.Event()

        def _stop(signum, frame):
            self.stdout.write("stopping after the current reminder")
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        run_loop(stop, interval=interval)
