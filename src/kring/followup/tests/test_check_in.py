"""Check-ins through a personal link: rating agreements, the convenor's alert, link misuse, consent."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail

from kring.audit.models import AccessLogEntry
from kring.core import links
from kring.followup import dispatch, services
from kring.followup.models import CheckIn, CheckInAnswer, Reminder, ReminderKind

from .helpers import link_for, ratings


def test_the_monitor_rates_every_agreement_and_the_mother_only_hers(accepted, client):
    _monitor_check_in, monitor_token = link_for(accepted, accepted.circle.aunt)
    _mother_check_in, mother_token = link_for(accepted, accepted.circle.mother)
    page = client.get(f"/followup/c/{monitor_token}/")
    assert page.status_code == 200
    assert page.content.count(b'type="radio"') == 2 * 3
    page = client.get(f"/followup/c/{mother_token}/")
    assert page.content.count(b'type="radio"') == 3
    assert page["Cache-Control"].startswith("no-store")
    assert b"Moeder zorgt voor ontbijt" in page.content and "الخالة".encode() not in page.content


def test_answering_saves_each_rating_with_one_access_log_row(accepted, client):
    check_in, token = link_for(accepted, accepted.circle.aunt)
    before = AccessLogEntry.objects.count()
    response = client.post(f"/followup/c/{token}/", ratings(check_in, "good", "partly", comment="Gaat prima"))
    assert response.status_code == 302
    assert AccessLogEntry.objects.count() == before + 1
    check_in.refresh_from_db()
    assert check_in.answered_at is not None
    assert sorted(CheckInAnswer.objects.filter(check_in=check_in).values_list("rating", flat=True)) == [
        "good", "partly"]
    again = client.get(f"/followup/c/{token}/")
    assert b'id="answered"' in again.content


def test_a_missing_rating_is_refused(accepted, client):
    check_in, token = link_for(accepted, accepted.circle.aunt)
    data = ratings(check_in, "good", "good")
    data.pop(next(k for k in data if k.startswith("rating_")))
    assert client.post(f"/followup/c/{token}/", data).status_code == 400
    assert not CheckInAnswer.objects.exists()


def test_two_not_going_well_alert_the_convenor_once(accepted, client):
    aunt_check_in, aunt_token = link_for(accepted, accepted.circle.aunt)
    client.post(f"/followup/c/{aunt_token}/", ratings(aunt_check_in, "not", "good"))
    assert not Reminder.objects.filter(kind=ReminderKind.ALERT).exists()  # one "not" is below 2
    mother_check_in, mother_token = link_for(accepted, accepted.circle.mother)
    client.post(f"/followup/c/{mother_token}/", ratings(mother_check_in, "not"))
    alert = Reminder.objects.get(kind=ReminderKind.ALERT)
    assert alert.member == accepted.circle.uncle
    mail.outbox.clear()
    dispatch.send_due_reminders()
    assert [m.to for m in mail.outbox] == [[accepted.circle.uncle.email]]
    assert "/followup/c/" in mail.outbox[0].body
    client.post(f"/followup/c/{mother_token}/", ratings(mother_check_in, "not"))  # answering again
    assert Reminder.objects.filter(kind=ReminderKind.ALERT).count() == 1


def test_the_threshold_is_a_setting(accepted, client, settings):
    settings.FOLLOWUP_NOT_THRESHOLD = 3
    check_in, token = link_for(accepted, accepted.circle.aunt)
    client.post(f"/followup/c/{token}/", ratings(check_in, "not", "not"))
    assert not Reminder.objects.filter(kind=ReminderKind.ALERT).exists()


def test_a_tampered_link_is_refused_and_changes_nothing(accepted, client):
    check_in, token = link_for(accepted, accepted.circle.aunt)
    bad = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.get(f"/followup/c/{bad}/").status_code == 404
    assert client.post(f"/followup/c/{bad}/", ratings(check_in, "not", "not")).status_code == 404
    assert not CheckInAnswer.objects.exists()


def test_an_expired_link_is_refused(accepted, client, clock):
    check_in, token = link_for(accepted, accepted.circle.aunt)
    clock.move_to(check_in.expires_at + timedelta(seconds=1))
    response = client.post(f"/followup/c/{token}/", ratings(check_in, "not", "not"))
    assert response.status_code == 410
    assert not CheckInAnswer.objects.exists()


def test_someone_elses_link_is_refused(accepted, client):
    check_in, _token = link_for(accepted, accepted.circle.aunt)
    forged = links.make_token(services.CHECK_IN_LINK, expires_at=check_in.expires_at, check_in=check_in.pk,
                              member=accepted.circle.mother.pk, nonce=check_in.nonce)
    assert client.get(f"/followup/c/{forged}/").status_code == 404
    other_purpose = links.make_token("invitation", check_in=check_in.pk, member=check_in.member_id,
                                     nonce=check_in.nonce)
    assert client.get(f"/followup/c/{other_purpose}/").status_code == 404


def test_a_replaced_link_stops_working(accepted, client):
    old, old_token = link_for(accepted, accepted.circle.aunt)
    new, new_token = link_for(accepted, accepted.circle.aunt)
    assert old.pk != new.pk
    assert client.get(f"/followup/c/{old_token}/").status_code == 410
    assert client.get(f"/followup/c/{new_token}/").status_code == 200


def test_a_link_of_a_closed_case_is_closed(accepted, client):
    from kring.cases.models import Case, State

    _check_in, token = link_for(accepted, accepted.circle.aunt)
    Case.objects.filter(pk=accepted.case.pk).update(state=State.CLOSED)
    assert client.get(f"/followup/c/{token}/").status_code == 410


def test_the_professional_sees_the_summary_only_when_the_family_allowed_it(accepted, client, as_user):
    check_in, token = link_for(accepted, accepted.circle.aunt)
    client.post(f"/followup/c/{token}/", ratings(check_in, "not", "good", comment="Tante is ziek"))
    page = as_user(accepted.world.professional).get(f"/cases/{accepted.case.pk}/followup/")
    assert page.status_code == 200
    assert b'id="no-consent"' in page.content and b"Tante is ziek" not in page.content
    services.sharing_record(case=accepted.case, allowed=True, recorded_by_label="Fatima (family portal)")
    page = as_user(accepted.world.professional).get(f"/cases/{accepted.case.pk}/followup/")
    assert b'id="check-in-summary"' in page.content and b"Tante is ziek" in page.content
    services.sharing_record(case=accepted.case, allowed=False, recorded_by_label="Fatima (family portal)")
    page = as_user(accepted.world.professional).get(f"/cases/{accepted.case.pk}/followup/")
    assert b"Tante is ziek" not in page.content
    coordinator = as_user(accepted.world.coordinator).get(f"/cases/{accepted.case.pk}/followup/")
    assert b"Tante is ziek" in coordinator.content


def test_one_check_in_per_reminder_also_when_it_is_sent_again(accepted):
    reminder = accepted.case.reminders.filter(kind=ReminderKind.MONITOR).first()
    first = services.check_in_for_reminder(reminder)
    assert services.check_in_for_reminder(reminder) == first
    assert CheckIn.objects.filter(reminder=reminder).count() == 1
