"""Every sign-in attempt is in the security log: UTC, outcome, never the password or code."""

from __future__ import annotations

import json
import logging

from kring.accounts.tests.test_security import totp_now
from kring.testing import factories as f


def _events(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "kring.security"]


def test_failed_and_successful_sign_ins_are_logged_without_secrets(db, client, caplog):
    caplog.set_level(logging.INFO, logger="kring.security")
    f.ManagerFactory(username="staff")
    client.post("/accounts/login/", {"login": "staff", "password": "fout wachtwoord 123"})
    client.post("/accounts/login/", {"login": "staff", "password": f.TEST_PASSWORD})
    wrong = "000000" if totp_now() != "000000" else "111111"
    client.post("/accounts/2fa/authenticate/", {"code": wrong})
    client.post("/accounts/2fa/authenticate/", {"code": totp_now()})
    client.post("/accounts/logout/")
    events = [(e["event"], e["outcome"]) for e in _events(caplog)]
    assert ("login", "failed") in events and ("second_factor", "failed") in events
    assert ("login", "success") in events and ("logout", "success") in events
    for e in _events(caplog):
        assert e["at"].endswith("+00:00") and e["username"] == "staff"
    text = caplog.text
    assert "fout wachtwoord" not in text and f.TEST_PASSWORD not in text and wrong not in text
