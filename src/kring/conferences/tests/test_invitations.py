"""Invitations leave through the worker: e-mail with an iCalendar invitation, and text messages."""

from __future__ import annotations

import json
from datetime import UTC, timedelta

import icalendar
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django_tasks_db.models import DBTaskResult

from kring.audit.models import Action, Outcome
from kring.conferences import services
from kring.conferences.models import Invitation
from kring.network.models import CircleMember, MemberStatus
from kring.testing.helpers import run_worker

from .conftest import ENDS, LINK_END, STARTS


def _send(conference, members, world, channels=("email", "sms")):
    return services.invitation_send(conference=conference, members=members, channels=list(channels),
                                    by=world.coordinator)


def _calendar(message) -> icalendar.Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_filename() == "invitation.ics"
    return icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))


def _body(message) -> str:
    return next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()


@time_machine.travel("2026-11-22 10:00:00+00:00", tick=False)  # the signed link holds the second it was made
def test_an_invited_person_gets_an_email_with_a_calendar_invitation(conference, circle, world, smtp_server):
    [invitation] = _send(conference, [circle.ans], world, channels=["email"])
    assert smtp_server.messages == []  # nothing leaves in the request itself
    run_worker()
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "ans@example.org"
    assert message["Reply-To"] == world.coordinator.email
    assert "5 december 2026" in message["Subject"]
    body = _body(message)
    assert body.startswith("Hallo Ans,")
    assert "Buurthuis De Linde, Lindelaan 3, Utrecht" in body
    assert "http://localhost:8000/i/" in body
    # Nothing about the family: no surname, no case reference, no situation.
    for secret in ("el Amrani", "de Boer", conference.case.reference, "school"):
        assert secret not in body and secret not in message["Subject"]

    calendar = _calendar(message)
    assert calendar["METHOD"] == "REQUEST" and calendar["VERSION"] == "2.0" and calendar["PRODID"]
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]).startswith(f"conference-{conference.pk}@")
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert event.decoded("DTSTART") == STARTS.astimezone(UTC)
    assert event.decoded("DTEND") == ENDS.astimezone(UTC)
    assert event.to_ical().decode().count("DTSTART:20261205T090000Z") == 1
    assert event["SEQUENCE"] == 1
    assert str(event["SUMMARY"]) == "Familiegroepsbijeenkomst"
    assert str(event["LOCATION"]) == "Buurthuis De Linde, Lindelaan 3, Utrecht"
    assert str(event["ORGANIZER"]) == "mailto:noreply@kring.example"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ans@example.org"
    assert attendee.params["CN"] == "Ans"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert services.invitation_url(Invitation.objects.get(pk=invitation.pk)) in str(event["DESCRIPTION"])


def test_someone_who_reads_english_gets_it_in_english(conference, circle, world, smtp_server):
    _send(conference, [circle.bram], world)
    run_worker()
    [message] = smtp_server.messages
    assert message["Subject"] == "Invitation: family group meeting on Saturday 5 December 2026"
    assert _body(message).startswith("Hello Bram,")
    assert str(_calendar(message).walk("VEVENT")[0]["SUMMARY"]) == "Family group meeting"


def test_a_text_message_goes_to_people_with_a_phone_number(conference, circle, world, sms_outbox, smtp_server):
    invitations = _send(conference, [circle.ans, circle.bram, circle.cees], world)
    assert {i.member_id: i.channels for i in invitations} == {
        circle.ans.pk: ["email", "sms"], circle.bram.pk: ["email"], circle.cees.pk: ["sms"]}
    assert sms_outbox == []
    run_worker()
    assert sorted(m.to for m in sms_outbox) == ["+31623456789", "+31634567890"]
    text = next(m.text for m in sms_outbox if m.to == "+31634567890")
    assert text.startswith("Hallo Cees,") and "5 december 2026" in text and "10:00" in text
    assert "el Amrani" not in text
    assert "http://localhost:8000/i/" in text
    assert len(smtp_server.messages) == 2


def test_inviting_moves_people_to_invited_and_queues_only_ids(conference, circle, world):
    CircleMember.objects.filter(pk=circle.cees.pk).update(status=MemberStatus.APPROACHED)
    _send(conference, [circle.ans, circle.cees], world)
    for member in (circle.ans, circle.cees):
        member.refresh_from_db()
        assert member.status == MemberStatus.INVITED
    arguments = json.dumps([t.args_kwargs for t in DBTaskResult.objects.all()])
    for secret in ("Ans", "ans@example.org", "0623456789", "Buurthuis", "nonce"):
        assert secret not in arguments
    invitation = Invitation.objects.get(member=circle.ans)
    assert invitation.expires_at == LINK_END
    assert invitation.sent_by == world.coordinator


