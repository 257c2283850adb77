"""What makes a coordinator fit a request: the hard rules and the family's wishes.

Shared by the single-request ranking (`ranking.py`) and the optimiser for all open
requests at once (`optimize.py`). Everything here works on plain dataclasses, so the
optimiser and its benchmark run without a database; `loader.py` builds them from the models.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kring.accounts.models import Gender
from kring.core.languages import language_name

# Weights of the family's wishes. The optimiser uses the same weights.
WEIGHTS = {"language": 4, "gender": 3, "culture": 2, "religion": 2}
MAX_SCORE = sum(WEIGHTS.values())


@dataclass(frozen=True)
class Conflict:
    """A person or organisation a coordinator must not work for."""

    person: str = ""
    organisation: str = ""

    def __str__(self) -> str:
        return self.person or self.organisation


@dataclass(frozen=True)
class Request:
    """An open request as the matcher sees it. `arrival` orders requests: lower came first."""

    id: int
    region: int
    urgent: bool = False
    arrival: float = 0.0
    pref_gender: str = ""
    pref_language: str = ""
    language_required: bool = False
    pref_culture: str = ""
    pref_religion: str = ""
    persons: frozenset[str] = frozenset()  # names of parents and children
    organisations: frozenset[str] = frozenset()  # of the requester and the professionals
    reference: str = ""

    @property
    def wish_count(self) -> int:
        """How many of the four weighted wishes the family stated."""
        return sum(1 for w in (self.pref_language, self.pref_gender, self.pref_culture,
                               self.pref_religion) if w)


@dataclass(frozen=True)
class Coordinator:
    """A coordinator as the matcher sees it; `free` is places left today."""

    id: int
    regions: frozenset[int]
    free: int
    max_cases: int
    languages: frozenset[str] = frozenset()
    gender: str = ""
    culture: str = ""
    religion: str = ""
    active: bool = True
    absent: bool = False
    conflicts: tuple[Conflict, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class Pool:
    """Requests (in any order) and the coordinators who might take them."""

    requests: tuple[Request, ...]
    coordinators: tuple[Coordinator, ...]


@dataclass
class Fit:
    """How one coordinator fits one request: blockers (hard rules), then wishes."""

    score: int = 0
    blockers: list[str] = field(default_factory=list)
    met: list[str] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    wishes_met: int = 0

    @property
    def eligible(self) -> bool:
        return not self.blockers


def same_text(a: str, b: str) -> bool:
    """Free-text wishes match when both are given and equal, ignoring case and outer spaces."""
    key = text_key(a)
    return bool(key) and key == text_key(b)


def text_key(value: str) -> str:
    return value.strip().casefold()


def speaks(coordinator: Coordinator, language: str) -> bool:
    return language.casefold() in {lang.casefold() for lang in coordinator.languages}


def conflicts_with(coordinator: Coordinator, request: Request) -> list[Conflict]:
    """The coordinator's conflicts of interest that name someone involved in the request."""
    persons = {p.casefold() for p in request.persons}
    organisations = {o.casefold() for o in request.organisations if o}
    return [c for c in coordinator.conflicts
            if (c.person and c.person.casefold() in persons)
            or (c.organisation and c.organisation.casefold() in organisations)]


def has_blocker(request: Request, coordinator: Coordinator) -> bool:
    """The hard rules, without words: cheaper than `evaluate` when only the answer counts."""
    return (request.region not in coordinator.regions or not coordinator.active
            or coordinator.free <= 0 or coordinator.absent
            or bool(request.language_required and request.pref_language
                    and not speaks(coordinator, request.pref_language))
            or bool(conflicts_with(coordinator, request)))


def evaluate(request: Request, coordinator: Coordinator) -> Fit:
    """Blockers and wishes of one pair, in the words the ranking screen uses."""
    fit = Fit()
    if request.region not in coordinator.regions:
        fit.blockers.append(_("does not work in this region"))
    if not coordinator.active:
        fit.blockers.append(_("not available for new cases"))
    if coordinator.free <= 0:
        fit.blockers.append(_("no places free"))
    if coordinator.absent:
        fit.blockers.append(_("absent"))
    for conflict in conflicts_with(coordinator, request):
        fit.blockers.append(_("conflict of interest: %(with)s") % {"with": conflict})
    if request.pref_language:
        language = language_name(request.pref_language)
        if speaks(coordinator, request.pref_language):
            fit.met.append(_("speaks %(language)s") % {"language": language})
            fit.score += WEIGHTS["language"]
        elif request.language_required:
            fit.blockers.append(_("does not speak %(language)s") % {"language": language})
        else:
            fit.unmet.append(_("speaks %(language)s") % {"language": language})
    if request.pref_gender:
        if coordinator.gender == request.pref_gender:
            fit.met.append(gender_label(coordinator.gender))
            fit.score += WEIGHTS["gender"]
        else:
            fit.unmet.append(_("gender"))
    if request.pref_culture:
        if same_text(coordinator.culture, request.pref_culture):
            fit.met.append(_("background %(culture)s") % {"culture": coordinator.culture})
            fit.score += WEIGHTS["culture"]
        else:
            fit.unmet.append(_("background"))
    if request.pref_religion:
        if same_text(coordinator.religion, request.pref_religion):
            fit.met.append(_("religion %(religion)s") % {"religion": coordinator.religion})
            fit.score += WEIGHTS["religion"]
        else:
            fit.unmet.append(_("religion"))
    fit.wishes_met = len(fit.met)
    return fit


def wish_score(request: Request, coordinator: Coordinator) -> tuple[int, int]:
    """(weighted score, number of wishes met) without building any text."""
    score = met = 0
    if request.pref_language and speaks(coordinator, request.pref_language):
        score, met = score + WEIGHTS["language"], met + 1
    if request.pref_gender and coordinator.gender == request.pref_gender:
        score, met = score + WEIGHTS["gender"], met + 1
    if request.pref_culture and same_text(coordinator.culture, request.pref_culture):
        score, met = score + WEIGHTS["culture"], met + 1
    if request.pref_religion and same_text(coordinator.religion, request.pref_religion):
        score, met = score + WEIGHTS["religion"], met + 1
    return score, met


def gender_label(code: str) -> str:
    """'f' -> 'woman' (lower case, in the interface language); '' for no gender."""
    try:
        return str(Gender(code).label).lower()
    except ValueError:
        return ""
