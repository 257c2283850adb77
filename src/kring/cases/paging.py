"""Keyset pagination for long case lists: newest first, no COUNT and no OFFSET.

A page is found from the position of the row next to it (`submitted_at`, `pk`),
so page 1,000 costs what page 1 costs, however many cases there are; the price
is that there is no "page 7 of 2,000", only newer and older. The position in
the URL is a plain cursor (`<microseconds since 1970>.<pk>`), not a secret: the
rows still come from the caller's queryset (`Case.objects.visible_to(user)`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def cursor_of(case) -> str:
    return f"{(case.submitted_at - EPOCH) // timedelta(microseconds=1)}.{case.pk}"


def parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    """(submitted_at, pk), or None for a missing or malformed cursor (then the first page is shown)."""
    if not value:
        return None
    micros, _, pk = value.partition(".")
    try:
        return EPOCH + timedelta(microseconds=int(micros)), int(pk)
    except (ValueError, OverflowError):
        return None


@dataclass
class KeysetPage:
    items: list = field(default_factory=list)
    newer: str | None = None  # cursor for the page before (newer cases), or None on the first page
    older: str | None = None  # cursor for the page after (older cases), or None on the last page
    first: bool = True

    def __iter__(self) -> Iterator:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.newer or self.older)


def keyset_page(cases: QuerySet, *, after: str | None = None, before: str | None = None,
                size: int = 50) -> KeysetPage:
    """One page of `cases`, newest first: the cases older than `after`, or newer than `before`."""
    position = parse_cursor(before)
    if position is not None:
        at, pk = position
        # `submitted_at >= at` can use the index; the tie on the same instant is settled by pk.
        rows = list(cases.filter(submitted_at__gte=at).filter(Q(submitted_at__gt=at) | Q(pk__gt=pk))
                    .order_by("submitted_at", "pk")[:size + 1])
        if len(rows) <= size:  # back at the newest cases: the first page, full
            return keyset_page(cases, size=size)
        items = rows[:size][::-1]
        return KeysetPage(items=items, newer=cursor_of(items[0]), older=cursor_of(items[-1]), first=False)
    position = parse_cursor(after)
    ordered = cases.order_by("-submitted_at", "-pk")
    if position is not None:
        at, pk = position
        ordered = ordered.filter(submitted_at__lte=at).filter(Q(submitted_at__lt=at) | Q(pk__lt=pk))
    rows = list(ordered[:size + 1])
    items = rows[:size]
    return KeysetPage(items=items, newer=cursor_of(items[0]) if position is not None and items else None,
                      older=cursor_of(items[-1]) if len(rows) > size else None, first=position is None)
