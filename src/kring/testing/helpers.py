"""Small helpers for tests: signing in with the second factor, running the worker."""

from __future__ import annotations

import time

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client


def login(client: Client, user) -> Client:
    """Sign a user in as if they passed password and TOTP."""
    client.force_login(user)
    session = client.session
    records = [{"method": "password", "at": time.time(), "username": user.username}]
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None:
        records.append({"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": "totp"})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return client


def run_worker() -> None:
    """Run every queued background task, as `kring worker` would, then return.

    The worker closes "old" database connections between tasks; inside a test's
    transaction that would close the test's own connection (PostgreSQL), so the
    in-process run keeps it open. Tests of the real worker process run `kring worker`.
    """
    from unittest import mock

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)
