"""Template filters of the plan pages."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

EMPTY = mark_safe("<p>-</p>")


@register.filter(is_safe=True)
def written(text: object) -> SafeString:
    """Text as the family or the professional wrote it: a paragraph per line that is not blank,
    each in its own direction; "-" when there is no text at all. Escaped."""
    lines = text.splitlines() if isinstance(text, str) else []
    if not lines:
        return EMPTY
    return mark_safe("".join(f'<p dir="auto">{escape(line)}</p>' for line in lines if line.strip()))  # noqa: S308
