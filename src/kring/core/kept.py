"""Pieces of HTML that hold nothing of a user, a case or a request, built once per language.

Empty forms (the circle's "add someone", the case filter, the step reason, the reconvene
form), the widening questions and the eco-map's background and legend are the same for
everyone; only the language changes them. Building them through the template engine on every
request was much of those pages' cost, so each process keeps them per language.

Only pieces without any personal data, CSRF token, case or request detail may
be kept here: the caller builds them with no request and no case at hand.
With DEBUG on nothing is kept, so that template edits show at once.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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


@receiver(setting_changed)
def forget(**kwargs) -> None:
    """Drop every kept piece (settings, templates or translations changed, e.g. in tests)."""
    _KEPT.clear()
