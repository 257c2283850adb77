"""Case pages. Every view reaches a case only through `get_case_for`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kring.accounts.models import Role, User
from kring.audit.log import log_access
from kring.audit.models import AccessLogEntry, Action, Outcome
from kring.conferences.services import preparation_progress
from kring.matching.ranking import rank_coordinators

from .access import get_case_for
from .forms import AssignForm, CaseFilterForm, StepForm, filter_field_html, step_reason_html
from .lifecycle import available_transitions
from .models import Case, State, coordinator_wishes
from .paging import keyset_page
from .rows import (
    INBOX_FIELDS,
    LIST_FIELDS,
    case_links,
    case_rows,
    day_text,
    inbox_rows,
    local_day_and_time,
    person_rows,
    professional_rows,
    timeline,
)
from .rules import can
from .services import case_assign, case_transition

PAGE_SIZE = 50


def _require_role(user, *roles):
    if user.role not in roles:
        raise PermissionDenied


@login_required
def inbox(request):
    """The regional manager's open requests, urgent first, then by time left."""
    _require_role(request.user, Role.REGIONAL_MANAGER)
    cases = Case.objects.visible_to(request.user).in_inbox().order_by("-urgency", "next_deadline_at", "pk")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))  # counts the cases, no joins
    # The page's rows as values; no query at all when nothing is open.
    page.object_list = inbox_rows(
        page.object_list.values_list(*INBOX_FIELDS, named=True) if page.paginator.count else [], timezone.now())
    log_access(request, action=Action.SEARCH, object_type="inbox", object_id="-",
               purpose="inbox of open requests")
    return render(request, "cases/inbox.html", {"page": page})


@login_required
def case_list(request):
    _require_role(request.user, Role.REGIONAL_MANAGER, Role.COORDINATOR, Role.PROFESSIONAL)
    # Without parameters the form is empty: its fields' HTML is kept (see `filter_field_html`).
    form = CaseFilterForm(request.GET) if request.GET else None
    cases = Case.objects.visible_to(request.user)
    if form is not None and form.is_valid():
        if form.cleaned_data["q"]:
            cases = cases.matching_reference(form.cleaned_data["q"])
        if form.cleaned_data["state"]:
            cases = cases.filter(state=form.cleaned_data["state"])
    # Keyset pages (newer / older), no COUNT or OFFSET: a region holds a hundred thousand cases.
    page = keyset_page(cases.values_list(*LIST_FIELDS, named=True), after=request.GET.get("after"),
                       before=request.GET.get("before"), size=PAGE_SIZE)
    page.items = case_rows(page.items)
    log_access(request, action=Action.SEARCH, object_type="case", object_id="-", purpose="case list")
    filters = request.GET.copy()
    for key in ("after", "before", "page"):
        filters.pop(key, None)
    return render(request, "cases/case_list.html", {
        "page": page, "filters": filters.urlencode(),
        "q_field": filter_field_html(form, "q"), "state_field": filter_field_html(form, "state"),
    })


@login_required
def case_detail(request, case_id: int):
    case = get_case_for(request.user, case_id, "view", request=request)
    log_access(request, action=Action.READ, obj=case)
    prep_done, prep_total = preparation_progress(case)
    return render(request, "cases/case_detail.html", {
        "case": case,
        "received": local_day_and_time(case.submitted_at, "j F Y"),
        "consent_day": day_text(case.phone_consent_at and timezone.localdate(case.phone_consent_at)),
        "links": case_links(case.pk),
        "persons": person_rows(case.pk, timezone.localdate()),
        "professionals": professional_rows(case.pk),
        "events": timeline(case.pk),
        "wishes": coordinator_wishes(case),
        "prep_done": prep_done,
        "prep_total": prep_total,
        "clocks": case.clocks(),
        "transitions": available_transitions(request.user, case),
        "step_reason": step_reason_html(),
        "can_assign": can(request.user, "assign", case) and case.state == State.REQUEST,
        "can_view_log": can(request.user, "view_log", case),
    })


@login_required
@require_POST
def case_step(request, case_id: int):
    case = get_case_for(request.user, case_id, "transition", request=request)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect("case_detail", case_id=case.pk)
    try:
        case = case_transition(case=case, name=form.cleaned_data["step"], by=request.user,
                               reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                   purpose=f"step refused: {form.cleaned_data['step']}")
        messages.error(request, " ".join(exc.messages))
        return redirect("case_detail", case_id=case.pk)
    log_access(request, action=Action.CHANGE, obj=case, purpose=f"step: {form.cleaned_data['step']}")
    messages.success(request, _("Step saved. The case is now: %(state)s.") % {"state": case.get_state_display()})
    return redirect("case_detail", case_id=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def case_assign_view(request, case_id: int):
    """Coordinators ranked for this request; assign one with one click."""
    case = get_case_for(request.user, case_id, "assign", request=request)
    if request.method == "POST":
        form = AssignForm(request.POST)
        coordinator = None
        if form.is_valid():
            coordinator = User.objects.filter(pk=form.cleaned_data["coordinator"], role=Role.COORDINATOR).first()
        if coordinator is None:
            messages.error(request, _invalid_coordinator())
            return redirect("case_assign", case_id=case.pk)
        try:
            case = case_assign(case=case, coordinator=coordinator, by=request.user)
        except ValidationError as exc:
            log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                       purpose="assign coordinator refused")
            messages.error(request, " ".join(exc.messages))
            return redirect("case_assign", case_id=case.pk)
        log_access(request, action=Action.CHANGE, obj=case, purpose="assign coordinator")
        messages.success(request, _assigned(coordinator))
        return redirect("inbox")
    log_access(request, action=Action.READ, obj=case, purpose="coordinator suggestions")
    return render(request, "cases/case_assign.html", {
        "case": case, "suggestions": rank_coordinators(case), "clocks": case.clocks(),
    })


def _invalid_coordinator() -> str:
    return _("Choose a coordinator from the list.")


def _assigned(coordinator) -> str:
    return _("%(name)s is now the coordinator. We sent them an e-mail.") % {"name": coordinator.display_name}


@login_required
def case_access_log(request, case_id: int):
    case = get_case_for(request.user, case_id, "view_log", request=request)
    # Log first: looking at the log is itself an access, and it belongs on the page.
    log_access(request, action=Action.READ, obj=case, purpose="access log of the case")
    entries = AccessLogEntry.objects.filter(case_id=case.pk).order_by("-at", "-id")
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "cases/case_access_log.html", {"case": case, "page": page})
