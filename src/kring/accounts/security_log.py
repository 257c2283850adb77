"""The security log: every sign-in attempt, second-factor failure and sign-out.

One line per event on the `kring.security` logger, time in UTC (ISO 8601),
never a password, code or session key. Refused access to a case is in the access
log (`kring.audit`), written by `get_case_for`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from allauth.mfa.signals import authentication_failed as mfa_failed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kring.audit.log import client_address

logger = logging.getLogger("kring.security")


def security_event(event: str, *, request=None, username: str = "", outcome: str = "success") -> dict:
    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "event": event,
        "outcome": outcome,
        "username": (username or "")[:150],
        "address": client_address(request),
    }
    logger.info(json.dumps(record, sort_keys=True))
    return record


@receiver(user_logged_in, dispatch_uid="kring_security_log_login")
def _logged_in(sender, request, user, **kwargs):
    security_event("login", request=request, username=user.get_username())


@receiver(user_login_failed, dispatch_uid="kring_security_log_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the name is used.
    username = credentials.get("username") or credentials.get("login") or ""
    security_event("login", request=request, username=str(username), outcome="failed")


@receiver(mfa_failed, dispatch_uid="kring_security_log_mfa_failed")
def _mfa_failed(sender, request, user, **kwargs):
    security_event("second_factor", request=request, username=user.get_username(), outcome="failed")


@receiver(user_logged_out, dispatch_uid="kring_security_log_logout")
def _logged_out(sender, request, user, **kwargs):
    security_event("logout", request=request, username=user.get_username() if user else "")
