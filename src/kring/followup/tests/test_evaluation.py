"""The evaluation makes a new plan version that goes to the copy recipients; versions side by side."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail

from kring.followup import services
from kring.followup.models import Evaluation, Reminder, ReminderKind, ReminderStatus
from kring.plans.models import Distribution, PlanStatus, PlanVersion
from kring.testing.helpers import run_worker


def _post(accepted, **overrides):
    agreements = list(accepted.version.agreements.order_by("order", "pk"))
    data = {"held_on": "2027-01-11", "attendees": [str(accepted.circle.aunt.pk), str(accepted.circle.mother.pk)],
            "changes": "Oom Omar brengt Yasmina voortaan op donderdag.", "next_evaluation_date": "2027-06-01"}
    for agreement, rating in zip(agreements, ("good", "not"), strict=True):
        data[f"rating_{agreement.pk}"] = rating
        data[f"comment_{agreement.pk}"] = "Gaat goed" if rating == "good" else "Lukt niet"
    data[f"stop_{agreements[1].pk}"] = "on"
    data.update(overrides)
    return data


def test_the_coordinator_records_the_evaluation_and_a_new_version_is_sent(accepted, as_user):
    client = as_user(accepted.world.coordinator)
    assert client.get(f"/cases/{accepted.case.pk}/followup/evaluation/").status_code == 200
    response = client.post(f"/cases/{accepted.case.pk}/followup/evaluation/", _post(accepted))
    assert response.status_code == 302, response.content.decode()[:2000]
    evaluation = Evaluation.objects.get(case=accepted.case)
    new = evaluation.plan_version
    assert (new.number, new.status, new.created_by) == (2, PlanStatus.ACCEPTED, accepted.world.coordinator)
    assert new.change_note == "Oom Omar brengt Yasmina voortaan op donderdag."
    assert new.agreements.count() == 1  # the mother's agreement was stopped
    assert new.evaluation_date == date(2027, 6, 1)
    assert sorted(evaluation.items.values_list("rating", flat=True)) == ["good", "not"]
    assert set(evaluation.attendees.all()) == {accepted.circle.aunt, accepted.circle.mother}
    # The reminders before the evaluation moved to the next date.
    pending = Reminder.objects.filter(case=accepted.case, kind=ReminderKind.EVALUATION,
                                      status=ReminderStatus.SCHEDULED)
    assert {r.due_at.date() for r in pending} == {date(2027, 5, 25)}
    # The copy recipients get version 2.
    assert set(Distribution.objects.filter(version=new).values_list("email", flat=True)) == {
        "fatima@example.org", "barbara@example.org", "jhv@example.org"}
    mail.outbox.clear()
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["barbara@example.org", "fatima@example.org", "jhv@example.org"]


def test_only_the_coordinator_records_an_evaluation(accepted):
    with pytest.raises(services.FollowupRefused):
        services.evaluation_record(case=accepted.case, by=accepted.world.manager, held_on=date(2027, 1, 11),
                                   attendees=[], items=[])
    assert PlanVersion.objects.filter(plan__case=accepted.case).count() == 1


def test_every_agreement_needs_a_status(accepted, as_user):
    client = as_user(accepted.world.coordinator)
    data = _post(accepted)
    data.pop(next(k for k in data if k.startswith("rating_")))
    assert client.post(f"/cases/{accepted.case.pk}/followup/evaluation/", data).status_code == 400
    assert not Evaluation.objects.exists()


def test_a_future_evaluation_date_is_refused(accepted, as_user):
    client = as_user(accepted.world.coordinator)
    response = client.post(f"/cases/{accepted.case.pk}/followup/evaluation/", _post(accepted, held_on="2027-02-01"))
    assert response.status_code == 400
    assert not Evaluation.objects.exists()


def test_two_versions_side_by_side(accepted, as_user):
    client = as_user(accepted.world.coordinator)
    client.post(f"/cases/{accepted.case.pk}/followup/evaluation/", _post(accepted))
    for user in (accepted.world.coordinator, accepted.world.professional, accepted.world.manager):
        page = as_user(user).get(f"/cases/{accepted.case.pk}/plan/versions/?a=1&b=2")
        assert page.status_code == 200
    html = page.content.decode()
    assert '<tr class="diff-removed"><td dir="auto"><del>- Fatima el Amrani: Moeder zorgt voor ontbijt' in html
    assert "<ins>Evaluation date: 2027-06-01</ins>" in html or "<ins>Evaluatiedatum: 2027-06-01</ins>" in html


def test_the_evaluation_reminder_goes_to_everyone_a_week_before(accepted, clock):
    from kring.followup.dispatch import send_due_reminders

    day = accepted.version.evaluation_date - timedelta(days=7)
    Reminder.objects.exclude(kind=ReminderKind.EVALUATION).delete()
    clock.move_to(f"{day.isoformat()}T10:00+01:00")
    send_due_reminders()
    assert sorted(m.to[0].lower() for m in mail.outbox) == [
        "barbara@example.org", "fatima@example.org", "omar@example.org"]
    assert all(m.subject for m in mail.outbox)
