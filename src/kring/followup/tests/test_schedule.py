"""The schedule made when the plan is accepted, and six months of it on a moving clock."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from django.core import mail

from kring.followup.dispatch import send_due_reminders
from kring.followup.messages import message_id
from kring.followup.models import CheckIn, Outcome, Reminder, ReminderKind, ReminderStatus
from kring.followup.services import followup_schedule_create, reminder_change
from kring.testing.helpers import run_worker

from .conftest import AMS, NOW


def _schedule(case):
    return Counter((r.kind, r.member.name if r.member else r.user.username) for r in case.reminders.all())


def test_it_schedules_every_reminder_of_the_issue(accepted):
    c = accepted.circle
    assert _schedule(accepted.case) == {
        (ReminderKind.MONITOR, c.aunt.name): 4,
        (ReminderKind.CONVENOR, c.uncle.name): 4,
        (ReminderKind.CHECK_IN, c.mother.name): 3,
        (ReminderKind.EVALUATION, c.aunt.name): 1,
        (ReminderKind.EVALUATION, c.uncle.name): 1,
        (ReminderKind.EVALUATION, c.mother.name): 1,
        (ReminderKind.COORDINATOR_CALL, "coordinator"): 1,
        (ReminderKind.FEEDBACK, "professional"): 1,
        (ReminderKind.OUTCOME, "coordinator"): 3,
    }
    monitor = sorted(r.due_at for r in accepted.case.reminders.filter(kind=ReminderKind.MONITOR))
    assert monitor == [datetime(2027, 1, 18, 10, tzinfo=AMS), datetime(2027, 1, 25, 10, tzinfo=AMS),
                       datetime(2027, 2, 8, 10, tzinfo=AMS), datetime(2027, 3, 8, 10, tzinfo=AMS)]
    call = accepted.case.reminders.get(kind=ReminderKind.COORDINATOR_CALL)
    assert call.due_at == datetime(2027, 2, 8, 9, tzinfo=AMS)
    evaluation = accepted.case.reminders.filter(kind=ReminderKind.EVALUATION).first()
    assert evaluation.due_at.date() == accepted.version.evaluation_date - timedelta(days=7)
    assert [(o.months, o.due_on.isoformat()) for o in Outcome.objects.filter(case=accepted.case)] == [
        (3, "2027-04-11"), (6, "2027-07-11"), (12, "2028-01-11")]


def test_it_makes_the_schedule_once(accepted):
    before = accepted.case.reminders.count()
    assert followup_schedule_create(accepted.case) == []
    assert accepted.case.reminders.count() == before


def test_the_neighbour_without_address_gets_nothing(accepted):
    assert not accepted.case.reminders.filter(member=accepted.circle.neighbour).exists()


def test_six_months_every_reminder_once_to_the_right_person_and_nobody_else(accepted, clock):
    """Move the clock hour by hour through six months after the conference, running the worker each step."""
    case, c, w = accepted.case, accepted.circle, accepted.world
    expected_address = {r.pk: (r.member.email.lower() if r.member else r.user.email)
                        for r in case.reminders.all()}
    due_at = {r.pk: r.due_at for r in case.reminders.all()}
    seen: dict[str, int] = Counter()
    sent_at_step: dict[int, datetime] = {}
    end = datetime(2027, 7, 12, 9, tzinfo=AMS)  # six months and a day
    step = NOW
    while step <= end:
        clock.move_to(step)
        send_due_reminders()
        run_worker()  # and the task worker, as `kring worker` does
        for message in mail.outbox:
            seen[message.extra_headers["Message-ID"]] += 1
            pk = int(message.extra_headers["X-Kring-Reminder"])
            sent_at_step.setdefault(pk, step)
            assert [a.lower() for a in message.to] == [expected_address[pk]]
        mail.outbox.clear()
        step += timedelta(hours=6)

    inside = {pk for pk, due in due_at.items() if due <= end}
    assert set(sent_at_step) == inside
    assert all(count == 1 for count in seen.values()), seen
    assert set(seen) == {message_id(pk) for pk in inside}
    for pk, step_time in sent_at_step.items():  # on time: in the first round after it was due
        assert due_at[pk] <= step_time < due_at[pk] + timedelta(hours=6)
    statuses = Counter(case.reminders.values_list("status", flat=True))
    assert statuses == {ReminderStatus.SENT: len(inside), ReminderStatus.SCHEDULED: 1}  # the 12-month outcome
    assert case.reminders.get(status=ReminderStatus.SCHEDULED).note == "12"
    # Who got how many: the aunt 4 + 1, the uncle 4 + 1, the mother 3 + 1, coordinator 1 + 2, professional 1.
    got = Counter(expected_address[pk] for pk in sent_at_step)
    assert got == {c.aunt.email.lower(): 5, c.uncle.email: 5, c.mother.email: 4, w.coordinator.email: 3,
                   w.professional.email: 1}
    assert not any(w.manager.email == a or w.linked_professional.email == a for a in got)
    # Each link-carrying reminder made one check-in (the monitor's, convenor's and mother's links).
    assert CheckIn.objects.filter(case=case).count() == 11


def test_a_moved_reminder_goes_at_its_new_time_and_a_cancelled_one_never(accepted, clock):
    first, second = accepted.case.reminders.filter(kind=ReminderKind.MONITOR).order_by("due_at")[:2]
    reminder_change(reminder=first, by=accepted.world.coordinator, cancel=True)
    new_time = datetime(2027, 1, 20, 14, tzinfo=AMS)
    reminder_change(reminder=second, by=accepted.world.coordinator, due_at=new_time)
    clock.move_to(datetime(2027, 1, 20, 13, tzinfo=AMS))
    send_due_reminders()
    assert not [m for m in mail.outbox if m.to == [accepted.circle.aunt.email]]
    clock.move_to(new_time)
    send_due_reminders()
    assert [m.extra_headers["Message-ID"] for m in mail.outbox if m.to == [accepted.circle.aunt.email]] == [
        message_id(second)]
    first.refresh_from_db()
    assert first.status == ReminderStatus.CANCELLED


def test_a_professional_cannot_change_the_schedule(accepted):
    import pytest

    from kring.followup.services import FollowupRefused

    reminder = accepted.case.reminders.first()
    with pytest.raises(FollowupRefused):
        reminder_change(reminder=reminder, by=accepted.world.professional, cancel=True)
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.SCHEDULED


def test_a_plan_entered_late_does_not_flood_the_circle_with_old_reminders(world, clock):
    from .conftest import accept_plan

    accepted = accept_plan(world)
    Reminder.objects.filter(case=accepted.case).delete()
    clock.move_to(datetime(2027, 2, 20, 9, tzinfo=AMS))  # the schedule is made six weeks late
    followup_schedule_create(accepted.case)
    past = accepted.case.reminders.filter(due_at__lt=datetime(2027, 2, 19, 9, tzinfo=AMS))
    assert past.exists() and set(past.values_list("status", flat=True)) == {ReminderStatus.CANCELLED}
    assert send_due_reminders().sent == 0
    assert accepted.case.reminders.filter(status=ReminderStatus.SCHEDULED).exists()
