"""Small helpers for the follow-up tests."""

from __future__ import annotations

from kring.followup import dispatch, services
from kring.followup.models import CheckIn, Reminder, ReminderKind


def send_now(reminder: Reminder) -> None:
    """Send one reminder now, whatever its due time."""
    Reminder.objects.filter(pk=reminder.pk).update(due_at=reminder.created_at)
    token = dispatch.claim(reminder.pk)
    assert token
    dispatch.process(reminder.pk, token)


def link_for(accepted, member, kind=None) -> tuple[CheckIn, str]:
    """Send the member's next check-in reminder and return its check-in and the token of its link."""
    reminders = accepted.case.reminders.filter(member=member, status="scheduled")
    if kind:
        reminders = reminders.filter(kind=kind)
    else:
        reminders = reminders.filter(kind__in=[ReminderKind.MONITOR, ReminderKind.CONVENOR, ReminderKind.CHECK_IN])
    reminder = reminders.order_by("due_at").first()
    send_now(reminder)
    check_in = CheckIn.objects.get(reminder=reminder)
    return check_in, services.check_in_token(check_in)


def ratings(check_in, *values, comment="") -> dict:
    data = {"action": "answer"}
    for agreement, value in zip(services.agreements_for(check_in), values, strict=True):
        data[f"rating_{agreement.pk}"] = value
        data[f"comment_{agreement.pk}"] = comment
    return data
