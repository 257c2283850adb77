"""Pages of the information form and the family group plan.

Every view reaches the case through `get_case_for` (via `plan_case_for` when a
role is needed), parses input, calls one service and writes one access-log row.
The family never sees these pages: they get the plan as a PDF.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kring.accounts.models import User
from kring.audit.log import log_access
from kring.audit.models import Action, Outcome
from kring.cases.access import get_case_for
from kring.cases.prepared import PreparedValues
from kring.core.languages import language_name

from .access import COORDINATOR, MANAGER, PROFESSIONAL, plan_case_for, relation_of
from .document import pdf_filename, render_plan_pdf
from .forms import (
    CONDITIONS_PREFIX,
    ConditionFormSet,
    DecisionForm,
    InformationFormForm,
    PlanForm,
    ReviseForm,
    condition_test_forms,
    information_data,
    plan_data,
    plan_forms,
    unbound_copy,
    values,
)
from .models import (
    ConditionTest,
    Distribution,
    PlanStatus,
    PlanVersion,
    SafetyCondition,
)
from .services import (
    DISPLAY_FIELDS,
    DRAFT_STATES,
    INFORMATION_CONDITIONS,
    LOCKED_STATES,
    VERSION_ANSWERS,
    VERSION_PROFESSIONALS,
    VERSION_RECIPIENTS,
    PlanRefused,
    StaleSave,
    agreement_rows,
    current_conditions,
    current_information_version_pk,
    current_version,
    information_form_of,
    information_form_save,
    information_form_unlocked,
    lock_information_form_on_view,
    may_fill_information_form,
    plan_decide,
    plan_distribute,
    plan_present,
    plan_revise,
    plan_save_draft,
    plan_test_conditions,
    plan_versions_newest_first,
    presentation_problems,
    reader_language,
    unmet_among,
)

STAFF = (MANAGER, COORDINATOR, PROFESSIONAL)


def _refused(request, case, exc: ValidationError, purpose: str) -> None:
    log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED, purpose=f"refused: {purpose}")
    for message in exc.messages:
        messages.error(request, message)


# --- the information form ----------------------------------------------------------------


def _information_forms(form_obj, data=None):
    current = form_obj.current if form_obj else None
    if data is not None:
        return (InformationFormForm(data),
                ConditionFormSet(data, prefix=CONDITIONS_PREFIX))
    initial = {"version": form_obj.version if form_obj else 0}
    conditions_initial = []
    if current is not None:
        initial.update(concerns=current.concerns, tested_against=current.tested_against,
                       help_available=current.help_available)
        conditions_initial = [{"text": c.text, "non_negotiable": "yes" if c.non_negotiable else "no"}
                              for c in current.conditions.all()]
    return (InformationFormForm(initial=initial),
            ConditionFormSet(initial=conditions_initial, prefix=CONDITIONS_PREFIX))


@login_required
@require_http_methods(["GET", "POST"])
def information_form(request, case_id: int):
    """The professional's information form: concerns and testable safety conditions, versioned."""
    case = get_case_for(request.user, case_id, "view", request=request)
    form_obj = information_form_of(case)
    if form_obj is not None and lock_information_form_on_view(case, unlocked=not form_obj.is_locked):
        form_obj.refresh_from_db(fields=["locked_at"])
    may_fill = may_fill_information_form(request.user, case)
    locked = bool(form_obj and form_obj.is_locked) or case.state in LOCKED_STATES
    editable = may_fill and not locked and not case.is_final
    context = {"case": case, "form_obj": form_obj, "current": form_obj.current if form_obj else None,
               "versions": list(form_obj.versions.select_related("created_by").order_by("-number"))
               if form_obj else [], "may_fill": may_fill, "locked": locked, "editable": editable}

    if request.method == "POST":
        if not may_fill:
            log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                       purpose="refused: only the linked professional fills in the information form")
            raise PermissionDenied(_("Only the professional linked to this case can fill in the information form."))
        data = request.POST
        form, conditions = _information_forms(form_obj, data)
        if "add_condition" in data:
            log_access(request, action=Action.READ, obj=case, purpose="information form: row added")
            return render(request, "plans/information_form.html", {
                **context, "form": InformationFormForm(initial=values(form)),
                "conditions": unbound_copy(conditions, add_row=True)})
        if form.is_valid() and conditions.is_valid():
            try:
                version = information_form_save(case=case, by=request.user,
                                                 expected_version=form.cleaned_data["version"],
                                                 data=information_data(form, conditions))
            except StaleSave as exc:
                log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                           purpose="refused: information form changed in the meantime")
                fresh = data.copy()
                fresh["version"] = str(exc.current.number if exc.current else 0)
                form, conditions = _information_forms(form_obj, fresh)
                form.is_valid()
                context.update(current=exc.current, stale=exc, versions=list(
                    form_obj.versions.select_related("created_by").order_by("-number")))
                return render(request, "plans/information_form.html",
                              {**context, "form": form, "conditions": conditions}, status=409)
            except PlanRefused as exc:
                _refused(request, case, exc, "information form not saved")
                return redirect("information_form", case_id=case.pk)
            log_access(request, action=Action.CHANGE, obj=case,
                       purpose=f"information form saved: version {version.number}")
            messages.success(request, _("Information form saved as version %(number)s.") % {"number": version.number})
            return redirect("information_form", case_id=case.pk)
        log_access(request, action=Action.READ, obj=case, purpose="information form: not saved, input errors")
        return render(request, "plans/information_form.html",
                      {**context, "form": form, "conditions": conditions}, status=400)

    form, conditions = _information_forms(form_obj)
    log_access(request, action=Action.READ, obj=case, purpose="information form")
    return render(request, "plans/information_form.html", {**context, "form": form, "conditions": conditions})


