"""Pieces of HTML that hold nothing of a user, a case or a request, built once per language.

The circle page shows the same empty "add someone" form, the same widening
questions and the same eco-map background and legend to everyone; only the
language changes them. Building them through the template engine on every
request was most of the page's cost, so each process keeps them per language.

Only pieces without any personal data, CSRF token, case or request detail may
be kept here: the caller builds them with no request and no case at hand.
With DEBUG on nothing is kept, so that template edits show at once.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.translation import get_language

_KEPT: dict[tuple[str, str], str] = {}


def kept(name: str, build: Callable[[], str]) -> str:
    """The piece `name` in the active language: built by `build()` the first time."""
    key = (name, get_language() or settings.LANGUAGE_CODE)
    html = _KEPT.get(key)
    if html is None:
        html = build()
        if not settings.DEBUG:
            _KEPT[key] = html
    return html


def forget() -> None:
    """Drop every kept piece (for tests that change templates or translations)."""
    _KEPT.clear()
