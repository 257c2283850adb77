"""The reminder of the day before: through the worker, once, and only when it still makes sense."""

from __future__ import annotations

from datetime import timedelta

from kring.cases.models import Case, State
from kring.conferences import services
from kring.conferences.models import Invitation, Response
from kring.conferences.tasks import send_invitation_reminder
from kring.testing.helpers import run_worker

from .conftest import REMINDER_DUE, STARTS


def _subjects(smtp_server) -> list[str]:
    return [m["Subject"] for m in smtp_server.messages]


def _reminders(smtp_server) -> list:
    return [m for m in smtp_server.messages if "morgen" in m["Subject"] or "tomorrow" in m["Subject"]]


def test_the_reminder_goes_out_once_the_day_before(conference, circle, world, smtp_server, sms_outbox, clock):
    [invitation] = services.invitation_send(conference=conference, members=[circle.ans],
                                            channels=["email", "sms"], by=world.coordinator)
    run_worker()
    assert len(smtp_server.messages) == 1 and len(sms_outbox) == 1  # the invitation itself

    clock.move_to(REMINDER_DUE - timedelta(minutes=1))
    run_worker()
    assert len(smtp_server.messages) == 1 and len(sms_outbox) == 1  # not yet

    clock.move_to(REMINDER_DUE + timedelta(minutes=1))
    run_worker()
    [reminder] = _reminders(smtp_server)
    assert reminder["To"] == "ans@example.org"
    assert "vrijdag" not in reminder["Subject"] and "5 december 2026" in reminder["Subject"]
    body = reminder.get_payload(decode=True).decode()
    assert body.startswith("Hallo Ans,")
    assert services.invitation_url(invitation) in body  # the same link still works
    assert len(sms_outbox) == 2 and "morgen" in sms_outbox[1].text
    invitation.refresh_from_db()
    assert invitation.reminder_sent_at is not None

    clock.move_to(REMINDER_DUE + timedelta(hours=3))
    run_worker()
    assert len(_reminders(smtp_server)) == 1 and len(sms_outbox) == 2


def test_the_reminder_is_claimed_once_even_when_the_task_runs_twice(conference, circle, world, smtp_server,
                                                                    clock):
    [invitation] = services.invitation_send(conference=conference, members=[circle.ans], channels=["email"],
                                            by=world.coordinator)
    clock.move_to(REMINDER_DUE + timedelta(minutes=1))
    arguments = {"invitation_id": invitation.pk, "starts_at": STARTS.isoformat(),
                 "sent_at": invitation.sent_at.isoformat()}
    assert send_invitation_reminder.call(**arguments) == "sent"
    assert send_invitation_reminder.call(**arguments) == "not due"
    assert len(_reminders(smtp_server)) == 1


def test_no_reminder_for_someone_who_declined(conference, circle, world, smtp_server, sms_outbox, clock):
    invitations = services.invitation_send(conference=conference, members=[circle.ans, circle.cees],
                                           channels=["email", "sms"], by=world.coordinator)
    run_worker()
    Invitation.objects.filter(member=circle.ans).update(response=Response.DECLINED)
    clock.move_to(REMINDER_DUE + timedelta(minutes=1))
    run_worker()
    assert _reminders(smtp_server) == []
    reminded = [m for m in sms_outbox if "morgen" in m.text]
    assert [m.to for m in reminded] == ["+31634567890"]  # Cees only
    assert {i.member_id: Invitation.objects.get(pk=i.pk).reminder_sent_at is not None for i in invitations} == {
        circle.ans.pk: False, circle.cees.pk: True}


def test_no_reminder_when_the_date_changed(conference, circle, world, smtp_server, clock):
    services.invitation_send(conference=conference, members=[circle.ans], channels=["email"], by=world.coordinator)
    services.conference_save(case=conference.case, by=world.coordinator, starts_at=STARTS + timedelta(days=7),
                             venue=conference.venue)
    clock.move_to(REMINDER_DUE + timedelta(minutes=1))
    run_worker()
    assert _reminders(smtp_server) == []


def test_no_reminder_when_the_conference_was_cancelled(conference, circle, world, smtp_server, clock):
    services.invitation_send(conference=conference, members=[circle.ans], channels=["email"], by=world.coordinator)
    Case.objects.filter(pk=conference.case_id).update(state=State.CANCELLED)
    clock.move_to(REMINDER_DUE + timedelta(minutes=1))
    run_worker()
    assert _reminders(smtp_server) == []


def test_sending_again_gives_one_reminder_with_the_new_link(conference, circle, world, smtp_server, clock):
    services.invitation_send(conference=conference, members=[circle.ans], channels=["email"], by=world.coordinator)
    clock.move_to(REMINDER_DUE - timedelta(days=1))
    [again] = services.invitation_send(conference=conference, members=[circle.ans], channels=["email"],
                                       by=world.coordinator)
    clock.move_to(REMINDER_DUE + timedelta(minutes=1))
    run_worker()
    [reminder] = _reminders(smtp_server)
    assert services.invitation_url(again) in reminder.get_payload(decode=True).decode()


def test_no_reminder_when_invited_on_the_day_before(conference, circle, world, smtp_server, clock):
    clock.move_to(REMINDER_DUE + timedelta(hours=2))
    services.invitation_send(conference=conference, members=[circle.ans], channels=["email"], by=world.coordinator)
    clock.move_to(REMINDER_DUE + timedelta(hours=5))
    run_worker()
    assert len(smtp_server.messages) == 1 and _reminders(smtp_server) == []
