"""The public page behind a personal link: confirm, decline, from a distance; misuse changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from kring.audit.models import AccessLogEntry, Action, Outcome
from kring.cases.models import Case, State
from kring.conferences import services
from kring.conferences.models import Invitation, Response
from kring.core import links
from kring.network.models import MemberStatus

from .conftest import LINK_END


@pytest.fixture
def invited(conference, circle, world):
    """Ans and Cees are invited; returns {name: (invitation, path)}."""
    invitations = services.invitation_send(conference=conference, members=[circle.ans, circle.cees],
                                           channels=["email", "sms"], by=world.coordinator)
    return {i.member.name.split()[0].lower(): (i, f"/i/{services.invitation_token(i)}/") for i in invitations}


@pytest.fixture
def public():
    """A browser without an account that sends the CSRF token like a real one."""
    return Client(enforce_csrf_checks=True)


def _answer(client: Client, path: str, answer: str, **headers):
    page = client.get(path, **headers)
    assert page.status_code == 200, page.status_code
    token = page.context["csrf_token"]
    return client.post(path, {"answer": answer, "csrfmiddlewaretoken": str(token)}, **headers)


def _unchanged(invitation: Invitation, member_status=MemberStatus.INVITED) -> None:
    fresh = Invitation.objects.select_related("member").get(pk=invitation.pk)
    assert (fresh.response, fresh.responded_at) == (Response.NONE, None)
    assert fresh.member.status == member_status
    assert not AccessLogEntry.objects.filter(purpose__startswith="invitation answered").exists()


def test_the_page_shows_first_name_date_and_place_only(invited, public, world):
    _, path = invited["ans"]
    response = public.get(path, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hallo Ans" in html
    assert "zaterdag 5 december 2026" in html and "10:00" in html and "Buurthuis De Linde" in html
    for secret in ("de Boer", "el Amrani", "Fatima", "Yasmina", world.case.reference, "Cees",
                   world.coordinator.last_name, "school"):
        assert secret not in html, secret
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]


@pytest.mark.parametrize(("answer", "status"), [
    (Response.CONFIRMED, MemberStatus.CONFIRMED),
    (Response.REMOTE, MemberStatus.CONFIRMED),  # the wish to join remotely is kept on the invitation
    (Response.DECLINED, MemberStatus.DECLINED),
])
def test_the_person_answers_through_the_link(invited, public, answer, status):
    invitation, path = invited["ans"]
    response = _answer(public, path, answer, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == path
    assert response["Referrer-Policy"] == "same-origin"
    invitation.refresh_from_db()
    assert invitation.response == answer and invitation.responded_at is not None
    member = invitation.member
    member.refresh_from_db()
    assert (member.status, member.attendance) == (status, "")  # how someone took part is known after
    assert member.changes.filter(by=None).exists()  # the circle's history: the person answered
    entry = AccessLogEntry.objects.get(purpose__startswith="invitation answered")
    assert (entry.user, entry.role, entry.action, entry.outcome) == (None, "anonymous", Action.CHANGE,
                                                                      Outcome.SUCCESS)
    assert (entry.object_type, entry.object_id, entry.case_id) == ("invitation", str(invitation.pk),
                                                                   invitation.conference.case_id)
    page = public.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Thank you" in page and "Your answer:" in page
    if answer == Response.REMOTE:
        assert "https://meet.example.org/kring-123" in page
    # Cees' invitation is untouched.
    assert Invitation.objects.get(pk=invited["cees"][0].pk).response == Response.NONE


def test_the_answer_can_be_changed_until_the_day(invited, public):
    invitation, path = invited["ans"]
    _answer(public, path, Response.DECLINED)
    _answer(public, path, Response.CONFIRMED)
    invitation.refresh_from_db()
    invitation.member.refresh_from_db()
    assert invitation.response == Response.CONFIRMED
    assert invitation.member.status == MemberStatus.CONFIRMED


def test_a_post_without_the_csrf_token_is_refused(invited, public):
    invitation, path = invited["ans"]
    assert public.post(path, {"answer": Response.CONFIRMED}).status_code == 403
    _unchanged(invitation)


def test_an_unknown_answer_changes_nothing(invited, public):
    invitation, path = invited["ans"]
    response = _answer(public, path, "maybe")
    assert response.status_code == 400
    _unchanged(invitation)


def _tampered(path: str) -> str:
    token = path[3:-1]
    payload, _, rest = token.partition(":")
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    return f"/i/{flipped}:{rest}/"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_shows_a_clear_page_and_changes_nothing(invited, public, method):
    invitation, path = invited["ans"]
    bad = _tampered(path)
    client = Client()  # no CSRF enforcement: the link check itself must refuse
    response = getattr(client, method)(bad, {"answer": Response.CONFIRMED} if method == "post" else None,
                                       HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    _unchanged(invitation)


def test_a_cut_off_link_shows_the_same_page(invited, public):
    _, path = invited["ans"]
    response = public.get(path[:40] + "/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(invited, clock):
    invitation, path = invited["ans"]
    clock.move_to(LINK_END + timedelta(minutes=1))
    client = Client()
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    response = client.post(path, {"answer": Response.CONFIRMED}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    _unchanged(invitation)
    denied = AccessLogEntry.objects.get(outcome=Outcome.DENIED)
    assert denied.purpose == "invitation answer refused: link expired"


def test_someone_elses_link_shows_a_clear_page_and_changes_nothing(invited):
    """A token whose ids do not belong together: Ans' invitation with Cees' member id."""
    ans, _ = invited["ans"]
    cees, _ = invited["cees"]
    for ids in ({"invitation": ans.pk, "member": cees.member_id, "nonce": ans.nonce},
                {"invitation": ans.pk, "member": cees.member_id, "nonce": cees.nonce},
                {"invitation": cees.pk, "member": ans.member_id, "nonce": cees.nonce}):
        token = links.make_token(services.INVITATION_LINK, expires_at=ans.expires_at, **ids)
        client = Client()
        assert client.post(f"/i/{token}/", {"answer": Response.DECLINED}).status_code == 404
        response = client.get(f"/i/{token}/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert "This link is not meant for you" in response.content.decode()
    _unchanged(ans)
    _unchanged(cees)


def test_a_link_for_another_purpose_does_not_work_here(invited):
    ans, _ = invited["ans"]
    token = links.make_token("check_in", invitation=ans.pk, member=ans.member_id, nonce=ans.nonce)
    assert Client().get(f"/i/{token}/").status_code == 404


def test_an_old_link_stops_working_when_the_invitation_is_sent_again(invited, world, circle):
    ans, old_path = invited["ans"]
    [again] = services.invitation_send(conference=ans.conference, members=[circle.ans], channels=["sms"],
                                       by=world.coordinator)
    client = Client()
    response = client.get(old_path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    assert "A newer link was sent" in response.content.decode()
    assert client.post(old_path, {"answer": Response.DECLINED}).status_code == 410
    _unchanged(ans)
    new_path = f"/i/{services.invitation_token(again)}/"
    assert client.get(new_path).status_code == 200


def test_the_link_closes_when_the_conference_is_no_longer_scheduled(invited, public):
    invitation, path = invited["ans"]
    Case.objects.filter(pk=invitation.conference.case_id).update(state=State.CANCELLED)
    response = public.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    assert "You can no longer answer this invitation" in response.content.decode()
