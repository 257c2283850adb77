"""Writing the access log. Call `log_access` from views and API operations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

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
) -> AccessLogEntry:
    """Write one access-log row and return it.

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
    return AccessLogEntry.objects.create(
        action=str(action),
        outcome=str(outcome),
        user=user if authenticated else None,
        user_label=user_label,
        role=role,
        on_behalf_of=on_behalf_of,
        client_address=client_address(request),
        object_type=object_type or "-",
        object_id=str(object_id) if object_id is not None else "-",
        case_id=case_id,
        purpose=purpose or _default_purpose(str(action), role),
    )


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
