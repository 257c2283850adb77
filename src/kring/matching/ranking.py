"""Ranking coordinators for one request: hard rules first, then the family's wishes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import Role, User
from kring.cases.models import ACTIVE_STATES, Case
from kring.core.languages import language_name

# Weights of the family's wishes; urgency is handled by the inbox order.
WEIGHTS = {"language": 4, "gender": 3, "culture": 2, "religion": 2}


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


def _matches(a: str, b: str) -> bool:
    return bool(a) and bool(b) and a.strip().casefold() == b.strip().casefold()


def rank_coordinators(case: Case, today: date | None = None) -> list[Suggestion]:
    """All coordinators serving the case's region, eligible ones first, best first."""
    today = today or timezone.localdate()
    coordinators = (
        User.objects.filter(role=Role.COORDINATOR, is_active=True, coordinator_profile__regions=case.region_id)
        .select_related("coordinator_profile")
        .prefetch_related("coordinator_profile__absences", "coordinator_profile__conflicts")
        .annotate(active_cases=Count("coordinated_cases", filter=Q(coordinated_cases__state__in=ACTIVE_STATES)
                                     & ~Q(coordinated_cases__pk=case.pk)))
        .order_by("last_name", "first_name", "pk")
    )
    person_names = {p.name.casefold() for p in case.persons.all()}
    organisations = {o.casefold() for o in [case.requester_organisation,
                                            *(p.organisation for p in case.professionals.all())] if o}
    suggestions = []
    for user in coordinators:
        profile = user.coordinator_profile
        free = max(profile.max_cases - user.active_cases, 0)
        s = Suggestion(coordinator=user, free_places=free, max_cases=profile.max_cases)
        if not profile.active:
            s.blockers.append(_("not available for new cases"))
        if free <= 0:
            s.blockers.append(_("no places free"))
        if profile.is_absent_on(today):
            s.blockers.append(_("absent"))
        for conflict in profile.conflicts.all():
            if (conflict.person_name and conflict.person_name.casefold() in person_names) or (
                conflict.organisation and conflict.organisation.casefold() in organisations
            ):
                s.blockers.append(_("conflict of interest: %(with)s") % {"with": conflict})
        languages = {lang.casefold() for lang in profile.languages}
        if case.pref_language:
            if case.pref_language.casefold() in languages:
                s.met.append(_("speaks %(language)s") % {"language": language_name(case.pref_language)})
                s.score += WEIGHTS["language"]
            else:
                wish = _("speaks %(language)s") % {"language": language_name(case.pref_language)}
                if case.language_required:
                    s.blockers.append(_("does not speak %(language)s")
                                      % {"language": language_name(case.pref_language)})
                else:
                    s.unmet.append(wish)
        if case.pref_gender:
            label = profile.get_gender_display().lower() if profile.gender else ""
            if profile.gender == case.pref_gender:
                s.met.append(label)
                s.score += WEIGHTS["gender"]
            else:
                s.unmet.append(_("gender"))
        if case.pref_culture:
            if _matches(profile.cultural_background, case.pref_culture):
                s.met.append(_("background %(culture)s") % {"culture": profile.cultural_background})
                s.score += WEIGHTS["culture"]
            else:
                s.unmet.append(_("background"))
        if case.pref_religion:
            if _matches(profile.religion, case.pref_religion):
                s.met.append(_("religion %(religion)s") % {"religion": profile.religion})
                s.score += WEIGHTS["religion"]
            else:
                s.unmet.append(_("religion"))
        suggestions.append(s)
    # Eligible first, then most wishes met, then most room left (spreads the work).
    suggestions.sort(key=lambda s: (not s.eligible, -s.score, -s.free_places))
    return suggestions
