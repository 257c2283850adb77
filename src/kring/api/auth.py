"""Who is calling the API: a bearer token, or a staff session that passed the second factor.

The bearer token is tried first; a request without a usable token falls back
to the session, which is CSRF-checked for unsafe methods. Both return the user
and set `request.user`, so `log_access` and the permission rules see them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from kring.accounts.middleware import session_passed_second_factor
from kring.accounts.models import STAFF_ROLES, ApiToken

TOKEN_PREFIX = "kr_"


def _may_use_api(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.role in STAFF_ROLES)


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer kr_...`: a token issued with `ApiToken.issue`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token.startswith(TOKEN_PREFIX):
            return None
        api_token = (
            ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
        )
        if api_token is None or not _may_use_api(api_token.user):
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


class StaffSessionAuth(SessionAuth):
    """The signed-in web session of a staff member who used their second factor.

    `RequireSecondFactorMiddleware` already refuses sessions without it on
    /api/; this check repeats it so that the API never depends on the
    middleware order. Without a signed-in user there is nothing to protect
    from cross-site requests, so the CSRF check (and its 403) only applies
    to signed-in sessions and anonymous callers get a clean 401.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise HttpError(
                403, _("The CSRF check failed. Send the X-CSRFToken header with the CSRF cookie.")
            ) from None

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if _may_use_api(user) and session_passed_second_factor(request):
            return user
        return None


bearer_auth = BearerTokenAuth()
session_auth = StaffSessionAuth()
