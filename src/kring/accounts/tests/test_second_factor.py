"""The second factor cannot be skipped (password reset), removed by its user, or replaced
without the administrator; changing e-mail or the second factor asks for the password again."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from kring.accounts.services import second_factor_reset
from kring.audit.models import AccessLogEntry
from kring.testing import factories as f
from kring.testing.helpers import login

NEW_PASSWORD = "een nieuw en lang wachtwoord voor Kring"


def test_a_password_reset_still_needs_the_second_factor(db, client):
    user = f.CoordinatorFactory(username="vergeten", email="vergeten@example.org")
    client.post("/accounts/password/reset/", {"email": "vergeten@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "_auth_user_id" not in client.session  # the reset did not sign in
    response = client.post("/accounts/login/", {"login": "vergeten", "password": NEW_PASSWORD})
    assert "/accounts/2fa/authenticate/" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert client.get("/cases/").status_code == 302


def test_the_administrator_replaces_a_lost_second_factor_and_it_is_logged(world, as_user):
    phone = login(Client(), world.coordinator)
    admin = as_user(world.admin)
    changelist = "/admin/accounts/user/"
    response = admin.post(changelist, {"action": "replace_second_factor",
                                       "_selected_action": [world.coordinator.pk]})
    assert response.status_code == 200 and b"identity_checked_how" in response.content
    assert Authenticator.objects.filter(user=world.coordinator).exists()  # nothing yet
    response = admin.post(changelist, {"action": "replace_second_factor", "apply": "1",
                                       "_selected_action": [world.coordinator.pk],
                                       "identity_checked_how": "paspoort gezien op kantoor"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.coordinator).exists()
    assert not Session.objects.filter(session_key=phone.session.session_key).exists()
    entry = AccessLogEntry.objects.get(object_type="user", object_id=str(world.coordinator.pk))
    assert entry.role == "admin" and "paspoort gezien" in entry.purpose
    # At the next sign-in: password, then straight to setting up a new authenticator.
    fresh = Client()
    fresh.post("/accounts/login/", {"login": "coordinator", "password": f.TEST_PASSWORD})
    response = fresh.get("/cases/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"


def test_only_the_administrator_may_replace_a_second_factor(world):
    for by in (world.manager, world.coordinator, world.policy):
        with pytest.raises(ValidationError):
            second_factor_reset(user=world.professional, by=by, identity_checked_how="gebeld op bekend nummer")
    with pytest.raises(ValidationError):
        second_factor_reset(user=world.admin, by=world.admin, identity_checked_how="ik ben het zelf")
    with pytest.raises(ValidationError):
        second_factor_reset(user=world.professional, by=world.admin, identity_checked_how="")
    assert Authenticator.objects.filter(user=world.professional).exists()


def test_staff_cannot_change_their_email_address_themselves(world, as_user):
    """With a second factor, allauth refuses to add an (unverified) address; the admin changes it."""
    client = as_user(world.coordinator)
    client.post("/accounts/email/", {"action_add": "", "email": "nieuw@example.org"})
    assert not world.coordinator.emailaddress_set.filter(email="nieuw@example.org").exists()


def test_email_and_password_management_need_recent_reauthentication(settings):
    assert settings.ACCOUNT_REAUTHENTICATION_REQUIRED is True
    assert settings.MFA_REAUTHENTICATION_REQUIRED is True
    assert settings.ACCOUNT_REAUTHENTICATION_TIMEOUT <= 300


@pytest.mark.parametrize("path", ["/accounts/2fa/recovery-codes/generate/", "/accounts/2fa/totp/deactivate/"])
def test_changing_the_second_factor_asks_for_the_password_again(world, as_user, path):
    client = as_user(world.coordinator)
    response = client.post(path)
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    assert Authenticator.objects.filter(user=world.coordinator, type=Authenticator.Type.TOTP).exists()


def test_after_reauthenticating_staff_still_cannot_switch_off_totp(world, as_user):
    client = as_user(world.coordinator)
    response = client.post("/accounts/reauthenticate/", {"password": f.TEST_PASSWORD})
    assert response.status_code == 302
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 200  # the form shows why not
    assert Authenticator.objects.filter(user=world.coordinator, type=Authenticator.Type.TOTP).exists()


def test_changing_the_password_asks_for_the_current_password(world, as_user):
    client = as_user(world.coordinator)
    response = client.post("/accounts/password/change/", {
        "oldpassword": "niet mijn wachtwoord!!", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    world.coordinator.refresh_from_db()
    assert response.status_code == 200 and not world.coordinator.check_password(NEW_PASSWORD)


def test_a_totp_code_from_a_minute_ago_is_refused(db, client, settings):
    """TOTP codes live one 30-second period, with no extra periods of tolerance."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    assert settings.MFA_TOTP_PERIOD == 30 and getattr(settings, "MFA_TOTP_TOLERANCE", 0) == 0
    f.ManagerFactory(username="staff")
    import time

    old = format_hotp_value(hotp_value(f.TEST_TOTP_SECRET, int(time.time() - 61) // 30))
    now = format_hotp_value(hotp_value(f.TEST_TOTP_SECRET, int(time.time()) // 30))
    if old == now:
        pytest.skip("the codes happen to be equal")
    client.post("/accounts/login/", {"login": "staff", "password": f.TEST_PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": old})
    assert "_auth_user_id" not in client.session