# --- the plan --------------------------------------------------------------------------


#: The fixed-shape reads of the plan page not shared with the document, by one id each, compiled
#: once (see `PreparedValues`): each is the query the page made before, same columns and order.
_TESTS = PreparedValues(lambda version_id: PlanVersion(pk=version_id).tests.values_list(
    "condition_id", "met", "reason", "tested_by__first_name", "tested_by__last_name", "tested_by__username"))
_DISTRIBUTIONS = PreparedValues(lambda case_id: Distribution.objects.filter(version__plan__case_id=case_id)
                                .values_list("version__number", "email", "sent_at")
                                .order_by("-version__number", "email"))


@login_required
def plan_detail(request, case_id: int):
    """The plan as the circle wrote it, its versions, the test of part 3 and who received it."""
    case = get_case_for(request.user, case_id, "view", request=request)
    relations = relation_of(request.user, case)
    # One read of all versions (the current one first) that also says which information form version
    # is current and whether the form still has to be locked.
    versions = list(plan_versions_newest_first(case).only(*DISPLAY_FIELDS).annotate(
        info_version_id=Subquery(current_information_version_pk(case)),
        info_unlocked=information_form_unlocked(case)))
    version = versions[0] if versions else None
    lock_information_form_on_view(case, unlocked=version.info_unlocked if version else None)
    status = version.status if version else None
    conditions: list[SafetyCondition] = []
    tests: dict[int, ConditionTest] = {}
    shown: dict[str, list] = {"agreements": [], "answers": [], "recipients": [], "professionals": []}
    if version is not None:
        # What `_plan_version.html` prints, a query each however long the plan is, only the columns shown.
        shown = {
            "agreements": agreement_rows(version),
            "answers": VERSION_ANSWERS(version.pk),
            "recipients": VERSION_RECIPIENTS(version.pk),
            "professionals": VERSION_PROFESSIONALS(version.pk),
        }
        if version.info_version_id is not None:
            conditions = [SafetyCondition(id=pk, version_id=version_id, order=order, text=text,
                                          non_negotiable=non_negotiable)
                          for pk, version_id, order, text, non_negotiable in INFORMATION_CONDITIONS(version.info_version_id)]
        if conditions and status != PlanStatus.DRAFT:  # the page shows tests only next to conditions
            tests = {condition_id: ConditionTest(version_id=version.pk, condition_id=condition_id, met=met,
                                                 reason=reason, tested_by=User(first_name=first, last_name=last,
                                                                               username=username))
                     for condition_id, met, reason, first, last, username in _TESTS(version.pk)}
    labels = {value: str(label) for value, label in PlanStatus.choices}
    for v in versions:
        v.status_label = labels.get(v.status, v.status)
    distributions = _DISTRIBUTIONS(case.pk) if versions else []
    coordinator = COORDINATOR in relations
    professional = PROFESSIONAL in relations
    can_decide = (coordinator or professional) and case.state == "held" and status == PlanStatus.PRESENTED
    can_revise = coordinator and case.state == "plan_not_accepted"
    context = {
        "case": case,
        "version": version,
        "versions": versions,
        "conditions": [(c, tests.get(c.pk)) for c in conditions],
        "unmet": unmet_among(conditions, tests) if version and status == PlanStatus.PRESENTED else [],
        "problems": presentation_problems(version, has_agreements=bool(shown["agreements"]))
        if coordinator and status in (None, PlanStatus.DRAFT) else [],
        "distributions": distributions,
        "can_edit": coordinator and case.state in DRAFT_STATES and status in (None, PlanStatus.DRAFT),
        "can_present": coordinator and case.state == "held" and status == PlanStatus.DRAFT,
        "can_test": professional and case.state == "held" and status == PlanStatus.PRESENTED,
        "can_decide": can_decide,
        "can_revise": can_revise,
        "can_distribute": coordinator and status == PlanStatus.ACCEPTED,
        "decision_form": DecisionForm() if can_decide else None,
        "revise_form": ReviseForm() if can_revise else None,
        "language_label": language_name(version.language) if version and version.language else "",
        **shown,
    }
    log_access(request, action=Action.READ, obj=case, purpose="family group plan")
    return render(request, "plans/plan_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, case_id: int):
    """The coordinator writes the plan down as the circle made it; each save is a new version."""
    case = plan_case_for(request, case_id, allowed={COORDINATOR},
                         action=Action.CHANGE if request.method == "POST" else Action.READ,
                         purpose="only the coordinator writes the plan down")
    version = current_version(case)
    editable = case.state in DRAFT_STATES and (version is None or version.status == PlanStatus.DRAFT)
    context = {"case": case, "version": version, "editable": editable,
               "conditions": current_conditions(case)}
    if request.method == "POST" and editable:
        data = request.POST
        form, agreements, answers = plan_forms(case, data)
        if "add_agreement" in data or "add_answer" in data:
            log_access(request, action=Action.READ, obj=case, purpose="plan: row added")
            return render(request, "plans/plan_edit.html", {
                **context, "form": PlanForm(case=case, initial=values(form)),
                "agreements": unbound_copy(agreements, add_row="add_agreement" in data),
                "answers": unbound_copy(answers, add_row="add_answer" in data)})
        if form.is_valid() and agreements.is_valid() and answers.is_valid():
            try:
                saved = plan_save_draft(case=case, by=request.user, data=plan_data(form, agreements, answers),
                                        based_on=form.cleaned_data["based_on"])
            except PlanRefused as exc:
                log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                           purpose="refused: plan not saved")
                return render(request, "plans/plan_edit.html",
                              {**context, "form": form, "agreements": agreements, "answers": answers,
                               "refusal": exc.messages}, status=409)
            log_access(request, action=Action.CHANGE, obj=case, purpose=f"plan saved: version {saved.number}")
            messages.success(request, _("Plan saved as version %(number)s.") % {"number": saved.number})
            return redirect("plan_detail", case_id=case.pk)
        log_access(request, action=Action.READ, obj=case, purpose="plan: not saved, input errors")
        return render(request, "plans/plan_edit.html",
                      {**context, "form": form, "agreements": agreements, "answers": answers}, status=400)
    if request.method == "POST":
        log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                   purpose="refused: plan cannot change now")
        messages.error(request, _("The plan cannot be changed now."))
        return redirect("plan_detail", case_id=case.pk)
    form, agreements, answers = plan_forms(case, version=version)
    log_access(request, action=Action.READ, obj=case, purpose="plan: edit")
    return render(request, "plans/plan_edit.html",
                  {**context, "form": form, "agreements": agreements, "answers": answers})


