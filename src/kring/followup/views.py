"""Follow-up pages: the case's follow-up, evaluation, outcomes, plan versions; the coordinator's
tasks; the regional manager's failing reminders; and the two public pages of the circle
(check-in and the invitation to meet again), opened with a personal link.

Staff pages reach the case through `kring.plans.access.plan_case_for` (404 for
strangers, 403 for people related in another role) and write one access-log
row per request.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from kring.accounts.models import Role
from kring.audit.log import log_access
from kring.audit.models import Action, Outcome
from kring.cases.models import Case
from kring.conferences.forms import AnswerForm
from kring.conferences.models import Response
from kring.conferences.services import first_name
from kring.core import links
from kring.core.kept import kept
from kring.network.models import CircleMember
from kring.plans.access import COORDINATOR, MANAGER, PROFESSIONAL, plan_case_for
from kring.plans.models import PlanVersion

from . import services
from .forms import (
    EvaluationForm,
    OutcomeForm,
    RatingsForm,
    ReconveneForm,
    ReminderIdForm,
    ScheduleForm,
)
from .models import Outcome as OutcomeRow
from .models import (
    Rating,
    Reminder,
    ReminderStatus,
)
from .schedule import schedule_html

EVERYONE = {MANAGER, COORDINATOR, PROFESSIONAL}


def _private(response):
    """No caching, no referrer (the link is the key), no indexing."""
    response["Cache-Control"] = "no-store, private, max-age=0"
    response["Referrer-Policy"] = "same-origin"  # no-referrer makes browsers send Origin: null, which CSRF refuses
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _link_problem(request, problem: links.LinkError):
    return _private(render(request, "conferences/link_problem.html", {"problem": problem},
                           status=problem.status))


def _refused(request, case, exc: ValidationError, purpose: str):
    log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED, purpose=f"refused: {purpose}")
    messages.error(request, " ".join(exc.messages))
    return redirect("followup_case", case_id=case.pk)


# --- the case's follow-up -----------------------------------------------------------------------


#: The name under which the empty reconvene form's fields are kept (`kring.core.kept`).
RECONVENE_FIELDS = "followup-reconvene-fields"


def reconvene_fields_html() -> str:
    """The fields of an empty `ReconveneForm` in the active language, kept per language: nothing
    in them is personal (no value, no CSRF token: that is in the page around them)."""
    html = kept(RECONVENE_FIELDS, lambda: render_to_string("followup/_reconvene_fields.html",
                                                           {"form": ReconveneForm()}))
    return mark_safe(html)  # noqa: S308 - our own template, autoescaped, without any input


@login_required
def followup_case(request, case_id: int):
    case = plan_case_for(request, case_id, allowed=EVERYONE, purpose="follow-up")
    log_access(request, action=Action.READ, obj=case, purpose="follow-up of the plan")
    can_change = request.user.has_role(Role.COORDINATOR) and case.coordinator_id == request.user.pk
    may_edit_schedule = request.user.role in (Role.COORDINATOR, Role.REGIONAL_MANAGER)
    # The current version and its agreements are read once and passed around.
    version = services.current_version_of_carriers(case)
    agreements = services.current_agreements(version) if version else []
    show_check_ins = services.may_see_check_ins(request.user, case)
    answers = services.answers_on(agreements) if show_check_ins else []
    return render(request, "followup/case.html", {
        "case": case,
        "version": version,
        "schedule": schedule_html(
            case, csrf_token=get_token(request) if may_edit_schedule else "",
            change_url=reverse("followup_schedule", args=[case.pk]) if may_edit_schedule else None),
        "may_edit_schedule": may_edit_schedule,
        "is_coordinator": can_change,
        "unreachable": services.unreachable_among(version, agreements) if version else [],
        "show_check_ins": show_check_ins,
        "summary": services.summarise_check_ins(agreements, answers) if show_check_ins else [],
        "not_count": len(services.not_going_well_among(case, answers, timezone.now())) if show_check_ins else 0,
        "evaluations": services.evaluations_of(case.pk),
        "outcomes": services.outcomes_of(case.pk),
        "reconvene_fields": reconvene_fields_html() if can_change and version else "",
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def followup_schedule(request, case_id: int):
    """Move or cancel one scheduled reminder."""
    case = plan_case_for(request, case_id, allowed={MANAGER, COORDINATOR}, action=Action.CHANGE,
                         purpose="change the follow-up schedule")
    form = ScheduleForm(request.POST)
    reminder = None
    if form.is_valid():
        reminder = Reminder.objects.filter(case=case, pk=form.cleaned_data["reminder"]).first()
    if reminder is None:
        return _refused(request, case, ValidationError(_("Choose a reminder from the list.")), "schedule")
    try:
        services.reminder_change(reminder=reminder, by=request.user, due_at=form.cleaned_data["due_at"],
                                 cancel=form.cleaned_data["action"] == "cancel")
    except ValidationError as exc:
        return _refused(request, case, exc, "schedule")
    log_access(request, action=Action.CHANGE, obj=case, purpose="follow-up schedule changed")
    messages.success(request, _("The schedule has been changed."))
    return redirect("followup_case", case_id=case.pk)


@login_required
@require_POST
def followup_reconvene(request, case_id: int):
    case = plan_case_for(request, case_id, allowed={COORDINATOR}, action=Action.CHANGE,
                         purpose="call the circle together")
    form = ReconveneForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, ValidationError(_("Fill in when and where the circle meets.")),
                        "reconvene")
    try:
        conference = services.reconvene(case=case, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        return _refused(request, case, exc, "reconvene")
    log_access(request, action=Action.CHANGE, obj=case, purpose="circle called together again")
    messages.success(request, _("The circle is invited for %(date)s. The invitations are being sent.")
                     % {"date": timezone.localtime(conference.starts_at).strftime("%d-%m-%Y %H:%M")})
    return redirect("followup_case", case_id=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def followup_evaluation(request, case_id: int):
    case = plan_case_for(request, case_id, allowed={COORDINATOR}, purpose="record the evaluation")
    version = services.current_version(case)
    if case.state not in services.FOLLOWUP_STATES or version is None:
        return _refused(request, case, ValidationError(
            _("An evaluation can be recorded while the plan is being followed up.")), "evaluation")
    agreements = list(version.agreements.select_related("who").order_by("order", "pk"))
    members = list(CircleMember.objects.filter(case=case).order_by("name", "pk"))
    form = EvaluationForm(request.POST or None, agreements=agreements, members=members,
                          initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        items = [services.EvaluationItemData(agreement_id=a.pk, rating=data[f"rating_{a.pk}"],
                                             note=data[f"comment_{a.pk}"], keep=not data[f"stop_{a.pk}"])
                 for a in agreements]
        try:
            evaluation = services.evaluation_record(
                case=case, by=request.user, held_on=data["held_on"],
                attendees=[form.members[int(pk)] for pk in data["attendees"]], items=items,
                changes=data["changes"], next_evaluation_date=data["next_evaluation_date"])
        except ValidationError as exc:
            log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                       purpose="refused: evaluation")
            form.add_error(None, exc)
        else:
            log_access(request, action=Action.CHANGE, obj=case, purpose="evaluation recorded")
            messages.success(request, _("The evaluation is saved. Version %(number)s of the plan is being "
                                        "sent to everyone who may receive a copy.")
                             % {"number": evaluation.plan_version.number})
            return redirect("followup_case", case_id=case.pk)
    else:
        log_access(request, action=Action.READ, obj=case, purpose="evaluation form")
    return render(request, "followup/evaluation.html", {"case": case, "version": version, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def followup_outcome(request, case_id: int, months: int):
    case = plan_case_for(request, case_id, allowed={COORDINATOR}, purpose="record an outcome")
    outcome = OutcomeRow.objects.filter(case=case, months=months).first()
    if outcome is None:
        return _refused(request, case, ValidationError(
            _("There is no outcome to record for this moment.")), "outcome")
    initial = {name: getattr(outcome, name) for name in OutcomeForm.base_fields if getattr(outcome, name)}
    form = OutcomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_record(case=case, months=months, by=request.user,
                                    data=services.OutcomeData(**form.cleaned_data))
        except ValidationError as exc:
            log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                       purpose="refused: outcome")
            form.add_error(None, exc)
        else:
            log_access(request, action=Action.CHANGE, obj=case, purpose=f"outcome after {months} months")
            messages.success(request, _("The outcome is saved. Thank you."))
            return redirect("followup_case", case_id=case.pk)
    else:
        log_access(request, action=Action.READ, obj=case, purpose="outcome form")
    return render(request, "followup/outcome.html", {"case": case, "outcome": outcome, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
def plan_versions(request, case_id: int):
    """Two versions of the plan side by side (`?a=1&b=2`; by default the last two)."""
    case = plan_case_for(request, case_id, allowed=EVERYONE, purpose="plan versions")
    log_access(request, action=Action.READ, obj=case, purpose="plan versions compared")
    versions = list(PlanVersion.objects.filter(plan__case=case).select_related("created_by").order_by("number"))
    by_number = {v.number: v for v in versions}

    def pick(name, default):
        try:
            return by_number.get(int(request.GET.get(name, "")), default)
        except ValueError:
            return default

    right = pick("b", versions[-1] if versions else None)
    left = pick("a", versions[-2] if len(versions) > 1 else right)
    rows = services.version_diff(left, right) if left and right else []
    return render(request, "followup/versions.html", {
        "case": case, "versions": versions, "left": left, "right": right, "rows": rows,
        "changed": sum(1 for r in rows if r["kind"] != "equal"),
    })


# --- the coordinator's tasks, the manager's failures -------------------------------------------


def _require_role(user, role):
    if user.role != role:
        raise PermissionDenied


@login_required
def followup_tasks(request):
    _require_role(request.user, Role.COORDINATOR)
    log_access(request, action=Action.SEARCH, object_type="reminder", object_id="-",
               purpose="follow-up tasks of the coordinator")
    return render(request, "followup/tasks.html", {
        "tasks": list(services.open_tasks(request.user)),
        "outcomes": list(services.outcomes_due(request.user)),
    })


@login_required
@require_POST
def followup_task_done(request):
    _require_role(request.user, Role.COORDINATOR)
    form = ReminderIdForm(request.POST)
    reminder = None
    if form.is_valid():
        reminder = Reminder.objects.filter(pk=form.cleaned_data["reminder"], user=request.user).first()
    if reminder is None:
        log_access(request, action=Action.CHANGE, object_type="reminder", object_id="-", outcome=Outcome.DENIED,
                   purpose="refused: not a task of this coordinator")
        messages.error(request, _("This is not a task on your list."))
        return redirect("followup_tasks")
    try:
        services.task_done(reminder=reminder, by=request.user)
    except ValidationError as exc:
        log_access(request, action=Action.CHANGE, obj=reminder, outcome=Outcome.DENIED, purpose="refused: task")
        messages.error(request, " ".join(exc.messages))
        return redirect("followup_tasks")
    log_access(request, action=Action.CHANGE, obj=reminder, purpose="follow-up task done")
    messages.success(request, _("Done. The task is off your list."))
    return redirect("followup_tasks")


def _failures(user):
    cases = Case.objects.visible_to(user)
    return (Reminder.objects.filter(status=ReminderStatus.FAILED, case__in=cases)
            .select_related("case", "member", "user").order_by("-due_at", "-pk"))


@login_required
def followup_failures(request):
    """Reminders that keep failing, in the regional manager's regions."""
    _require_role(request.user, Role.REGIONAL_MANAGER)
    log_access(request, action=Action.SEARCH, object_type="reminder", object_id="-",
               purpose="failing reminders")
    return render(request, "followup/failures.html", {"failures": list(_failures(request.user)[:500])})


