"""Writing the access log. Call `log_access` from views and API operations."""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from .models import AccessLogEntry, Action, Outcome


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind a trusted proxy, REMOTE_ADDR is set by the WSGI server from the
    # proxy's header; we do not trust X-Forwarded-For ourselves.
    return request.META.get("REMOTE_ADDR") or None


def log_access(
    request: HttpRequest | None,
    *,
    action: Action | str,
    obj: Any = None,
    object_type: str | None = None,
    object_id: Any = None,
    case_id: int | None = None,
    outcome: Outcome | str = Outcome.SUCCESS,
    purpose: str = "",
    user: Any = None,
) -> uuid.UUID:
    """Write one access-log row and return its event id.

    `obj` may be a model instance (its model name and pk are used); otherwise
    pass `object_type` and `object_id`. The case id is taken from `obj.case_id`
    or `obj` itself when it is a case, so the family can see its own log.
    """
    if user is None and request is not None:
        user = getattr(request, "user", None)
    authenticated = bool(user is not None and user.is_authenticated)
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = obj.pk if object_id is None else object_id
        if case_id is None:
            case_id = obj.pk if obj._meta.model_name == "case" else getattr(obj, "case_id", None)
    if authenticated:
        user_label = user.display_name
        role = user.role or "unknown"
        on_behalf_of = user.organisation_label
    else:
        user_label = "anonymous"
        role = "anonymous"
        on_behalf_of = "self"
    return append_entry(
        action=str(action),
        outcome=str(outcome),
        user_id=user.pk if authenticated else None,
        user_label=user_label,
        role=role,
        on_behalf_of=on_behalf_of,
        client_address=client_address(request),
        object_type=object_type or "-",
        object_id=str(object_id) if object_id is not None else "-",
        case_id=case_id,
        purpose=purpose or _default_purpose(str(action), role),
    )


#: The columns `append_entry` writes, in order (every column but the id).
_COLUMNS = ("event_id", "action", "at", "outcome", "user_id", "user_label", "role", "on_behalf_of",
            "client_address", "object_type", "object_id", "case_id", "purpose")


@cache
def _insert_sql(vendor: str) -> tuple[str, tuple]:
    """The INSERT statement and the fields that prepare its values, built once per database kind."""
    del vendor  # the cache key: quoting and placeholders are the same on SQLite and PostgreSQL
    meta = AccessLogEntry._meta
    fields = tuple(meta.get_field(name.removesuffix("_id") if name == "user_id" else name) for name in _COLUMNS)
    quote = connection.ops.quote_name
    # Names come from the model, values are bound parameters.
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    return sql, fields


def append_entry(**values: Any) -> uuid.UUID:
    """Append one row (the model's field names as keywords; `event_id` and `at` may be left out).

    One INSERT with a statement built once, instead of the ORM's save(): the log is written
    on every page view, and building a model instance and compiling its INSERT cost more CPU
    than the rest of a small page. Values go through the fields' own conversion for the
    database, as `save()` does. Returns the event id.
    """
    values.setdefault("event_id", uuid.uuid4())
    values.setdefault("at", timezone.now())
    if "user" in values:
        user = values.pop("user")
        values["user_id"] = user.pk if user is not None else None
    sql, fields = _insert_sql(connection.vendor)
    params = [field.get_db_prep_save(values[name], connection) for name, field in zip(_COLUMNS, fields, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return values["event_id"]


#: The purpose written when the caller gives none, by role (else the action itself).
DEFAULT_PURPOSES = {
    "coordinator": "case coordination",
    "regional_manager": "request handling",
    "professional": "care for the family",
    "policy": "aggregate reporting",
    "admin": "system administration",
    "anonymous": "request by the public",
}


def _default_purpose(action: str, role: str) -> str:
    return DEFAULT_PURPOSES.get(role, action)
