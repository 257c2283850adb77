"""The dispatcher: one claim wins, failures back off, keep failing → visible to the regional manager."""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock

from django.core import mail

from kring.cases.models import Case, State
from kring.followup import dispatch
from kring.followup.messages import message_id
from kring.followup.models import Reminder, ReminderKind, ReminderStatus

from .conftest import AMS, NOW


def _first_monitor(accepted) -> Reminder:
    return accepted.case.reminders.filter(kind=ReminderKind.MONITOR).order_by("due_at").first()


def test_only_one_claim_wins(accepted, clock):
    reminder = _first_monitor(accepted)
    clock.move_to(reminder.due_at)
    first = dispatch.claim(reminder.pk)
    assert first is not None
    assert dispatch.claim(reminder.pk) is None  # a second loop gets nothing
    reminder.refresh_from_db()
    assert (reminder.status, reminder.claim_token, reminder.attempts) == (ReminderStatus.SENDING, first, 1)


def test_a_claim_of_a_dead_worker_is_taken_over_after_the_stale_time(accepted, clock, settings):
    settings.FOLLOWUP_STALE_CLAIM_SECONDS = 600
    reminder = _first_monitor(accepted)
    clock.move_to(reminder.due_at)
    assert dispatch.claim(reminder.pk)  # ... and the worker dies
    dispatch.send_due_reminders()  # the convenor's reminder of the same moment goes; the claimed one not
    assert message_id(reminder) not in [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.SENDING
    clock.move_to(reminder.due_at + timedelta(minutes=11))
    assert dispatch.send_due_reminders().sent == 1
    assert [m.extra_headers["Message-ID"] for m in mail.outbox].count(message_id(reminder)) == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.SENT, 2)


def test_the_message_id_is_the_same_on_every_attempt(accepted):
    reminder = _first_monitor(accepted)
    assert message_id(reminder) == message_id(reminder.pk) == f"<reminder-{reminder.pk}@localhost>"


def test_a_failing_send_is_retried_with_back_off_then_marked_failed(accepted, clock, settings):
    settings.FOLLOWUP_MAX_ATTEMPTS = 3
    settings.FOLLOWUP_RETRY_BASE_SECONDS = 60
    reminder = _first_monitor(accepted)
    Reminder.objects.exclude(pk=reminder.pk).delete()
    clock.move_to(reminder.due_at)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("mail server down")):
        assert dispatch.send_due_reminders().retried == 1
        reminder.refresh_from_db()
        assert reminder.status == ReminderStatus.SCHEDULED
        assert reminder.next_attempt_at == reminder.due_at + timedelta(seconds=60)
        clock.move_to(reminder.due_at + timedelta(seconds=59))
        assert dispatch.send_due_reminders().handled == 0  # still waiting
        clock.move_to(reminder.due_at + timedelta(seconds=60))
        assert dispatch.send_due_reminders().retried == 1
        reminder.refresh_from_db()
        assert reminder.next_attempt_at == reminder.due_at + timedelta(seconds=60 + 120)
        clock.move_to(reminder.next_attempt_at)
        assert dispatch.send_due_reminders().failed == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.FAILED, 3)
    assert "mail server down" in reminder.last_error
    assert mail.outbox == []


def test_the_regional_manager_sees_and_resends_a_failed_reminder(accepted, clock, as_user):
    reminder = _first_monitor(accepted)
    Reminder.objects.filter(pk=reminder.pk).update(status=ReminderStatus.FAILED, attempts=5,
                                                   last_error="SMTPRecipientsRefused")
    client = as_user(accepted.world.manager)
    page = client.get("/followup/failures/")
    assert page.status_code == 200
    assert b"SMTPRecipientsRefused" in page.content and accepted.case.reference.encode() in page.content
    assert as_user(accepted.world.stranger_manager).get("/followup/failures/").content.count(
        accepted.case.reference.encode()) == 0
    client = as_user(accepted.world.manager)
    response = client.post("/followup/failures/retry/", {"reminder": reminder.pk})
    assert response.status_code == 302
    dispatch.send_due_reminders()
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message_id(reminder)]


def test_someone_without_e_mail_gets_a_text_message(accepted, clock, sms_outbox):
    aunt = accepted.circle.aunt
    aunt.email, aunt.phone = "", "06 12345678"
    aunt.save()
    reminder = _first_monitor(accepted)
    clock.move_to(reminder.due_at)
    dispatch.send_due_reminders()
    assert mail.outbox == [] or all(m.to != [aunt.email] for m in mail.outbox)
    assert [m.to for m in sms_outbox] == ["+31612345678"]
    assert "/followup/c/" in sms_outbox[0].text
    assert Reminder.objects.get(pk=reminder.pk).delivered_via == "sms"


def test_nobody_to_reach_fails_at_once(accepted, clock):
    aunt = accepted.circle.aunt
    aunt.email = ""
    aunt.save()
    reminder = _first_monitor(accepted)
    clock.move_to(reminder.due_at)
    dispatch.send_due_reminders()
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.FAILED


def test_reminders_of_a_closed_case_are_cancelled_not_sent(accepted, clock):
    Case.objects.filter(pk=accepted.case.pk).update(state=State.CLOSED)
    clock.move_to(datetime(2027, 3, 1, tzinfo=AMS))
    stats = dispatch.send_due_reminders()
    assert stats.sent == 0 and stats.cancelled > 0
    assert mail.outbox == []


def test_messages_to_the_circle_never_name_the_family(accepted, clock):
    clock.move_to(NOW + timedelta(weeks=2, hours=2))
    dispatch.send_due_reminders()
    family_words = ["el Amrani", "Yasmina", accepted.case.reference]
    circle = [m for m in mail.outbox if m.to[0] != accepted.world.coordinator.email]
    assert circle
    for message in circle:
        for word in family_words:
            assert word not in message.subject and word not in message.body.replace(
                message.to[0], ""), (word, message.body)


def test_a_message_refused_at_the_end_is_put_back_unsent(accepted, clock, settings):
    """The row is marked sent before the final dot; a refusal there undoes the mark."""
    from aiosmtpd.controller import Controller

    from kring.testing.smtp import Inbox, free_port

    class RefusingAtTheDot(Inbox):
        async def handle_DATA(self, server, session, envelope):
            return "554 5.7.1 not today"

    controller = Controller(RefusingAtTheDot(), hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    try:
        reminder = _first_monitor(accepted)
        Reminder.objects.exclude(pk=reminder.pk).delete()
        clock.move_to(reminder.due_at)
        assert dispatch.send_due_reminders().retried == 1
    finally:
        controller.stop()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sent_at, reminder.delivered_via) == (ReminderStatus.SCHEDULED, None, "")
    assert reminder.next_attempt_at > reminder.due_at
    assert "554" in reminder.last_error


def test_through_a_real_mail_server_each_due_reminder_arrives_once(accepted, clock, smtp_server):
    due = accepted.case.reminders.filter(kind__in=[ReminderKind.MONITOR, ReminderKind.CONVENOR])
    first = due.order_by("due_at").first()
    clock.move_to(first.due_at)
    stats = dispatch.send_due_reminders()
    sent = Reminder.objects.filter(status=ReminderStatus.SENT)
    assert stats.sent == sent.count() >= 1
    assert sorted(m["Message-ID"] for m in smtp_server.messages) == sorted(message_id(r) for r in sent)
