"""Ranking coordinators for one request: hard rules first, then the family's wishes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import User
from kring.cases.models import Case

from .criteria import WEIGHTS, evaluate
from .loader import coordinator_from_user, coordinators_serving, request_from_case

__all__ = ["WEIGHTS", "Suggestion", "rank_coordinators"]


@dataclass
class Suggestion:
    coordinator: User
    free_places: int
    max_cases: int
    score: int = 0
    blockers: list[str] = field(default_factory=list)
    met: list[str] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.blockers

    @property
    def reason(self) -> str:
        """One line a regional manager reads in a glance."""
        parts = [*self.met]
        parts.append(_("%(free)s of %(max)s places free") % {"free": self.free_places, "max": self.max_cases})
        if self.unmet:
            parts.append(_("not: %(wishes)s") % {"wishes": ", ".join(self.unmet)})
        if self.blockers:
            return "; ".join(self.blockers)
        return ", ".join(parts)


def rank_coordinators(case: Case, today: date | None = None) -> list[Suggestion]:
    """All coordinators serving the case's region, eligible ones first, best first."""
    today = today or timezone.localdate()
    request = request_from_case(case)
    suggestions = []
    for user in coordinators_serving([case.region_id], exclude_case=case.pk):
        coordinator = coordinator_from_user(user, user.active_cases, today)
        fit = evaluate(request, coordinator)
        suggestions.append(Suggestion(
            coordinator=user, free_places=coordinator.free, max_cases=coordinator.max_cases,
            score=fit.score, blockers=fit.blockers, met=fit.met, unmet=fit.unmet,
        ))
    # Eligible first, then most wishes met, then most room left (spreads the work).
    suggestions.sort(key=lambda s: (not s.eligible, -s.score, -s.free_places))
    return suggestions
