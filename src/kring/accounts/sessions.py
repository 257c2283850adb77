"""Who is signed in where: tracking, listing and ending a user's sessions."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.backends.base import SessionBase
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from kring.audit.log import client_address

from .models import User, UserSession

#: `last_seen` is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def session_store(session_key: str | None = None) -> SessionBase:
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def _user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]


def session_track(request: HttpRequest) -> None:
    """Record (or refresh) the current session of the signed-in user."""
    user = request.user
    key = request.session.session_key
    if not user.is_authenticated or not key:
        return
    now = timezone.now()
    row = UserSession.objects.filter(session_key=key).first()
    if row is None or row.user_id != user.pk:
        UserSession.objects.filter(session_key=key).delete()
        UserSession.objects.create(user=user, session_key=key, created=now, last_seen=now,
                                   ip=client_address(request), user_agent=_user_agent(request))
        return
    changes = {}
    if now - row.last_seen > TOUCH_EVERY:
        changes["last_seen"] = now
    if not row.user_agent and _user_agent(request):
        changes.update(user_agent=_user_agent(request), ip=client_address(request))
    if changes:
        UserSession.objects.filter(pk=row.pk).update(**changes)


def sessions_of(user: User) -> list[UserSession]:
    """The user's sessions that still exist in the session store; stale rows are removed."""
    alive = []
    for row in UserSession.objects.filter(user=user):
        if session_store().exists(row.session_key):
            alive.append(row)
        else:
            row.delete()
    return alive


def session_end(row: UserSession) -> None:
    """Delete one session from the session store: whoever holds it is signed out."""
    session_store().delete(row.session_key)
    row.delete()


def sessions_end_all(user: User) -> int:
    """End every session of a user, including any not tracked yet (found by scanning)."""
    count = 0
    for row in UserSession.objects.filter(user=user):
        session_end(row)
        count += 1
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        from django.contrib.sessions.models import Session

        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
                session.delete()
                count += 1
    return count


@receiver(user_logged_in, dispatch_uid="kring_track_session_on_login")
def _track_on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        if request.session.session_key is None:
            request.session.save()
        request.user = user
        session_track(request)


@receiver(user_logged_out, dispatch_uid="kring_forget_session_on_logout")
def _forget_on_logout(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