@login_required
@require_POST
def followup_failure_retry(request):
    _require_role(request.user, Role.REGIONAL_MANAGER)
    form = ReminderIdForm(request.POST)
    reminder = _failures(request.user).filter(pk=form.cleaned_data["reminder"]).first() if form.is_valid() else None
    if reminder is None:
        log_access(request, action=Action.CHANGE, object_type="reminder", object_id="-", outcome=Outcome.DENIED,
                   purpose="refused: no such failing reminder")
        messages.error(request, _("This reminder is not failing (any more)."))
        return redirect("followup_failures")
    services.reminder_retry(reminder=reminder, by=request.user)
    log_access(request, action=Action.CHANGE, obj=reminder, purpose="failed reminder sent again")
    messages.success(request, _("The reminder will be sent again in a moment."))
    return redirect("followup_failures")


# --- the circle's pages (personal links) -------------------------------------------------------


@csrf_protect
@require_http_methods(["GET", "POST"])
def check_in(request, token: str):
    """Rate each of your agreements; the convenor can also call the circle together here."""
    try:
        item = services.check_in_from_token(token)
    except links.LinkError as problem:
        if request.method == "POST":
            log_access(request, action=Action.CHANGE, object_type="checkin", object_id="-",
                       outcome=Outcome.DENIED, purpose=f"check-in refused: link {problem.code}")
        return _link_problem(request, problem)
    agreements = services.agreements_for(item)
    convenor = services.is_convenor(item)
    previous = {a.agreement_id: a for a in item.answers.all()}
    initial = {}
    for agreement_id, answer in previous.items():
        initial[f"rating_{agreement_id}"] = answer.rating
        initial[f"comment_{agreement_id}"] = answer.comment
    bound = request.method == "POST" and request.POST.get("action") != "reconvene"
    form = RatingsForm(request.POST if bound else None, agreements=agreements, initial=initial)
    reconvene_form = ReconveneForm(request.POST if request.method == "POST" and not bound else None)
    if bound and form.is_valid():
        answers = [services.AnswerData(agreement_id=a.pk, rating=form.cleaned_data[f"rating_{a.pk}"],
                                       comment=form.cleaned_data[f"comment_{a.pk}"]) for a in agreements]
        try:
            services.check_in_answer(token=token, answers=answers)
        except links.LinkError as problem:  # pragma: no cover - checked above; a race
            return _link_problem(request, problem)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            log_access(request, action=Action.CHANGE, obj=item, purpose="check-in answered by the circle member")
            messages.success(request, _("Thank you! Your answers have been saved."))
            return _private(redirect("check_in", token=token))
    elif request.method == "POST" and not bound and convenor and reconvene_form.is_valid():
        try:
            services.reconvene(case=item.case, convenor=item.member, **reconvene_form.cleaned_data)
        except ValidationError as exc:
            reconvene_form.add_error(None, exc)
        else:
            log_access(request, action=Action.CHANGE, obj=item.case,
                       purpose="circle called together again by the convenor")
            messages.success(request, _("Everyone is invited. They will get a message with the date and place."))
            return _private(redirect("check_in", token=token))
    status = 400 if request.method == "POST" else 200
    return _private(render(request, "followup/check_in.html", {
        "first_name": first_name(item.member.name),
        "form": form, "reconvene_form": reconvene_form if convenor else None,
        "answered": item.answered_at is not None, "is_monitor": item.member_id == item.plan_version.monitor_id,
        "Rating": Rating,
    }, status=status))


@csrf_protect
@require_http_methods(["GET", "POST"])
def reconvene_answer(request, token: str):
    """Answer the invitation to meet again: the conference's answer page, with this link."""
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.reconvene_answer(token=token, answer=form.cleaned_data["answer"])
        except links.LinkError as problem:
            log_access(request, action=Action.CHANGE, object_type="invitation", object_id="-",
                       outcome=Outcome.DENIED, purpose=f"invitation answer refused: link {problem.code}")
            return _link_problem(request, problem)
        log_access(request, action=Action.CHANGE, obj=invitation, case_id=invitation.conference.case_id,
                   purpose=f"invitation to meet again answered: {invitation.response}")
        messages.success(request, _("Thank you! We have noted your answer."))
        return _private(redirect("reconvene_answer", token=token))
    try:
        invitation = services.reconvene_from_token(token)
    except links.LinkError as problem:
        return _link_problem(request, problem)
    return _private(render(request, "conferences/invitation_answer.html", {
        "first_name": first_name(invitation.member.name),
        "conference": invitation.conference,
        "response": invitation.response,
        "response_label": invitation.get_response_display() if invitation.response else "",
        "form": form,
        "Response": Response,
    }, status=400 if form.is_bound else 200))