@login_required
@require_POST
def plan_present_view(request, case_id: int):
    case = plan_case_for(request, case_id, allowed={COORDINATOR}, action=Action.CHANGE,
                         purpose="only the coordinator records the presentation")
    try:
        version = plan_present(case=case, by=request.user)
    except PlanRefused as exc:
        _refused(request, case, exc, "plan not presented")
        return redirect("plan_detail", case_id=case.pk)
    log_access(request, action=Action.CHANGE, obj=case, purpose=f"plan presented: version {version.number}")
    messages.success(request, _("The plan is presented. The professional can now test it."))
    return redirect("plan_detail", case_id=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_test(request, case_id: int):
    """Part 3: the linked professional tests the plan against each safety condition."""
    case = plan_case_for(request, case_id, allowed={PROFESSIONAL},
                         action=Action.CHANGE if request.method == "POST" else Action.READ,
                         purpose="only the linked professional tests the plan")
    version = current_version(case)
    testable = bool(version and version.status == PlanStatus.PRESENTED and case.state == "held")
    tests = {t.condition_id: t for t in version.tests.all()} if version else {}
    rows = condition_test_forms(current_conditions(case), tests,
                                request.POST if request.method == "POST" else None)
    context = {"case": case, "version": version, "testable": testable, "rows": rows}
    if request.method == "POST":
        if all(f.is_valid() for _c, f in rows):
            results = [(c, f.cleaned_data["met"] == "yes", f.cleaned_data["reason"])
                       for c, f in rows if f.cleaned_data.get("met")]
            try:
                plan_test_conditions(version=version, results=results, by=request.user)
            except PlanRefused as exc:
                log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                           purpose="refused: test not saved")
                return render(request, "plans/plan_test.html", {**context, "refusal": exc.messages}, status=409)
            log_access(request, action=Action.CHANGE, obj=case,
                       purpose=f"plan tested: version {version.number}, {len(results)} condition(s)")
            messages.success(request, _("Your test of the plan is saved."))
            return redirect("plan_detail", case_id=case.pk)
        log_access(request, action=Action.READ, obj=case, purpose="plan test: not saved, input errors")
        return render(request, "plans/plan_test.html", context, status=400)
    log_access(request, action=Action.READ, obj=case, purpose="plan test")
    return render(request, "plans/plan_test.html", context)


