"""The circle page of a case. Every view reaches the case only through `get_case_for`.

Coordinators and regional managers change the circle; professionals related to
the case may look at it (without the contact details); strangers get 404.
Each request that reaches the case writes exactly one access-log row:
`get_case_for` writes the refusals, the views write the rest.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import model_to_dict
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kring.audit.log import log_access
from kring.audit.models import Action, Outcome
from kring.cases.access import get_case_for
from kring.cases.models import Case
from kring.cases.rows import url_for_pk
from kring.cases.rules import can

from . import fragments, services
from .ecomap import MAP_FIELDS, circle_figures, read_circle, render_ecomap
from .forms import ArrangementForm, MemberEditForm, MemberForm, StatusForm
from .models import ARRANGEMENT_KIND_LABELS, EDITABLE_FIELDS, CircleMember, SafetyArrangement, label

#: The fields of a member the circle page reads (the contact details are shown only to those who may change it).
PAGE_FIELDS = (*MAP_FIELDS, "phone", "email", "interpreter_needed")


def _may_change(user, case: Case) -> bool:
    return can(user, "change", case) and not case.is_final


def _denied(request, case: Case, purpose: str, **kwargs) -> None:
    log_access(request, action=Action.CHANGE, obj=kwargs.pop("obj", case), outcome=Outcome.DENIED,
               purpose=purpose, **kwargs)


def _member_or_404(request, case: Case, member_id: int) -> CircleMember:
    member = CircleMember.objects.filter(case=case, pk=member_id).first()
    if member is None:
        _denied(request, case, "circle: no such person in this circle", object_type="circlemember",
                object_id=member_id, case_id=case.pk, obj=None)
        raise Http404
    return member


def _add_errors(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: on its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _refused(request, case: Case, exc: ValidationError, purpose: str):
    """A change the circle does not allow at all (a closed case): say why on the circle page."""
    _denied(request, case, purpose)
    messages.error(request, " ".join(exc.messages))
    return redirect("network_circle", case_id=case.pk)


def _circle_page(request, case: Case, *, member_form=None, arrangement_form=None, status: int = 200):
    may_change = _may_change(request.user, case)
    read = read_circle(case, fields=PAGE_FIELDS)
    members, arrangements = read.members, read.arrangements
    restrictions: dict[int, list[str]] = {m.pk: [] for m in members}
    for a in arrangements:
        for member_id in {a.person_id, a.other_id, a.present_id} - {None}:
            restrictions[member_id].append(a.describe_for(member_id))
    csrf = fragments.csrf_input(get_token(request)) if may_change else ""
    remove = url_for_pk("network_arrangement_remove", case.pk) if may_change else (lambda pk: "")
    context = {
        "case": case,
        "may_change": may_change,
        "rows": fragments.member_rows(members, restrictions, case_id=case.pk, may_change=may_change,
                                      csrf=csrf),
        "arrangements": [(a, label(ARRANGEMENT_KIND_LABELS, a.kind), a.summary, remove(a.pk))
                         for a in arrangements],
        "figures": circle_figures(members),
        "ecomap": mark_safe(render_ecomap(case=case, members=members, arrangements=arrangements)),  # noqa: S308 (built with escape())
        "table_head": fragments.table_head(may_change=may_change),
        "widening": fragments.widening(),
        "urls": {"case": reverse("case_detail", args=[case.pk]),
                 "ecomap": reverse("network_ecomap", args=[case.pk])},
    }
    if may_change:
        context["member_fields"] = fragments.member_form_fields(member_form)
        context["arrangement_fields"] = fragments.arrangement_form_fields(arrangement_form, listed=read.listed)
        context["arrangement_open"] = arrangement_form is not None and arrangement_form.is_bound
        context["urls"].update(arrangement_add=reverse("network_arrangement_add", args=[case.pk]),
                               member_add=reverse("network_member_add", args=[case.pk]))
    return render(request, "network/circle.html", context, status=status)


@login_required
@require_GET
def circle(request, case_id: int):
    """The circle: eco-map, figures, the people with their status, arrangements and questions."""
    case = get_case_for(request.user, case_id, "view", request=request)
    if _may_change(request.user, case):
        services.circle_seed(case=case)
    log_access(request, action=Action.READ, obj=case, purpose="circle of the case")
    return _circle_page(request, case)


@login_required
@require_GET
def ecomap_svg(request, case_id: int):
    """The eco-map as an SVG file (for printing or saving)."""
    case = get_case_for(request.user, case_id, "view", request=request)
    read = read_circle(case, fields=MAP_FIELDS)
    members, arrangements = read.members, read.arrangements
    svg = render_ecomap(case=case, members=members, arrangements=arrangements, standalone=True)
    log_access(request, action=Action.EXPORT, obj=case, purpose="eco-map (SVG)")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="ecomap-{case.reference}.svg"'
    return response


@login_required
@require_POST
def member_add(request, case_id: int):
    case = get_case_for(request.user, case_id, "change", request=request)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            member = services.member_add(case=case, data=form.cleaned_data, by=request.user)
        except services.CircleRefused as exc:
            return _refused(request, case, exc, "circle: person not added")
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            log_access(request, action=Action.CREATE, obj=member, purpose="circle: person added")
            messages.success(request, _("%(name)s is now in the circle.") % {"name": member.name})
            return redirect("network_circle", case_id=case.pk)
    _denied(request, case, "circle: person not added")
    return _circle_page(request, case, member_form=form)


def _after_stale_edit(form: MemberEditForm, member: CircleMember, exc: services.StaleEdit) -> MemberEditForm:
    """The editor's input, with the other person's new values for the fields they changed."""
    member.refresh_from_db()
    data = form.data.copy()
    for name in exc.changes:
        value = getattr(member, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            else:
                data.pop(name, None)
        else:
            data[name] = value
    data["version"] = member.version
    return MemberEditForm(data)


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, case_id: int, member_id: int):
    case = get_case_for(request.user, case_id, "change", request=request)
    member = _member_or_404(request, case, member_id)
    stale = None
    if request.method == "POST":
        form = MemberEditForm(request.POST)
        if form.is_valid():
            try:
                member = services.member_update(member=member, data=form.cleaned_data,
                                                expected_version=form.cleaned_data["version"],
                                                by=request.user)
            except services.StaleEdit as exc:
                stale = exc
                form = _after_stale_edit(form, member, exc)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                log_access(request, action=Action.CHANGE, obj=member, purpose="circle: person changed")
                messages.success(request, _("The changes for %(name)s are saved.") % {"name": member.name})
                return redirect(reverse("network_circle", args=[case.pk]) + f"#member-{member.pk}")
        _denied(request, case, "circle: stale edit refused" if stale else "circle: change refused",
                obj=member)
    else:
        log_access(request, action=Action.READ, obj=member, purpose="circle: edit a person")
        form = MemberEditForm(initial={**model_to_dict(member, fields=EDITABLE_FIELDS),
                                       "version": member.version})
    return render(request, "network/member_edit.html", {
        "case": case, "member": member, "form": form,
        "stale": " ".join(stale.messages) if stale else "",
    })


@login_required
@require_POST
def member_status(request, case_id: int, member_id: int):
    case = get_case_for(request.user, case_id, "change", request=request)
    member = _member_or_404(request, case, member_id)
    form = StatusForm(request.POST)
    back = reverse("network_circle", args=[case.pk]) + f"#member-{member.pk}"
    if not form.is_valid():
        _denied(request, case, "circle: status refused", obj=member)
        messages.error(request, _("Choose one of the buttons."))
        return redirect(back)
    status = form.cleaned_data["status"]
    try:
        member = services.member_set_status(member=member, status=status,
                                            attendance=form.cleaned_data["attendance"] or None,
                                            by=request.user)
    except ValidationError as exc:
        _denied(request, case, f"circle: status refused: {status}", obj=member)
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    log_access(request, action=Action.CHANGE, obj=member, purpose=f"circle: status {status}")
    messages.success(request, _("%(name)s: %(status)s.") % {"name": member.name,
                                                             "status": member.get_status_display()})
    return redirect(back)


@login_required
@require_POST
def arrangement_add(request, case_id: int):
    case = get_case_for(request.user, case_id, "change", request=request)
    form = ArrangementForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            arrangement = services.arrangement_add(
                case=case, kind=data["kind"], person=data["person"], other=data["other"],
                present=data["present"], parts=data["parts"], note=data["note"], by=request.user,
            )
        except services.CircleRefused as exc:
            return _refused(request, case, exc, "circle: safety arrangement not added")
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            log_access(request, action=Action.CREATE, obj=arrangement,
                       purpose="circle: safety arrangement added")
            messages.success(request, _("The safety arrangement is saved."))
            return redirect(reverse("network_circle", args=[case.pk]) + "#arrangements")
    _denied(request, case, "circle: safety arrangement not added")
    return _circle_page(request, case, arrangement_form=form)


@login_required
@require_POST
def arrangement_remove(request, case_id: int, arrangement_id: int):
    case = get_case_for(request.user, case_id, "change", request=request)
    arrangement = SafetyArrangement.objects.filter(case=case, pk=arrangement_id).first()
    if arrangement is None:
        _denied(request, case, "circle: no such safety arrangement", object_type="safetyarrangement",
                object_id=arrangement_id, case_id=case.pk, obj=None)
        raise Http404
    back = reverse("network_circle", args=[case.pk]) + "#arrangements"
    try:
        services.arrangement_remove(arrangement=arrangement, by=request.user)
    except ValidationError as exc:
        _denied(request, case, "circle: safety arrangement not removed", obj=arrangement)
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    log_access(request, action=Action.CHANGE, object_type="safetyarrangement", object_id=arrangement_id,
               case_id=case.pk, purpose="circle: safety arrangement removed")
    messages.success(request, _("The safety arrangement is removed."))
    return redirect(back)

