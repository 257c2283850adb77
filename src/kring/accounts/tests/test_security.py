"""Sign-in: passwords, the second factor for every staff role, session limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from kring.accounts.models import Role
from kring.testing import factories as f


def totp_now(secret: str = f.TEST_TOTP_SECRET, at=None) -> str:
    at = at or timezone.now()
    return format_hotp_value(hotp_value(secret, int(at.timestamp()) // 30))


def test_production_settings_hash_passwords_with_argon2(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "KRING_TESTING"}
    env.update(KRING_DATA_DIR=str(tmp_path), KRING_SECRET_KEY="x" * 50)
    out = subprocess.run(
        [sys.executable, "-c", "import kring.settings as s; print(s.PASSWORD_HASHERS[0])"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert out == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize("password", ["kort", "password1234", "123456789012", "Welkom12345!"[:8]])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_passphrase_without_composition_rules_is_accepted():
    validate_password("de kat zit op de mat in Zwolle")


@pytest.mark.parametrize("factory", [f.ManagerFactory, f.CoordinatorFactory, f.ProfessionalFactory,
                                     f.PolicyFactory, f.AdminFactory])
def test_every_staff_role_signs_in_with_password_and_then_totp(db, client, factory):
    user = factory(username="staff")
    response = client.post("/accounts/login/", {"login": "staff", "password": f.TEST_PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    # Not signed in yet: case pages send us back to sign in.
    assert client.get("/cases/").status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_now()})
    assert response.status_code == 302
    assert client.get("/").status_code in (200, 302)
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_wrong_totp_code_does_not_sign_in(db, client):
    f.ManagerFactory(username="staff")
    client.post("/accounts/login/", {"login": "staff", "password": f.TEST_PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": "000000" if totp_now() != "000000" else "111111"})
    assert "_auth_user_id" not in client.session


def test_a_totp_code_works_only_once(db, client):
    f.ManagerFactory(username="staff")
    code = totp_now()
    client.post("/accounts/login/", {"login": "staff", "password": f.TEST_PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert "_auth_user_id" in client.session
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": "staff", "password": f.TEST_PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert "_auth_user_id" not in client.session


def test_staff_without_a_second_factor_must_set_one_up_first(db, client):
    f.CoordinatorFactory(username="nieuw", totp=False)
    response = client.post("/accounts/login/", {"login": "nieuw", "password": f.TEST_PASSWORD})
    assert response.status_code == 302
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"


def test_a_session_without_the_second_factor_is_ended(db, client):
    user = f.ManagerFactory()
    client.force_login(user)  # password only, as if the TOTP step was skipped
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_block_even_the_right_password_for_a_while(db, client):
    f.ManagerFactory(username="staff")
    for _ in range(6):
        client.post("/accounts/login/", {"login": "staff", "password": "fout wachtwoord!!"})
    response = client.post("/accounts/login/", {"login": "staff", "password": f.TEST_PASSWORD})
    assert response.status_code != 302  # not on to the second factor
    assert "_auth_user_id" not in client.session
    # After the window the right password works again (no permanent lock-out).
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        response = client.post("/accounts/login/", {"login": "staff", "password": f.TEST_PASSWORD})
        assert response.status_code == 302


def test_the_session_ends_after_30_minutes_without_activity(world, as_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = as_user(world.manager)
        assert client.get("/inbox/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/inbox/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get("/inbox/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_session_ends_after_12_hours_even_when_active(world, as_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = as_user(world.manager)
        client.get("/inbox/")
    t = start
    while t < start + timedelta(hours=11, minutes=50):
        t += timedelta(minutes=20)
        with time_machine.travel(t, tick=False):
            assert client.get("/inbox/").status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=5), tick=False):
        assert client.get("/inbox/").status_code == 302


def test_logout_ends_the_session_on_the_server(world, as_user):
    client = as_user(world.manager)
    key = client.session.session_key
    client.post("/accounts/logout/")
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()


def test_nobody_can_sign_up_on_their_own(db, client):
    from kring.accounts.models import User

    client.post("/accounts/signup/", {"username": "indringer", "password1": "een heel lang wachtwoord"})
    assert not User.objects.filter(username="indringer").exists()


def test_every_role_is_a_staff_role_that_needs_the_second_factor():
    from kring.accounts.models import STAFF_ROLES

    assert set(Role.values) == STAFF_ROLES
    assert timedelta(minutes=30) == settings.SESSION_IDLE_TIMEOUT
    assert timedelta(hours=12) == settings.SESSION_ABSOLUTE_TIMEOUT
