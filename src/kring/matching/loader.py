"""From the database to the plain dataclasses of `criteria`.

Cases are read through `Case.objects.visible_to(user)`, the list-side twin of
`get_case_for`: a manager only ever loads the requests of their own regions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kring.accounts.models import CoordinatorProfile, Role, User
from kring.cases.models import ACTIVE_STATES, Case, State

from .criteria import Conflict, Coordinator, Pool, Request


def request_from_case(case: Case) -> Request:
    """The matcher's view of a case (uses prefetched persons and professionals when present)."""
    return Request(
        id=case.pk,
        region=case.region_id,
        urgent=case.is_urgent,
        arrival=case.submitted_at.timestamp(),
        pref_gender=case.pref_gender,
        pref_language=case.pref_language,
        language_required=case.language_required,
        pref_culture=case.pref_culture,
        pref_religion=case.pref_religion,
        persons=frozenset(p.name for p in case.persons.all()),
        organisations=frozenset(o for o in [case.requester_organisation,
                                            *(p.organisation for p in case.professionals.all())] if o),
        reference=case.reference,
    )


def coordinator_from_user(user: User, active_cases: int, today: date,
                          regions: Iterable[int] | None = None) -> Coordinator:
    """The matcher's view of a coordinator; `active_cases` counts against `max_cases`."""
    profile: CoordinatorProfile = user.coordinator_profile
    if regions is None:
        regions = (r.pk for r in profile.regions.all())
    return Coordinator(
        id=user.pk,
        regions=frozenset(regions),
        free=max(profile.max_cases - active_cases, 0),
        max_cases=profile.max_cases,
        languages=frozenset(profile.languages or ()),
        gender=profile.gender,
        culture=profile.cultural_background,
        religion=profile.religion,
        active=profile.active,
        absent=profile.is_absent_on(today),
        conflicts=tuple(Conflict(person=c.person_name, organisation=c.organisation)
                        for c in profile.conflicts.all()),
        name=user.display_name,
    )


def coordinators_serving(region_ids: Iterable[int], *, exclude_case: int | None = None) -> QuerySet:
    """Active coordinator accounts serving any of the regions, with their active case count."""
    busy = Q(coordinated_cases__state__in=ACTIVE_STATES)
    if exclude_case is not None:
        busy &= ~Q(coordinated_cases__pk=exclude_case)
    return (
        User.objects.filter(role=Role.COORDINATOR, is_active=True,
                            coordinator_profile__regions__in=list(region_ids))
        .distinct()
        .select_related("coordinator_profile")
        .prefetch_related("coordinator_profile__absences", "coordinator_profile__conflicts",
                          "coordinator_profile__regions")
        .annotate(active_cases=Count("coordinated_cases", filter=busy, distinct=True))
        .order_by("last_name", "first_name", "pk")
    )


def open_requests_for(user: User, region_ids: Iterable[int]) -> QuerySet:
    """Requests without a coordinator in the given regions that `user` may see, oldest first."""
    return (
        Case.objects.visible_to(user)
        .filter(state=State.REQUEST, coordinator__isnull=True, region__in=list(region_ids))
        .select_related("region")
        .prefetch_related("persons", "professionals")
        .order_by("submitted_at", "pk")
    )


@dataclass
class LoadedPool:
    """A pool together with the model objects it was built from, by id."""

    pool: Pool
    cases: dict[int, Case]
    users: dict[int, User]


def load_pool(*, user: User, region_ids: Iterable[int], today: date | None = None) -> LoadedPool:
    """Open requests of the regions that `user` may see, and the coordinators serving them."""
    today = today or timezone.localdate()
    region_ids = list(region_ids)
    cases = list(open_requests_for(user, region_ids))
    users = list(coordinators_serving(region_ids))
    return LoadedPool(
        pool=Pool(requests=tuple(request_from_case(c) for c in cases),
                  coordinators=tuple(coordinator_from_user(u, u.active_cases, today) for u in users)),
        cases={c.pk: c for c in cases},
        users={u.pk: u for u in users},
    )
