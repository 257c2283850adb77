"""Calling the circle together again: by the coordinator, or by the convenor through their link."""

from __future__ import annotations

from datetime import datetime

from django.core import mail

from kring.conferences.models import Conference, Invitation, Response
from kring.followup import dispatch, services
from kring.followup.models import Reminder, ReminderKind

from .conftest import AMS
from .helpers import link_for

WHEN = "2027-02-06T10:00"


def _token_from(message) -> str:
    line = next(word for word in message.body.split() if "/followup/r/" in word)
    return line.rstrip("/").rsplit("/", 1)[-1]


def test_the_coordinator_calls_the_circle_together_and_everyone_can_answer(accepted, as_user, client):
    staff = as_user(accepted.world.coordinator)
    response = staff.post(f"/cases/{accepted.case.pk}/followup/reconvene/",
                          {"starts_at": WHEN, "venue": "Buurthuis De Linde", "address": "Lindelaan 3"})
    assert response.status_code == 302
    conference = Conference.objects.get(case=accepted.case)
    assert conference.starts_at == datetime(2027, 2, 6, 10, tzinfo=AMS)
    invited = {i.member for i in Invitation.objects.filter(conference=conference)}
    assert invited == {accepted.circle.aunt, accepted.circle.uncle, accepted.circle.mother}
    mail.outbox.clear()
    dispatch.send_due_reminders()
    assert sorted(m.to[0].lower() for m in mail.outbox) == [
        "barbara@example.org", "fatima@example.org", "omar@example.org"]
    aunt_mail = next(m for m in mail.outbox if m.to[0].lower() == "barbara@example.org")
    assert aunt_mail.alternatives or aunt_mail.attachments  # the calendar file of the invitation
    token = _token_from(aunt_mail)
    client.logout()
    assert client.get(f"/followup/r/{token}/").status_code == 200
    assert client.post(f"/followup/r/{token}/", {"answer": "confirmed"}).status_code == 302
    invitation = Invitation.objects.get(conference=conference, member=accepted.circle.aunt)
    assert invitation.response == Response.CONFIRMED
    # Someone else's token for this page does not work.
    assert client.get(f"/followup/r/{token[:-2]}xx/").status_code == 404


def test_the_convenor_calls_the_circle_together_through_the_check_in_page(accepted, client):
    _check_in, token = link_for(accepted, accepted.circle.uncle)
    page = client.get(f"/followup/c/{token}/")
    assert b'id="reconvene"' in page.content
    response = client.post(f"/followup/c/{token}/", {"action": "reconvene", "starts_at": WHEN,
                                                     "venue": "Bij oma thuis"})
    assert response.status_code == 302
    conference = Conference.objects.get(case=accepted.case)
    assert "Omar" in conference.notes
    assert Reminder.objects.filter(kind=ReminderKind.RECONVENE).count() == 3
    # The coordinator hears about it on their list.
    assert Reminder.objects.filter(kind=ReminderKind.COORDINATOR_CALL, note__contains="2027-02-06").exists()
    # Twice is refused.
    again = client.post(f"/followup/c/{token}/", {"action": "reconvene", "starts_at": WHEN, "venue": "X"})
    assert again.status_code == 400
    assert Conference.objects.filter(case=accepted.case).count() == 1


def test_someone_who_is_not_the_convenor_cannot_call_the_circle_together(accepted, client):
    _check_in, token = link_for(accepted, accepted.circle.mother)
    assert b'id="reconvene"' not in client.get(f"/followup/c/{token}/").content
    client.post(f"/followup/c/{token}/", {"action": "reconvene", "starts_at": WHEN, "venue": "X"})
    assert not Conference.objects.filter(case=accepted.case).exists()


def test_a_professional_cannot_reconvene(accepted, as_user):
    response = as_user(accepted.world.professional).post(
        f"/cases/{accepted.case.pk}/followup/reconvene/", {"starts_at": WHEN, "venue": "X"})
    assert response.status_code == 403
    assert not Conference.objects.filter(case=accepted.case).exists()


def test_a_moment_in_the_past_is_refused(accepted):
    import pytest

    with pytest.raises(services.FollowupRefused):
        services.reconvene(case=accepted.case, by=accepted.world.coordinator,
                           starts_at=datetime(2027, 1, 1, tzinfo=AMS), venue="X")