def test_someone_without_address_or_number_cannot_be_invited(conference, circle, world):
    with pytest.raises(ValidationError) as refused:
        _send(conference, [circle.ans, circle.dina], world)
    assert "Dina Smit" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        _send(conference, [circle.cees], world, channels=["email"])
    assert not Invitation.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_the_page_sends_invitations_with_one_log_row(conference, circle, world, as_user, access_log):
    client = as_user(world.coordinator)
    html = client.get(f"/cases/{conference.case_id}/conference/").content.decode()
    assert f'value="{circle.ans.pk}"' in html and f'value="{circle.dina.pk}"' not in html
    log = access_log()
    response = client.post(f"/cases/{conference.case_id}/conference/invitations/",
                           {"members": [circle.ans.pk, circle.cees.pk], "channels": ["email", "sms"]})
    assert response.status_code == 302
    assert Invitation.objects.filter(conference=conference).count() == 2
    log.one(action=Action.CHANGE, outcome=Outcome.SUCCESS, object_type="conference",
            purpose="invitations sent (2)")


def test_the_professional_cannot_send_invitations(conference, circle, world, as_user):
    response = as_user(world.professional).post(f"/cases/{conference.case_id}/conference/invitations/",
                                                {"members": [circle.ans.pk], "channels": ["email"]})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_sending_again_makes_a_new_link(conference, circle, world, as_user, smtp_server, access_log):
    [first] = _send(conference, [circle.ans], world, channels=["email"])
    old_nonce, old_url = first.nonce, services.invitation_url(first)
    client = as_user(world.coordinator)
    log = access_log()
    response = client.post(f"/cases/{conference.case_id}/conference/invitations/{first.pk}/resend/")
    assert response.status_code == 302
    log.one(outcome=Outcome.SUCCESS, object_type="invitation", purpose="invitation sent again")
    first.refresh_from_db()
    assert first.nonce != old_nonce
    run_worker()
    # The first sending was superseded before the worker ran: only the new link goes out.
    assert len(smtp_server.messages) == 1
    assert services.invitation_url(first) in _body(smtp_server.messages[0])
    assert old_url not in _body(smtp_server.messages[0])


def test_resending_someone_elses_invitation_is_404(conference, circle, world, as_user):
    [invitation] = _send(conference, [circle.ans], world)
    client = as_user(world.stranger_coordinator)
    assert client.post(f"/cases/{conference.case_id}/conference/invitations/{invitation.pk}/resend/"
                       ).status_code == 404


def test_a_changed_date_marks_invitations_to_send_again(conference, circle, world, smtp_server):
    [invitation] = _send(conference, [circle.ans], world, channels=["email"])
    services.conference_save(case=conference.case, by=world.coordinator, starts_at=STARTS + timedelta(days=1),
                             venue=conference.venue)
    invitation.refresh_from_db()
    assert invitation.is_outdated
    _send(conference, [circle.ans], world, channels=["email"])
    invitation.refresh_from_db()
    assert not invitation.is_outdated
    run_worker()
    [message] = smtp_server.messages  # the first sending was superseded
    [event] = _calendar(message).walk("VEVENT")
    assert event["SEQUENCE"] == 2
    assert event.decoded("DTSTART") == (STARTS + timedelta(days=1)).astimezone(UTC)


def test_invitations_need_a_scheduled_conference_in_the_future(conference, circle, world, clock):
    clock.move_to(STARTS + timedelta(minutes=5))
    with pytest.raises(services.ConferenceRefused):
        _send(conference, [circle.ans], world)


def test_the_overview_needs_the_same_queries_for_more_invitations(conference, circle, world, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(world.coordinator)
    path = f"/cases/{conference.case_id}/conference/"
    _send(conference, [circle.ans], world)
    client.get(path)  # the checklist rows are made on the first visit
    with CaptureQueriesContext(connection) as one:
        assert client.get(path).status_code == 200
    _send(conference, [circle.bram, circle.cees, circle.fatima], world)
    with CaptureQueriesContext(connection) as four:
        assert client.get(path).status_code == 200
    assert len(four) == len(one), [q["sql"] for q in four.captured_queries]
