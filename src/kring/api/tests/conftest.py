"""Helpers for the API tests: JSON calls, bearer tokens and the access log."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kring.accounts.models import ApiToken
from kring.audit.models import AccessLogEntry


class Api:
    """A JSON client for /api/, signed in by session (`as_user`) or with a token."""

    def __init__(self, client: Client, token: str | None = None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def call(self, method: str, path: str, body: Any = None, **headers: str):
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(self.client, method.lower())(path, **kwargs)

    def get(self, path: str, **headers: str):
        return self.call("GET", path, **headers)

    def post(self, path: str, body: Any = None, **headers: str):
        return self.call("POST", path, body if body is not None else {}, **headers)


@pytest.fixture
def api(client, as_user):
    """`api(user)`: a session client for the user; `api(None)`: anonymous."""

    def _api(user=None) -> Api:
        return Api(as_user(user) if user is not None else client)

    return _api


@pytest.fixture
def token_api(db):
    """`token_api(user)`: a cookie-less client that sends a fresh bearer token of the user."""

    def _api(user) -> Api:
        _token, key = ApiToken.issue(user=user, name="test")
        return Api(Client(), token=key)

    return _api


class LogWatcher:
    """The access-log rows written since it was made."""

    def __init__(self) -> None:
        last = AccessLogEntry.objects.order_by("-id").first()
        self.after = last.pk if last else 0

    def rows(self) -> list[AccessLogEntry]:
        return list(AccessLogEntry.objects.filter(pk__gt=self.after).order_by("id"))

    def one(self, **expected: Any) -> AccessLogEntry:
        """Exactly one new row, with every field filled and the expected values."""
        rows = self.rows()
        assert len(rows) == 1, [str(r) for r in rows]
        row = rows[0]
        for name in ("event_id", "action", "at", "outcome", "user_id", "user_label", "role",
                     "on_behalf_of", "client_address", "object_type", "object_id", "purpose"):
            assert getattr(row, name) not in (None, ""), name
        for name, value in expected.items():
            assert getattr(row, name) == value, (name, getattr(row, name), value)
        return row


@pytest.fixture
def access_log(db):
    """`access_log()` starts watching the access log."""
    return LogWatcher
