"""Session limits and the second factor for every staff role."""

from __future__ import annotations

import time

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .models import STAFF_ROLES

SESSION_STARTED = "kring_session_started"
SESSION_LAST_SEEN = "kring_session_last_seen"

# Paths a signed-in staff member may use before the second factor is set up.
MFA_SETUP_ALLOWED = ("/accounts/", "/static/", "/i18n/", "/favicon")


class SessionLimitsMiddleware:
    """End a session after 30 minutes without activity or 12 hours in all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED)
            last_seen = request.session.get(SESSION_LAST_SEEN)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if started is None:
                request.session[SESSION_STARTED] = now
            elif (last_seen is not None and now - last_seen > idle) or now - started > absolute:
                logout(request)  # flushes the session on the server
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "session expired"}, status=401)
                return redirect(f"{reverse('account_login')}?next={request.path}&expired=1")
            request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


def session_passed_second_factor(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(r.get("method") == "mfa" for r in records)


class RequireSecondFactorMiddleware:
    """Staff must have TOTP set up, and this session must have used it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.role not in STAFF_ROLES:
            return self.get_response(request)
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        if not has_totp:
            if request.path.startswith(MFA_SETUP_ALLOWED):
                return self.get_response(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "second factor not set up"}, status=403)
            return redirect("mfa_activate_totp")
        if not session_passed_second_factor(request):
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "second factor required"}, status=401)
            return redirect("account_login")
        return self.get_response(request)


class SessionTrackingMiddleware:
    """Keep `UserSession` up to date so a user can see and end their sessions.

    Placed after the session-limit and second-factor middleware (appended in
    settings), so only sessions that passed both are tracked.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from .sessions import session_track

            session_track(request)
        return self.get_response(request)
