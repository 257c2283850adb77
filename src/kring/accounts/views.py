from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.cases.models import ACTIVE_STATES

from .models import Absence, Role, User, UserSession
from .sessions import session_end, sessions_of


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


@login_required
def session_list(request):
    """The user's own signed-in sessions, with a button to end each."""
    rows = sessions_of(request.user)
    current = request.session.session_key
    return render(request, "accounts/sessions.html", {"rows": rows, "current": current})


@login_required
@require_POST
def session_end_view(request):
    """End one of the user's own sessions; someone else's session is a 404."""
    try:
        pk = int(request.POST.get("session", ""))
    except ValueError:
        raise Http404 from None
    row = UserSession.objects.filter(pk=pk, user=request.user).first()
    if row is None:
        raise Http404
    if row.session_key == request.session.session_key:
        from django.contrib.auth import logout

        logout(request)
        return redirect("account_login")
    session_end(row)
    messages.success(request, _("The session has been ended. Whoever used it is signed out."))
    return redirect("session_list")
