from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

PUBLIC_CACHEABLE = ("/static/",)


class PrivateCacheMiddleware:
    """`Cache-Control: no-store` on every page that may hold personal data.

    Only static files may be cached; every other response can carry names,
    birth dates or concerns about a child.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(PUBLIC_CACHEABLE):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
