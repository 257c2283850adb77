"""Conference pages: preparation checklist, the conference, invitations, and the public answer page.

Staff pages reach the case only through `get_case_for` and write one
access-log row per request. The public page `/i/<token>/` needs no account:
the personal link is the key, and it shows nothing but the person's first
name and the date and place.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from kring.audit.log import log_access
from kring.audit.models import Action, Outcome
from kring.cases.access import get_case_for
from kring.cases.rules import can
from kring.core import links
from kring.network.models import CircleMember
from kring.network.services import safety_warnings

from . import services
from .forms import AnswerForm, ConferenceForm, InviteForm, PreparationForm, RecordForm
from .models import Conference, Invitation, Part, Response


def _invitable(case):
    """Circle members who can be reached: with an e-mail address or a phone number."""
    return CircleMember.objects.filter(case=case).exclude(email="", phone="").order_by("name", "pk")


def _overview(request, case, *, checklist_form=None, invite_form=None, status=200):
    conference = services.conference_current(case)
    items = services.preparation_items(case)
    done = sum(1 for i in items if i.status in services.SETTLED)
    can_change = can(request.user, "change", case)
    invitations = []
    presences = []
    if conference is not None:
        invitations = list(
            conference.invitations.select_related("member", "conference").order_by("member__name", "pk")
        )
        presences = list(conference.presences.select_related("member", "professional").order_by("part", "pk"))
        if can_change and invite_form is None:
            invite_form = InviteForm(members_queryset=_invitable(case))
    if can_change and checklist_form is None:
        checklist_form = PreparationForm(items=items)
    safety = safety_warnings(
        case, [(p.part, p.member_id, p.remote) for p in presences if p.member_id],
        [(i.member_id, i.response) for i in invitations]) if can_change else []
    return render(request, "conferences/prepare.html", {
        "case": case,
        "safety_warnings": safety,
        "items": items,
        "done": done,
        "total": len(items),
        "conference": conference,
        "invitations": invitations,
        "presences_by_part": [(label, [p for p in presences if p.part == part]) for part, label in Part.choices],
        "can_change": can_change,
        "checklist_form": checklist_form if can_change else None,
        "invite_form": invite_form if can_change else None,
        "Response": Response,
    }, status=status)


@login_required
def conference_prepare(request, case_id: int):
    """Checklist, conference and invitations of one case; editable for coordinator and manager."""
    case = get_case_for(request.user, case_id, "view", request=request)
    log_access(request, action=Action.READ, obj=case, purpose="conference preparation")
    return _overview(request, case)


@login_required
@require_POST
def conference_checklist(request, case_id: int):
    case = get_case_for(request.user, case_id, "change", request=request)
    form = PreparationForm(request.POST, items=services.preparation_items(case))
    if not form.is_valid():
        log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                   purpose="preparation checklist refused: invalid input")
        return _overview(request, case, checklist_form=form, status=400)
    changed = services.preparation_update(case=case, changes=form.changes(), by=request.user)
    log_access(request, action=Action.CHANGE, object_type="preparation", object_id=case.pk, case_id=case.pk,
               purpose=f"preparation checklist saved ({len(changed)} changed)")
    messages.success(request, _("Checklist saved."))
    return redirect("conference_prepare", case_id=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def conference_edit(request, case_id: int):
    """Plan the conference (date, time, place) or change it."""
    case = get_case_for(request.user, case_id, "change", request=request)
    conference = services.conference_current(case)
    if request.method == "POST":
        form = ConferenceForm(request.POST)
        if form.is_valid():
            try:
                conference, created = services.conference_save(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                log_access(request, action=Action.CREATE if created else Action.CHANGE, obj=conference,
                           purpose="conference planned" if created else "conference changed")
                messages.success(request, _("The conference is planned.") if created
                                 else _("The conference is changed. Send the invitations again if the date, "
                                        "time or place changed."))
                return redirect("conference_prepare", case_id=case.pk)
        log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                   purpose="conference not saved: invalid input or refused")
        return render(request, "conferences/conference_form.html",
                      {"case": case, "conference": conference, "form": form}, status=400)
    log_access(request, action=Action.READ, obj=conference or case, purpose="conference form")
    form = ConferenceForm(initial=ConferenceForm.initial_for(conference))
    return render(request, "conferences/conference_form.html",
                  {"case": case, "conference": conference, "form": form})


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _no_conference(request, case):
    log_access(request, action=Action.READ, obj=case, outcome=Outcome.DENIED,
               purpose="refused: no conference planned")
    messages.error(request, _("Plan the conference first."))
    return redirect("conference_prepare", case_id=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def conference_record(request, case_id: int):
    """Record the meeting: the three parts, who was present, chair and writer."""
    case = get_case_for(request.user, case_id, "change", request=request)
    conference = services.conference_current(case)
    if conference is None:
        return _no_conference(request, case)
    members = list(CircleMember.objects.filter(case=case).order_by("role", "name", "pk"))
    professionals = list(case.professionals.order_by("name", "pk"))
    conference = Conference.objects.select_related("case").prefetch_related("presences").get(pk=conference.pk)
    form = RecordForm(request.POST or None, conference=conference, members=members,
                      professionals=professionals)
    if request.method == "POST" and form.is_valid():
        try:
            services.conference_record(
                conference=conference, by=request.user, presences=form.presences(), parts=form.parts(),
                chair=form.cleaned_data["chair"], writer=form.cleaned_data["writer"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            log_access(request, action=Action.CHANGE, obj=conference, purpose="conference recorded")
            messages.success(request, _("Saved who was present."))
            return redirect("conference_prepare", case_id=case.pk)
    if request.method == "POST":
        log_access(request, action=Action.CHANGE, obj=conference, outcome=Outcome.DENIED,
                   purpose="conference record refused")
        status = 400
    else:
        log_access(request, action=Action.READ, obj=conference, purpose="conference record form")
        status = 200
    return render(request, "conferences/record.html",
                  {"case": case, "conference": conference, "form": form, "parts": Part.choices}, status=status)


@login_required
@require_POST
def conference_hold(request, case_id: int):
    case = get_case_for(request.user, case_id, "change", request=request)
    conference = services.conference_current(case)
    if conference is None:
        return _no_conference(request, case)
    try:
        services.conference_hold(conference=conference, by=request.user)
    except ValidationError as exc:
        log_access(request, action=Action.CHANGE, obj=conference, outcome=Outcome.DENIED,
                   purpose="conference held refused")
        messages.error(request, " ".join(exc.messages))
    else:
        log_access(request, action=Action.CHANGE, obj=conference, purpose="conference held")
        messages.success(request, _("The conference is recorded as held."))
    return redirect("conference_prepare", case_id=case.pk)


@login_required
@require_POST
def conference_invite(request, case_id: int):
    case = get_case_for(request.user, case_id, "change", request=request)
    conference = services.conference_current(case)
    if conference is None:
        return _no_conference(request, case)
    form = InviteForm(request.POST, members_queryset=_invitable(case))
    if form.is_valid():
        try:
            sent = services.invitation_send(conference=conference, members=form.cleaned_data["members"],
                                            channels=form.cleaned_data["channels"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            log_access(request, action=Action.CHANGE, obj=conference,
                       purpose=f"invitations sent ({len(sent)})")
            messages.success(request, _("The invitations are being sent."))
            return redirect("conference_prepare", case_id=case.pk)
    log_access(request, action=Action.CHANGE, obj=conference, outcome=Outcome.DENIED,
               purpose="invitations refused")
    return _overview(request, case, invite_form=form, status=400)


@login_required
@require_POST
def conference_invitation_resend(request, case_id: int, invitation_id: int):
    """Send one invitation again with a new personal link; the old link stops working."""
    case = get_case_for(request.user, case_id, "change", request=request)
    invitation = (Invitation.objects.select_related("member", "conference")
                  .filter(pk=invitation_id, conference__case=case).first())
    if invitation is None:
        log_access(request, action=Action.READ, object_type="invitation", object_id=invitation_id,
                   case_id=case.pk, outcome=Outcome.DENIED, purpose="refused: no such invitation")
        return render(request, "core/error.html", {"status": 404}, status=404)
    try:
        services.invitation_send(conference=invitation.conference, members=[invitation.member],
                                 channels=invitation.channels, by=request.user)
    except ValidationError as exc:
        log_access(request, action=Action.CHANGE, object_type="invitation", object_id=invitation.pk,
                   case_id=case.pk, outcome=Outcome.DENIED, purpose="invitation resend refused")
        messages.error(request, " ".join(exc.messages))
    else:
        log_access(request, action=Action.CHANGE, object_type="invitation", object_id=invitation.pk,
                   case_id=case.pk, purpose="invitation sent again")
        messages.success(request, _("The invitation is sent again with a new link. The old link no longer works."))
    return redirect("conference_prepare", case_id=case.pk)


# --- the public page behind a personal link ----------------------------------------------


def _private(response):
    """No caching, no referrer to other sites (the link is the key), no indexing.

    Not `no-referrer`: browsers then send `Origin: null` on the answer form and
    Django's CSRF check refuses it.
    """
    response["Cache-Control"] = "no-store, private, max-age=0"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _link_problem(request, problem: links.LinkError):
    return _private(render(request, "conferences/link_problem.html", {"problem": problem},
                           status=problem.status))


@csrf_protect
@require_http_methods(["GET", "POST"])
def invitation_answer(request, token: str):
    """Confirm, decline or take part from a distance, with the personal link only."""
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invitation_answer(token=token, answer=form.cleaned_data["answer"])
            except links.LinkError as problem:
                log_access(request, action=Action.CHANGE, object_type="invitation", object_id="-",
                           outcome=Outcome.DENIED, purpose=f"invitation answer refused: link {problem.code}")
                return _link_problem(request, problem)
            log_access(request, action=Action.CHANGE, obj=invitation, case_id=invitation.conference.case_id,
                       purpose=f"invitation answered by the invited person: {invitation.response}")
            messages.success(request, THANKS[invitation.response]())
            return _private(redirect("invitation_answer", token=token))
    else:
        form = AnswerForm()
    try:
        invitation = services.invitation_from_token(token)
    except links.LinkError as problem:
        return _link_problem(request, problem)
    conference = invitation.conference
    return _private(render(request, "conferences/invitation_answer.html", {
        "first_name": services.first_name(invitation.member.name),
        "conference": conference,
        "response": invitation.response,
        "response_label": invitation.get_response_display() if invitation.response else "",
        "form": form,
        "Response": Response,
    }, status=400 if form.is_bound else 200))


THANKS = {
    Response.CONFIRMED: lambda: _("Thank you! We have noted that you will come."),
    Response.REMOTE: lambda: _("Thank you! We have noted that you will take part from a distance. "
                               "The coordinator will let you know how."),
    Response.DECLINED: lambda: _("Thank you for letting us know that you cannot come."),
}