@login_required
@require_POST
def plan_decide_view(request, case_id: int):
    case = plan_case_for(request, case_id, allowed={COORDINATOR, PROFESSIONAL}, action=Action.CHANGE,
                         purpose="only the professional or the coordinator decides on the plan")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                   purpose="refused: decision incomplete")
        messages.error(request, _("Choose whether the plan is accepted."))
        return redirect("plan_detail", case_id=case.pk)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        plan_decide(case=case, by=request.user, accept=accept, reason=form.cleaned_data["reason"])
    except ValidationError as exc:  # PlanRefused, or TransitionRefused from the lifecycle
        _refused(request, case, exc, "decision on the plan")
        return redirect("plan_detail", case_id=case.pk)
    log_access(request, action=Action.CHANGE, obj=case,
               purpose="plan accepted" if accept else "plan not accepted")
    messages.success(request, _("The plan is accepted.") if accept else _("Recorded: the plan is not accepted."))
    return redirect("plan_detail", case_id=case.pk)


@login_required
@require_POST
def plan_revise_view(request, case_id: int):
    case = plan_case_for(request, case_id, allowed={COORDINATOR}, action=Action.CHANGE,
                         purpose="only the coordinator starts a revision")
    form = ReviseForm(request.POST)
    note = form.cleaned_data["change_note"] if form.is_valid() else ""
    try:
        version = plan_revise(case=case, by=request.user, change_note=note)
    except PlanRefused as exc:
        _refused(request, case, exc, "plan not revised")
        return redirect("plan_detail", case_id=case.pk)
    log_access(request, action=Action.CHANGE, obj=case, purpose=f"plan revised: version {version.number}")
    messages.success(request, _("Version %(number)s is ready: write down the circle's changes.")
                     % {"number": version.number})
    return redirect("plan_edit", case_id=case.pk)


@login_required
def plan_pdf(request, case_id: int):
    """The plan document (PDF), for staff related to the case. Logged as an export."""
    case = plan_case_for(request, case_id, allowed=STAFF, action=Action.EXPORT,
                         purpose="plan document")
    number = request.GET.get("version", "")
    versions = PlanVersion.objects.filter(plan__case=case).select_related("plan", "monitor", "convenor")
    version = (versions.filter(number=int(number)) if number.isdigit() else versions.order_by("-number")).first()
    if version is not None:
        version.plan.case = case  # the case just read for the access check, not read again
    if version is None:
        log_access(request, action=Action.READ, obj=case, purpose="plan document: there is no plan yet")
        messages.error(request, _("There is no plan yet."))
        return redirect("plan_detail", case_id=case.pk)
    language = reader_language(request.GET.get("lang") or translation.get_language())
    content = render_plan_pdf(version, language=language)
    log_access(request, action=Action.EXPORT, obj=case,
               purpose=f"plan document: version {version.number} ({language})")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(version)}"'
    return response


@login_required
@require_POST
def plan_distribute_view(request, case_id: int):
    case = plan_case_for(request, case_id, allowed={COORDINATOR}, action=Action.CHANGE,
                         purpose="only the coordinator sends the plan")
    version = current_version(case)
    try:
        if version is None:
            raise PlanRefused(_("There is no plan yet."), code="no_plan")
        queued = plan_distribute(version=version, by=request.user)
    except PlanRefused as exc:
        _refused(request, case, exc, "plan not sent")
        return redirect("plan_detail", case_id=case.pk)
    log_access(request, action=Action.EXPORT, obj=case,
               purpose=f"plan sent to copy recipients: version {version.number}, {len(queued)} address(es)")
    if queued:
        messages.success(request, _("The plan goes out by e-mail within a few minutes. Number of "
                                    "addresses: %(count)s.") % {"count": len(queued)})
    else:
        messages.info(request, _("Everybody who may receive a copy already has this version."))
    return redirect("plan_detail", case_id=case.pk)

