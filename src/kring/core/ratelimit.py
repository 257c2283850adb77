"""Rate limits on costly and bulk functions (ASVS: "rate limits on costly and bulk functions").

One table, `LIMITED`, names the costly pages by URL name and puts each in a
bucket; `KRING_RATE_LIMITS` in the settings gives each bucket its number of uses
per window. The middleware counts per person: the signed-in staff member, or the
family's portal session, or else the address the request came from. Past the
limit the answer is 429 with a translated page and a Retry-After header;
nothing of the function runs.

The counters live in the shared cache (the database), so they hold across the
web processes. The database cache's increment is not atomic: two requests at the
same instant may both pass the last place. That is acceptable for a limit whose
aim is to stop bulk use, not to count exactly.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

#: URL name → bucket. The API counts as one bucket by its path.
LIMITED: dict[str, str] = {
    "plan_pdf": "document",
    "family_plan_pdf": "document",
    "case_export": "document",
    "dashboard_export": "export",
    "figures_export": "export",
    "matching_suggest": "matching",
}
API_PREFIX = "/api/"

#: bucket → (uses, window in seconds); settings.RATE_LIMITS overrides per bucket.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "document": (60, 600),
    "export": (30, 3600),
    "matching": (20, 600),
    "api": (600, 60),
}


def limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "RATE_LIMITS", {})}


def bucket_for(request: HttpRequest) -> str | None:
    if request.path.startswith(API_PREFIX):
        return "api"
    match = request.resolver_match
    return LIMITED.get(match.url_name) if match else None


def _who(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization:  # an API token: counted by its hash, never stored as it is
        return "t" + hashlib.sha256(authorization.encode()).hexdigest()[:32]
    if request.session.session_key:
        return f"s{request.session.session_key}"
    return f"ip{request.META.get('REMOTE_ADDR', '')}"


def hit(key: str, uses: int, window: int, now: float | None = None) -> int:
    """Count one use of `key` in its fixed window; 0 if allowed, else seconds until the window ends."""
    now = time.time() if now is None else now
    start = int(now // window) * window
    full = f"kring.rate:{key}:{start}"
    cache.add(full, 0, window + 5)
    try:
        count = cache.incr(full)
    except ValueError:  # expired between add and incr
        cache.set(full, 1, window + 5)
        count = 1
    return 0 if count <= uses else max(1, int(start + window - now))


class CostlyFunctionLimitMiddleware:
    """Answers 429 to a person who used a costly function too often in its window."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        bucket = bucket_for(request)
        if bucket is None or not getattr(settings, "RATE_LIMITS_ENABLED", True) or getattr(
                settings, "BENCH_FLOOR", False):
            return None
        uses, window = limits()[bucket]
        wait = hit(f"{bucket}:{_who(request)}", uses, window)
        if not wait:
            return None
        minutes = max(1, -(-wait // 60))
        if bucket == "api":
            response = JsonResponse({"detail": _("Too many requests. Try again in a minute.")}, status=429)
        else:
            response = render(request, "core/error.html", {"status": 429, "minutes": minutes}, status=429)
        response["Retry-After"] = str(wait)
        return response
