"""`kring manage send_reminders` and `kring bench worker` (figures printed, never asserted)."""

from __future__ import annotations

import io
import threading

from django.core.management import call_command

from kring.followup.dispatch import run_loop
from kring.followup.models import Reminder, ReminderStatus


def test_send_reminders_sends_what_is_due(accepted, clock):
    first = accepted.case.reminders.order_by("due_at").first()
    clock.move_to(first.due_at)
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().startswith("sent 2,")  # the monitor's and the convenor's first reminder


def test_the_loop_stops_when_asked(accepted, clock):
    clock.move_to(accepted.case.reminders.order_by("due_at").first().due_at)
    stop = threading.Event()
    stop.set()
    run_loop(stop, interval=0)  # returns at once, sends nothing
    assert not Reminder.objects.filter(status=ReminderStatus.SENT).exists()


def test_bench_worker_prints_reminders_per_second(db):
    out = io.StringIO()
    call_command("bench_worker", "--count", "60", stdout=out)
    assert "reminders/s" in out.getvalue()
    assert "60 due, 60 sent" in out.getvalue()
    assert not Reminder.objects.exists()  # the benchmark case is removed again
