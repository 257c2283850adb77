"""Why a plan looks the way it does: wishes met per pair, a reason per request left over."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kring.core.languages import language_name

from .criteria import Coordinator, Fit, Pool, Request, conflicts_with, evaluate, speaks


class Why(StrEnum):
    """Why a request has no coordinator in a plan, from the first hard rule that bites."""

    NO_COORDINATOR = "no_coordinator"  # nobody serves the region
    NO_LANGUAGE = "no_language"  # nobody in the region speaks the language the family needs
    NO_PLACES = "no_places"  # those who could have no places free (or take no new cases)
    ABSENT_OR_CONFLICT = "absent_or_conflict"  # those with places are absent or conflicted
    DROPPED = "dropped"  # the regional manager took it out of the proposal
    PLACES_LEFT = "places_left"  # someone could still take it (after manual changes)
    TAKEN = "taken"  # every eligible coordinator is full with requests that go first
    FULL = "full"  # every eligible coordinator is full (after manual changes)


@dataclass(frozen=True)
class Unmatched:
    """The reason for one request left without a coordinator."""

    why: Why
    count: int = 0
    language: str = ""

    @property
    def text(self) -> str:
        if self.why == Why.NO_COORDINATOR:
            return _("No coordinator works in this region.")
        if self.why == Why.NO_LANGUAGE:
            return _("No coordinator in this region speaks %(language)s, which the family needs.") % {
                "language": language_name(self.language)}
        if self.why == Why.NO_PLACES:
            return _("The coordinators who could take it have no places free.")
        if self.why == Why.ABSENT_OR_CONFLICT:
            return _("The coordinators with places free are absent today or have a conflict of interest.")
        if self.why == Why.DROPPED:
            return _("You took it out of this proposal.")
        if self.why == Why.PLACES_LEFT:
            return ngettext("%(count)s coordinator can still take it: choose one.",
                            "%(count)s coordinators can still take it: choose one.",
                            self.count) % {"count": self.count}
        if self.why == Why.FULL:
            return ngettext("The only coordinator who could take it is full with other requests "
                            "in this proposal.",
                            "All %(count)s coordinators who could take it are full with other "
                            "requests in this proposal.",
                            self.count) % {"count": self.count}
        return ngettext(
            "The only coordinator who could take it is full with requests that go first "
            "(urgent ones, then the ones waiting longest).",
            "All %(count)s coordinators who could take it are full with requests that go first "
            "(urgent ones, then the ones waiting longest).",
            self.count) % {"count": self.count}


def places_left(pool: Pool, assignment: Mapping[int, int]) -> dict[int, int]:
    """Coordinator id → places still free once the plan is carried out."""
    taken = Counter(assignment.values())
    return {c.id: c.free - taken[c.id] for c in pool.coordinators}


def priority_key(request: Request) -> tuple[bool, float, int]:
    """Smaller goes first: urgent, then earliest arrival (as `optimize.priority_order`)."""
    return (not request.urgent, request.arrival, request.id)


def why_unmatched(request: Request, coordinators: list[Coordinator], left: Mapping[int, int],
                  dropped: bool = False,
                  holders: Mapping[int, list[Request]] | None = None) -> Unmatched:
    """Walk the hard rules in order; the first that leaves nobody is the reason.

    `holders` maps coordinator id → requests the plan gives them; with it, a full house is
    `TAKEN` only when every one of those requests goes first, else `FULL`.
    """
    candidates = [c for c in coordinators if request.region in c.regions]
    if not candidates:
        return Unmatched(Why.NO_COORDINATOR)
    if request.language_required and request.pref_language:
        candidates = [c for c in candidates if speaks(c, request.pref_language)]
        if not candidates:
            return Unmatched(Why.NO_LANGUAGE, language=request.pref_language)
    candidates = [c for c in candidates if c.active and c.free > 0]
    if not candidates:
        return Unmatched(Why.NO_PLACES)
    candidates = [c for c in candidates if not c.absent and not conflicts_with(c, request)]
    if not candidates:
        return Unmatched(Why.ABSENT_OR_CONFLICT)
    if dropped:
        return Unmatched(Why.DROPPED)
    open_ = [c for c in candidates if left.get(c.id, 0) > 0]
    if open_:
        return Unmatched(Why.PLACES_LEFT, count=len(open_))
    if holders is not None and any(priority_key(h) > priority_key(request)
                                   for c in candidates for h in holders.get(c.id, ())):
        return Unmatched(Why.FULL, count=len(candidates))
    return Unmatched(Why.TAKEN, count=len(candidates))


def explain_unmatched(pool: Pool, assignment: Mapping[int, int],
                      dropped: Collection[int] = ()) -> dict[int, Unmatched]:
    """Request id → reason, for every request of the pool without a coordinator."""
    by_region: dict[int, list[Coordinator]] = defaultdict(list)
    for c in pool.coordinators:
        for region in c.regions:
            by_region[region].append(c)
    left = places_left(pool, assignment)
    holders: dict[int, list[Request]] = defaultdict(list)
    for r in pool.requests:
        if r.id in assignment:
            holders[assignment[r.id]].append(r)
    return {r.id: why_unmatched(r, by_region.get(r.region, []), left, r.id in dropped, holders)
            for r in pool.requests if r.id not in assignment}


def explain_pairs(pool: Pool, assignment: Mapping[int, int]) -> dict[int, Fit]:
    """Request id → the fit of its proposed coordinator (wishes met and not met)."""
    coordinators = {c.id: c for c in pool.coordinators}
    return {r.id: evaluate(r, coordinators[assignment[r.id]])
            for r in pool.requests if r.id in assignment}
