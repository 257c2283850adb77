from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render
from django.utils import timezone

from kring.cases.models import ACTIVE_STATES

from .models import Absence, Role, User


@login_required
def coordinator_pool(request):
    """The regional manager's view of the coordinators serving their regions."""
    if request.user.role != Role.REGIONAL_MANAGER:
        raise PermissionDenied
    today = timezone.localdate()
    coordinators = (
        User.objects.filter(role=Role.COORDINATOR, is_active=True,
                            coordinator_profile__regions__in=request.user.regions.all())
        .distinct()
        .select_related("coordinator_profile")
        .prefetch_related(
            "coordinator_profile__regions",
            Prefetch("coordinator_profile__absences", queryset=Absence.objects.filter(ends_on__gte=today),
                     to_attr="current_absences"),
        )
        .annotate(
            active_cases=Count("coordinated_cases", filter=Q(coordinated_cases__state__in=ACTIVE_STATES),
                               distinct=True),
            conflict_count=Count("coordinator_profile__conflicts", distinct=True),
        )
        .order_by("last_name", "first_name")
    )
    return render(request, "accounts/coordinator_pool.html", {"coordinators": coordinators, "today": today})
