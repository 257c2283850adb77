"""A user sees and ends their own sessions; disabling an account ends all of them on the server."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.test import Client

from kring.accounts.models import UserSession
from kring.accounts.services import user_deactivate
from kring.audit.models import AccessLogEntry
from kring.testing.helpers import login


def _second_client(user) -> Client:
    return login(Client(HTTP_USER_AGENT="Telefoon"), user)


def test_the_sessions_page_lists_every_session_of_the_user_and_marks_this_one(world, as_user):
    client = as_user(world.coordinator)
    _second_client(world.coordinator)
    _second_client(world.manager)  # someone else's: not listed
    response = client.get("/accounts/sessions/")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2
    assert {r.user for r in response.context["rows"]} == {world.coordinator}
    assert response.context["current"] == client.session.session_key


def test_ending_a_session_signs_out_whoever_uses_it(world, as_user):
    client = as_user(world.coordinator)
    phone = _second_client(world.coordinator)
    assert phone.get("/cases/").status_code == 200
    row = UserSession.objects.get(session_key=phone.session.session_key)
    response = client.post("/accounts/sessions/end/", {"session": row.pk})
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=row.session_key).exists()
    response = phone.get("/cases/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/cases/").status_code == 200  # this one still works


def test_nobody_can_end_someone_elses_session(world, as_user):
    victim = _second_client(world.manager)
    row = UserSession.objects.get(session_key=victim.session.session_key)
    client = as_user(world.stranger_manager)
    assert client.post("/accounts/sessions/end/", {"session": row.pk}).status_code == 404
    assert Session.objects.filter(session_key=row.session_key).exists()
    assert victim.get("/inbox/").status_code == 200


def test_ending_this_session_signs_out(world, as_user):
    client = as_user(world.coordinator)
    row = UserSession.objects.get(session_key=client.session.session_key)
    response = client.post("/accounts/sessions/end/", {"session": row.pk})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_session_list_only_accepts_post_to_end(world, as_user):
    assert as_user(world.coordinator).get("/accounts/sessions/end/").status_code == 405


def test_disabling_an_account_in_the_admin_ends_all_its_sessions(world, as_user):
    phone = _second_client(world.coordinator)
    laptop = _second_client(world.coordinator)
    keys = [phone.session.session_key, laptop.session.session_key]
    world.coordinator.is_active = False
    world.coordinator.save()  # as the admin's user form does
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=world.coordinator).exists()
    assert phone.get("/cases/").status_code == 302


def test_disabling_ends_sessions_that_were_never_tracked(world):
    phone = _second_client(world.coordinator)
    UserSession.objects.all().delete()  # e.g. a session from before tracking existed
    world.coordinator.is_active = False
    world.coordinator.save(update_fields=["is_active"])
    assert not Session.objects.filter(session_key=phone.session.session_key).exists()


def test_the_deactivate_service_ends_sessions_and_is_logged(world):
    phone = _second_client(world.coordinator)
    ended = user_deactivate(user=world.coordinator, by=world.admin)
    assert ended >= 0
    assert not Session.objects.filter(session_key=phone.session.session_key).exists()
    entry = AccessLogEntry.objects.get(object_type="user", object_id=str(world.coordinator.pk))
    assert entry.user_label == world.admin.display_name and "sessions ended" in entry.purpose


def test_the_admin_action_disables_and_signs_out(world, as_user):
    phone = _second_client(world.coordinator)
    client = as_user(world.admin)
    response = client.post("/admin/accounts/user/", {
        "action": "deactivate_and_sign_out", "_selected_action": [world.coordinator.pk]})
    assert response.status_code == 302
    world.coordinator.refresh_from_db()
    assert not world.coordinator.is_active
    assert not Session.objects.filter(session_key=phone.session.session_key).exists()


def test_logout_forgets_the_tracked_session(world, as_user):
    client = as_user(world.manager)
    key = client.session.session_key
    client.get("/inbox/")
    assert UserSession.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/")
    assert not UserSession.objects.filter(session_key=key).exists()
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_records_where_it_came_from(world):
    client = Client(HTTP_USER_AGENT="Firefox op Linux", REMOTE_ADDR="192.0.2.7")
    login(client, world.manager)
    client.get("/inbox/")
    row = UserSession.objects.get(session_key=client.session.session_key)
    assert row.user_agent == "Firefox op Linux"


def test_signing_in_gives_a_new_session_id(db, client):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from kring.testing import factories as f

    f.ManagerFactory(username="staff")
    client.get("/accounts/login/")
    client.post("/accounts/login/", {"login": "staff", "password": f.TEST_PASSWORD})
    before = client.session.session_key
    import time

    client.post("/accounts/2fa/authenticate/",
                {"code": format_hotp_value(hotp_value(f.TEST_TOTP_SECRET, int(time.time()) // 30))})
    assert "_auth_user_id" in client.session
    assert client.session.session_key != before
    assert UserSession.objects.filter(session_key=client.session.session_key).exists()
