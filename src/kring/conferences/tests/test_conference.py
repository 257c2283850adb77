"""Planning the conference, recording the three parts, and marking it held."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kring.audit.models import Action, Outcome
from kring.cases.models import Case, CaseEvent, State
from kring.conferences import services
from kring.conferences.models import Conference, Presence
from kring.conferences.services import PresenceData
from kring.network.models import Attendance, CircleMember, MemberStatus

from .conftest import AMS, ENDS, STARTS

FORM = {"starts_at": "2026-12-05T10:00", "ends_at": "2026-12-05T14:00", "venue": "Buurthuis De Linde",
        "address": "Lindelaan 3, Utrecht", "remote_link": "https://meet.example.org/k-1", "notes": "Koffie."}


def _state(case) -> str:
    return Case.objects.get(pk=case.pk).state


# --- planning -------------------------------------------------------------------------------


def test_planning_the_conference_schedules_the_case(preparing, world, as_user, access_log):
    client = as_user(world.coordinator)
    log = access_log()
    response = client.post(f"/cases/{preparing.pk}/conference/edit/", FORM)
    assert response.status_code == 302, response.content
    conference = Conference.objects.get(case=preparing)
    assert conference.starts_at == STARTS and conference.ends_at == ENDS
    assert (conference.venue, conference.version) == ("Buurthuis De Linde", 1)
    assert _state(preparing) == State.SCHEDULED
    assert CaseEvent.objects.filter(case=preparing, name="schedule", actor=world.coordinator).exists()
    log.one(action=Action.CREATE, outcome=Outcome.SUCCESS, object_type="conference", case_id=preparing.pk)


def test_the_regional_manager_may_plan_it_too(preparing, world):
    conference, created = services.conference_save(case=preparing, by=world.manager, starts_at=STARTS,
                                                   venue="Bij oma thuis")
    assert created and conference.ends_at is None
    assert conference.end == STARTS + timedelta(hours=4)
    assert _state(preparing) == State.SCHEDULED


def test_changing_date_or_place_raises_the_version_but_notes_do_not(conference, world):
    case = conference.case
    services.conference_save(case=case, by=world.coordinator, starts_at=STARTS, ends_at=ENDS,
                             venue=conference.venue, address=conference.address,
                             remote_link=conference.remote_link, notes="Neem koekjes mee.")
    conference.refresh_from_db()
    assert (conference.version, conference.notes) == (1, "Neem koekjes mee.")
    _, created = services.conference_save(case=case, by=world.coordinator, starts_at=STARTS + timedelta(hours=1),
                                          venue=conference.venue, address=conference.address,
                                          remote_link=conference.remote_link, notes="Neem koekjes mee.")
    conference.refresh_from_db()
    assert not created and conference.version == 2
    assert Conference.objects.filter(case=case).count() == 1
    assert _state(case) == State.SCHEDULED


def test_a_conference_cannot_be_planned_for_a_request(world):
    Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    world.case.refresh_from_db()
    with pytest.raises(services.ConferenceRefused) as refused:
        services.conference_save(case=world.case, by=world.coordinator, starts_at=STARTS, venue="Thuis")
    assert refused.value.code == "wrong_state"
    assert not Conference.objects.exists()


def test_the_page_refuses_a_date_in_the_past_and_an_end_before_the_start(preparing, world, as_user,
                                                                         access_log):
    client = as_user(world.coordinator)
    log = access_log()
    response = client.post(f"/cases/{preparing.pk}/conference/edit/",
                           {**FORM, "starts_at": "2026-11-30T10:00", "ends_at": "2026-11-30T09:00"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a moment in the future." in html
    assert "The end must be after the start." in html
    assert not Conference.objects.exists()
    assert _state(preparing) == State.PREPARING
    log.one(outcome=Outcome.DENIED)


def test_the_remote_link_must_be_https(preparing, world, as_user):
    response = as_user(world.coordinator).post(f"/cases/{preparing.pk}/conference/edit/",
                                               {**FORM, "remote_link": "http://meet.example.org/x"})
    assert response.status_code == 400
    assert not Conference.objects.exists()


def test_a_professional_cannot_plan_the_conference(preparing, world, as_user, access_log):
    client = as_user(world.professional)
    log = access_log()
    assert client.post(f"/cases/{preparing.pk}/conference/edit/", FORM).status_code == 403
    assert not Conference.objects.exists()
    log.one(outcome=Outcome.DENIED)


def test_the_overview_shows_the_conference(conference, world, as_user):
    html = as_user(world.linked_professional).get(f"/cases/{conference.case_id}/conference/").content.decode()
    assert "Buurthuis De Linde" in html and "https://meet.example.org/kring-123" in html
    assert "/conference/edit/" not in html  # read only


# --- recording ------------------------------------------------------------------------------


def _professional(world):
    return world.case.professionals.get(user=world.linked_professional)


def test_the_meeting_is_recorded_with_parts_presence_chair_and_writer(conference, circle, world):
    pro = _professional(world)
    at = lambda h, m=0: datetime(2026, 12, 5, h, m, tzinfo=AMS)  # noqa: E731
    services.conference_record(
        conference=conference, by=world.coordinator,
        parts={1: (at(10), at(11)), 2: (at(11, 15), at(13)), 3: (at(13, 15), at(14))},
        presences=[PresenceData(1, member_id=circle.ans.pk), PresenceData(1, professional_id=pro.pk),
                   PresenceData(2, member_id=circle.ans.pk), PresenceData(2, member_id=circle.cees.pk, remote=True),
                   PresenceData(3, member_id=circle.ans.pk), PresenceData(3, professional_id=pro.pk),
                   PresenceData(3, member_id=circle.ans.pk)],  # twice counts once
        chair=circle.ans, writer=circle.cees,
    )
    conference.refresh_from_db()
    assert (conference.part2_start, conference.part3_end) == (at(11, 15), at(14))
    assert (conference.chair, conference.writer) == (circle.ans, circle.cees)
    assert conference.presences.count() == 6
    assert conference.presences.get(part=2, member=circle.cees).remote


def test_a_professional_is_never_present_in_the_private_family_time(conference, circle, world):
    from django.utils import translation

    pro = _professional(world)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.conference_record(conference=conference, by=world.coordinator, presences=[
            PresenceData(1, professional_id=pro.pk), PresenceData(2, professional_id=pro.pk),
            PresenceData(2, member_id=circle.ans.pk)])
    assert refused.value.code == "professional_in_private_time"
    assert "part 2" in refused.value.messages[0]
    assert not Presence.objects.exists()


def test_the_refusal_is_translated(conference, circle, world):
    from django.utils import translation

    pro = _professional(world)
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        services.conference_record(conference=conference, by=world.coordinator,
                                   presences=[PresenceData(2, professional_id=pro.pk)])
    assert "deel 2" in refused.value.messages[0]


def test_the_database_refuses_a_professional_in_part_2_too(conference, world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Presence.objects.create(conference=conference, part=2, professional=_professional(world))


def test_the_record_page_offers_no_box_for_professionals_in_part_2_and_refuses_a_forged_one(
        conference, circle, world, as_user, access_log):
    pro = _professional(world)
    client = as_user(world.coordinator)
    html = client.get(f"/cases/{conference.case_id}/conference/record/").content.decode()
    assert f'name="pro{pro.pk}_p1"' in html and f'name="pro{pro.pk}_p2"' not in html
    log = access_log()
    response = client.post(f"/cases/{conference.case_id}/conference/record/",
                           {f"pro{pro.pk}_p1": "on", f"pro{pro.pk}_p2": "on", f"m{circle.ans.pk}_p2": "on"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "A professional cannot be present in part 2" in response.content.decode()
    assert not Presence.objects.exists()
    log.one(outcome=Outcome.DENIED, object_type="conference")


def test_the_record_page_saves_times_on_the_conference_day(conference, circle, world, as_user):
    client = as_user(world.coordinator)
    response = client.post(f"/cases/{conference.case_id}/conference/record/", {
        "part1_start": "10:05", "part1_end": "11:00", "part2_start": "11:10", "part2_end": "12:50",
        f"m{circle.ans.pk}_p1": "on", f"m{circle.ans.pk}_p2": "on", f"m{circle.cees.pk}_p2": "on",
        f"m{circle.cees.pk}_remote": "on", "chair": circle.ans.pk, "writer": circle.ans.pk})
    assert response.status_code == 302, response.content.decode()
    conference.refresh_from_db()
    assert conference.part1_start == datetime(2026, 12, 5, 10, 5, tzinfo=AMS)
    assert conference.part2_end == datetime(2026, 12, 5, 12, 50, tzinfo=AMS)
    assert conference.chair == circle.ans
    assert list(conference.presences.filter(remote=True).values_list("member", flat=True)) == [circle.cees.pk]


def test_the_chair_must_be_present_in_part_2(conference, circle, world):
    with pytest.raises(ValidationError) as refused:
        services.conference_record(conference=conference, by=world.coordinator,
                                   presences=[PresenceData(2, member_id=circle.ans.pk)], chair=circle.cees)
    assert "Cees el Amrani" in refused.value.messages[0]


def test_parts_must_follow_each_other(conference, world):
    at = lambda h: datetime(2026, 12, 5, h, tzinfo=AMS)  # noqa: E731
    with pytest.raises(ValidationError):
        services.conference_record(conference=conference, by=world.coordinator, presences=[],
                                   parts={1: (at(12), at(13)), 2: (at(10), at(11))})
    with pytest.raises(ValidationError):
        services.conference_record(conference=conference, by=world.coordinator, presences=[],
                                   parts={1: (at(12), at(11))})


def test_people_of_another_case_cannot_be_recorded(conference, world):
    from kring.testing.factories import CaseFactory

    other = CircleMember.objects.create(case=CaseFactory(), name="Iemand Anders")
    with pytest.raises(ValidationError):
        services.conference_record(conference=conference, by=world.coordinator,
                                   presences=[PresenceData(1, member_id=other.pk)])


# --- held -----------------------------------------------------------------------------------


def test_marking_it_held_moves_the_case_and_marks_who_came(conference, circle, world, as_user, access_log):
    CircleMember.objects.filter(pk__in=[circle.ans.pk, circle.cees.pk]).update(status=MemberStatus.CONFIRMED)
    services.conference_record(conference=conference, by=world.coordinator, presences=[
        PresenceData(1, member_id=circle.ans.pk), PresenceData(2, member_id=circle.ans.pk),
        PresenceData(1, member_id=circle.cees.pk, remote=True), PresenceData(2, member_id=circle.cees.pk, remote=True),
        PresenceData(1, member_id=circle.bram.pk, remote=True), PresenceData(3, member_id=circle.bram.pk)])
    client = as_user(world.coordinator)
    log = access_log()
    response = client.post(f"/cases/{conference.case_id}/conference/held/")
    assert response.status_code == 302
    assert _state(conference.case) == State.HELD
    conference.refresh_from_db()
    assert conference.held_at is not None
    for member, attendance in [(circle.ans, Attendance.IN_PERSON), (circle.cees, Attendance.REMOTE),
                               (circle.bram, Attendance.IN_PERSON)]:
        member.refresh_from_db()
        assert (member.status, member.attendance) == (MemberStatus.ATTENDED, attendance), member
    circle.dina.refresh_from_db()
    assert circle.dina.status == MemberStatus.IDENTIFIED
    log.one(action=Action.CHANGE, outcome=Outcome.SUCCESS, purpose="conference held")


def test_it_cannot_be_held_before_anyone_was_recorded(conference, world):
    with pytest.raises(services.ConferenceRefused):
        services.conference_hold(conference=conference, by=world.coordinator)
    assert _state(conference.case) == State.SCHEDULED


def test_only_the_coordinator_marks_it_held(conference, circle, world, as_user, access_log):
    services.conference_record(conference=conference, by=world.coordinator,
                               presences=[PresenceData(1, member_id=circle.ans.pk)])
    client = as_user(world.manager)
    log = access_log()
    response = client.post(f"/cases/{conference.case_id}/conference/held/", follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    assert "You may not take this step for this case." in response.content.decode()
    assert _state(conference.case) == State.SCHEDULED
    conference.refresh_from_db()
    assert conference.held_at is None
    assert log.rows()[0].outcome == Outcome.DENIED
    assert as_user(world.professional).post(f"/cases/{conference.case_id}/conference/held/").status_code == 403


def test_after_it_was_held_the_date_can_no_longer_change(conference, circle, world):
    services.conference_record(conference=conference, by=world.coordinator,
                               presences=[PresenceData(1, member_id=circle.ans.pk)])
    services.conference_hold(conference=conference, by=world.coordinator)
    with pytest.raises(services.ConferenceRefused):
        services.conference_save(case=conference.case, by=world.coordinator, starts_at=STARTS, venue="Elders")
    with pytest.raises(services.ConferenceRefused):
        services.conference_hold(conference=conference, by=world.coordinator)
