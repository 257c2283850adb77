"""Outcomes at 3, 6 and 12 months, prompted on the coordinator's list; the follow-up call as a task."""

from __future__ import annotations

from datetime import datetime

from kring.followup.dispatch import send_due_reminders
from kring.followup.models import Outcome, Reminder, ReminderKind, ReminderStatus

from .conftest import AMS

GOOD = {"plan_running": "partly", "child_lives": "network", "professional_help": "less",
        "family_satisfaction": "8", "professional_satisfaction": "7"}


def test_the_follow_up_call_is_a_task_on_the_coordinators_list(accepted, clock, as_user):
    client = as_user(accepted.world.coordinator)
    assert b'id="tasks"' not in client.get("/followup/tasks/").content
    clock.move_to(datetime(2027, 2, 8, 9, tzinfo=AMS))
    send_due_reminders()
    client = as_user(accepted.world.coordinator)  # signed in again: sessions end after 30 idle minutes
    page = client.get("/followup/tasks/")
    assert b'id="tasks"' in page.content and accepted.case.reference.encode() in page.content
    task = Reminder.objects.get(case=accepted.case, kind=ReminderKind.COORDINATOR_CALL)
    assert client.post("/followup/tasks/done/", {"reminder": task.pk}).status_code == 302
    task.refresh_from_db()
    assert task.status == ReminderStatus.DONE and task.done_by == accepted.world.coordinator
    assert b'id="tasks"' not in client.get("/followup/tasks/").content


def test_another_coordinator_cannot_tick_off_my_task(accepted, as_user):
    task = Reminder.objects.get(case=accepted.case, kind=ReminderKind.COORDINATOR_CALL)
    as_user(accepted.world.stranger_coordinator).post("/followup/tasks/done/", {"reminder": task.pk})
    task.refresh_from_db()
    assert task.done_at is None


def test_an_outcome_is_prompted_when_due_and_recorded_with_validation(accepted, clock, as_user):
    url = f"/cases/{accepted.case.pk}/followup/outcomes/3/"
    client = as_user(accepted.world.coordinator)
    early = client.post(url, GOOD)
    assert early.status_code == 400  # not due yet
    clock.move_to(datetime(2027, 4, 11, 9, tzinfo=AMS))
    send_due_reminders()
    client = as_user(accepted.world.coordinator)
    page = client.get("/followup/tasks/")
    assert b'id="outcomes-due"' in page.content
    assert client.post(url, {**GOOD, "family_satisfaction": "11"}).status_code == 400
    assert client.post(url, {**GOOD, "professional_satisfaction": "0"}).status_code == 400
    assert client.post(url, GOOD).status_code == 302
    outcome = Outcome.objects.get(case=accepted.case, months=3)
    assert (outcome.plan_running, outcome.child_lives, outcome.professional_help, outcome.family_satisfaction,
            outcome.professional_satisfaction) == ("partly", "network", "less", 8, 7)
    reminder = Reminder.objects.get(case=accepted.case, kind=ReminderKind.OUTCOME, note="3")
    assert reminder.status == ReminderStatus.DONE
    assert b'id="outcomes-due"' not in client.get("/followup/tasks/").content


def test_only_the_coordinator_records_an_outcome(accepted, clock, as_user):
    clock.move_to(datetime(2027, 4, 12, tzinfo=AMS))
    url = f"/cases/{accepted.case.pk}/followup/outcomes/3/"
    assert as_user(accepted.world.manager).post(url, GOOD).status_code == 403
    assert as_user(accepted.world.stranger_coordinator).post(url, GOOD).status_code == 404
    assert Outcome.objects.get(case=accepted.case, months=3).recorded_at is None
