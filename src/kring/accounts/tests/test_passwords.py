"""Passwords: at least 12 characters, long ones welcome, no composition rules, leaked ones refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from kring.accounts.passwords import looks_breached
from kring.testing import factories as f


def test_a_password_of_128_characters_is_accepted_and_signs_in(db, client):
    long_password = ("mijn fiets staat bij de bakker in Deventer " * 4)[:128]
    assert len(long_password) == 128
    validate_password(long_password)
    user = f.ManagerFactory(username="lang")
    user.set_password(long_password)
    user.save()
    response = client.post("/accounts/login/", {"login": "lang", "password": long_password})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]


@pytest.mark.parametrize("password", [
    "Welkom01!", "Welkom2024!!", "Welkom01!Welkom01!", "W3lk0m2025!!", "Wachtwoord123",
    "Zomer2025!Zomer", "Winter2024!!!", "zomer2024winter", "Qwertyuiop12", "Feyenoord1908!",
    "Password1234!", "P@ssw0rd2024!", "!!2024kring2024!!", "1234567890!!", "januari2026!!",
])
def test_breached_looking_passwords_are_refused(password):
    assert looks_breached(password)
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", [
    "de kat zit op de mat in Zwolle", "correct horse battery staple", "Tuinslang-Vioolkist-47",
    "mijn oma bakte appeltaart op zondag",
])
def test_passphrases_without_special_characters_are_accepted(password):
    assert not looks_breached(password)
    validate_password(password)


def test_there_are_no_composition_rules():
    """Only lower-case letters and spaces: accepted (ASVS: no composition rules)."""
    validate_password("alleen kleine letters en spaties hier")


def test_the_leaked_list_is_bundled_and_not_fetched():
    from kring.accounts.passwords import LIST_FILE, leaked_words

    assert LIST_FILE.exists() and len(leaked_words()) > 200


def test_passwords_never_expire(db, client):
    """No forced rotation (ASVS): a password set years ago still signs in."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    f.ManagerFactory(username="oud")
    with time_machine.travel(timezone.now() + timedelta(days=365 * 3), tick=False):
        response = client.post("/accounts/login/", {"login": "oud", "password": f.TEST_PASSWORD})
        assert "/accounts/2fa/authenticate/" in response["Location"]
