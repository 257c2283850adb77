"""Information form and family group plan operations.

The same rules as the pages: every operation reaches the case through
`get_case_for` (strangers get 404), then checks the relation the step needs
(related people in another role get 403); policy officers and administrators
get 403 before anything is looked up. The content is checked by the same Django
forms as the pages, and the same services do the work. Each call that passes
authentication and the input checks writes exactly one access-log row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError

from kring.audit.log import log_access
from kring.audit.models import Action, Outcome
from kring.cases.models import Case
from kring.cases.prepared import PreparedValues
from kring.cases.rows import display_name
from kring.plans.access import COORDINATOR, MANAGER, PROFESSIONAL, plan_case_for
from kring.plans.document import pdf_filename, render_plan_pdf
from kring.plans.forms import (
    AGREEMENTS_PREFIX,
    ANSWERS_PREFIX,
    CONDITIONS_PREFIX,
    ConditionFormSet,
    InformationFormForm,
    formset_data,
    information_data,
    plan_data,
    plan_forms,
)
from kring.plans.models import (
    Agreement,
    ConcernAnswer,
    ConditionTest,
    Distribution,
    InformationForm,
    PlanVersion,
)
from kring.plans.services import (
    PlanRefused,
    StaleSave,
    current_conditions,
    current_version,
    information_form_of,
    information_form_save,
    lock_information_form_on_view,
    may_fill_information_form,
    plan_decide,
    plan_distribute,
    plan_of,
    plan_present,
    plan_revise,
    plan_save_draft,
    plan_test_condition,
    reader_language,
)

from .cases import BODY, ERRORS, CaseId, refuse_other_roles
from .errors import ErrorOut, form_errors, formset_errors

router = Router(tags=["plans"])

STAFF = {MANAGER, COORDINATOR, PROFESSIONAL}
REFUSED = {409: ErrorOut}


# --- input ---------------------------------------------------------------------------------


class ConditionIn(Schema):
    text: str
    non_negotiable: bool = True


class InformationFormIn(Schema):
    """A new version of the information form. `version` is the number you started from (0 for none)."""

    version: int = Field(ge=0, description="The version you edited; a save based on an older one gives 409.")
    concerns: str
    tested_against: str = ""
    help_available: str = ""
    conditions: list[ConditionIn] = Field(default_factory=list,
                                          description="Each a separate, testable statement.")


class AgreementIn(Schema):
    who: int = Field(description="Id of a person in the case's circle (a main person too).")
    what: str
    when: str = Field(description="When or how often.")
    starts_on: date | None = None
    ends_on: date | None = None
    conditions: list[int] = Field(default_factory=list, description="Ids of safety conditions it meets.")


class AnswerIn(Schema):
    condition: int | None = Field(None, description="Id of the safety condition this answers, if any.")
    text: str


class PlanIn(Schema):
    """A new version of the plan, in the family's own words. `based_on` is the version you started from."""

    based_on: int | None = Field(None, description="Null for the first version.")
    language: str = ""
    concerns_answered: str = ""
    professional_help: str = ""
    monitor: int | None = Field(None, description="Id of the circle member who keeps an eye on the plan.")
    convenor: int | None = Field(None, description="Id of the circle member who calls the circle together.")
    evaluation_date: date | None = None
    keep_informed: str = ""
    when_not_kept: str = ""
    copy_recipients: list[int] = Field(default_factory=list, description="Circle member ids.")
    copy_professionals: list[int] = Field(default_factory=list, description="Ids of professionals involved.")
    agreements: list[AgreementIn] = Field(default_factory=list)
    answers: list[AnswerIn] = Field(default_factory=list)
    change_note: str = ""


class ConditionTestIn(Schema):
    condition_id: int
    met: bool
    reason: str


class DecisionIn(Schema):
    accept: bool
    reason: str = Field("", description="Required when the plan is not accepted.")


class ReviseIn(Schema):
    change_note: str = ""


class PdfQuery(Schema):
    version: int | None = Field(None, ge=1, description="Version number; the current one by default.")
    lang: str = Field("", description="Language of the headings (nl or en); yours by default.")


# --- output --------------------------------------------------------------------------------


class ConditionOut(Schema):
    id: int
    order: int
    text: str
    non_negotiable: bool


class InformationVersionOut(Schema):
    number: int
    concerns: str
    tested_against: str
    help_available: str
    created_by: str
    created_at: datetime
    conditions: list[ConditionOut]


class InformationFormOut(Schema):
    case_id: int
    version: int
    locked: bool
    locked_at: datetime | None
    may_fill: bool
    current: InformationVersionOut | None


class StaleOut(Schema):
    detail: str
    code: str
    current_version: int
    changes: list[str]


class RefOut(Schema):
    id: int
    name: str


class AgreementOut(Schema):
    who: RefOut
    what: str
    when: str
    starts_on: date | None
    ends_on: date | None
    conditions: list[int]


class AnswerOut(Schema):
    condition: int | None
    text: str


class TestOut(Schema):
    condition_id: int
    met: bool
    reason: str
    tested_by: str
    tested_at: datetime


class PlanVersionOut(Schema):
    number: int
    status: str
    language: str
    concerns_answered: str
    professional_help: str
    monitor: RefOut | None
    convenor: RefOut | None
    evaluation_date: date | None
    keep_informed: str
    when_not_kept: str
    copy_recipients: list[RefOut]
    copy_professionals: list[RefOut]
    agreements: list[AgreementOut]
    answers: list[AnswerOut]
    tests: list[TestOut]
    created_by: str | None
    created_at: datetime
    presented_at: datetime | None
    decided_at: datetime | None
    change_note: str
    decision_reason: str


class VersionSummaryOut(Schema):
    number: int
    status: str
    created_by: str | None
    created_at: datetime
    change_note: str


class DistributionOut(Schema):
    version: int
    email: str
    queued_at: datetime
    sent_at: datetime | None


class PlanOut(Schema):
    case_id: int
    state: str
    current: PlanVersionOut | None
    versions: list[VersionSummaryOut]
    distributions: list[DistributionOut]


class QueuedOut(Schema):
    version: int
    queued: int


# --- helpers -------------------------------------------------------------------------------


def _id_name(pk: int | None, name: str | None) -> dict[str, Any] | None:
    """`_ref` of a related row read as its id and name (a LEFT JOIN: no row when the id is None)."""
    return None if pk is None else {"id": pk, "name": name}


def _author(username: str | None, first_name: str | None, last_name: str | None) -> str | None:
    """`created_by.display_name` from the user's columns; None when nobody is recorded."""
    return None if username is None else display_name(first_name, last_name, username)


def information_out(case: Case, user, form: InformationForm | None = None) -> dict[str, Any]:
    """The information form of a case; `form` when the caller has just read it (fresh)."""
    if form is None:
        form = information_form_of(case)
    current = form.current if form else None
    return {
        "case_id": case.pk,
        "version": form.version if form else 0,
        "locked": bool(form and form.is_locked),
        "locked_at": form.locked_at if form else None,
        "may_fill": may_fill_information_form(user, case),
        "current": None if current is None else {
            "number": current.number, "concerns": current.concerns, "tested_against": current.tested_against,
            "help_available": current.help_available, "created_by": current.created_by.display_name,
            "created_at": current.created_at,
            "conditions": [{"id": c.pk, "order": c.order, "text": c.text, "non_negotiable": c.non_negotiable}
                           for c in current.conditions.all()],
        },
    }


#: The columns of a version the API gives, with the names of its monitor, convenor and author.
VERSION_COLUMNS = (
    "id", "number", "status", "language", "concerns_answered", "professional_help", "evaluation_date",
    "keep_informed", "when_not_kept", "created_at", "presented_at", "decided_at", "change_note",
    "decision_reason", "monitor_id", "monitor__name", "convenor_id", "convenor__name",
    "created_by__username", "created_by__first_name", "created_by__last_name",
)

# The reads of the plan, each compiled once and run with the case's or the version's id: the
# same queries every time, however many versions, agreements or copies there are.

#: Every version of the case's plan, the current one first (as `plan_versions_newest_first`).
_VERSIONS = PreparedValues(lambda case_id: PlanVersion.objects.filter(plan__case_id=case_id)
                           .order_by("-number").values_list(*VERSION_COLUMNS))
_COPY_RECIPIENTS = PreparedValues(
    lambda version_id: PlanVersion.copy_recipients.through.objects.filter(planversion_id=version_id)
    .order_by("circlemember__name", "circlemember_id").values_list("circlemember_id", "circlemember__name"))
_COPY_PROFESSIONALS = PreparedValues(
    lambda version_id: PlanVersion.copy_professionals.through.objects.filter(planversion_id=version_id)
    .order_by("caseprofessional__name", "caseprofessional_id")
    .values_list("caseprofessional_id", "caseprofessional__name"))
#: A row per agreement and condition met, in the plan's order; the conditions of an agreement
#: in their own order, as `agreement.conditions.all()` gives them.
_AGREEMENTS = PreparedValues(
    lambda version_id: Agreement.objects.filter(version_id=version_id)
    .order_by("order", "pk", "conditions__version", "conditions__order", "conditions__pk")
    .values_list("pk", "who_id", "who__name", "what", "when", "starts_on", "ends_on", "conditions__pk"))
_ANSWERS = PreparedValues(lambda version_id: ConcernAnswer.objects.filter(version_id=version_id)
                          .order_by("pk").values_list("condition_id", "text"))
_TESTS = PreparedValues(
    lambda version_id: ConditionTest.objects.filter(version_id=version_id).order_by("pk").values_list(
        "condition_id", "met", "reason", "tested_by__first_name", "tested_by__last_name", "tested_by__username",
        "tested_at"))
#: Who received which version: the newest version first, by address within a version.
_DISTRIBUTIONS = PreparedValues(
    lambda case_id: Distribution.objects.filter(version__plan__case_id=case_id)
    .order_by("-version__number", "email").values_list("version__number", "email", "queued_at", "sent_at"))


def _agreements_out(version_id: int) -> list[dict[str, Any]]:
    """The agreements of a version, each with the ids of the safety conditions it meets."""
    out: dict[int, dict[str, Any]] = {}
    for pk, who_id, who_name, what, when, starts_on, ends_on, condition in _AGREEMENTS(version_id):
        row = out.get(pk)
        if row is None:
            row = out[pk] = {"who": {"id": who_id, "name": who_name}, "what": what, "when": when,
                             "starts_on": starts_on, "ends_on": ends_on, "conditions": []}
        if condition is not None:
            row["conditions"].append(condition)
    return list(out.values())


def version_out(version: dict[str, Any]) -> dict[str, Any]:
    """A version in full, from its `VERSION_COLUMNS`: five more queries (copies, agreements, answers, tests)."""
    pk = version["id"]
    return {
        "number": version["number"], "status": version["status"], "language": version["language"],
        "concerns_answered": version["concerns_answered"], "professional_help": version["professional_help"],
        "monitor": _id_name(version["monitor_id"], version["monitor__name"]),
        "convenor": _id_name(version["convenor_id"], version["convenor__name"]),
        "evaluation_date": version["evaluation_date"], "keep_informed": version["keep_informed"],
        "when_not_kept": version["when_not_kept"],
        "copy_recipients": [{"id": member_id, "name": name} for member_id, name in _COPY_RECIPIENTS(pk)],
        "copy_professionals": [{"id": professional_id, "name": name}
                               for professional_id, name in _COPY_PROFESSIONALS(pk)],
        "agreements": _agreements_out(pk),
        "answers": [{"condition": condition, "text": text} for condition, text in _ANSWERS(pk)],
        "tests": [
            {"condition_id": condition, "met": met, "reason": reason,
             "tested_by": display_name(first_name, last_name, username), "tested_at": tested_at}
            for condition, met, reason, first_name, last_name, username, tested_at in _TESTS(pk)
        ],
        "created_by": _author(version["created_by__username"], version["created_by__first_name"],
                              version["created_by__last_name"]),
        "created_at": version["created_at"], "presented_at": version["presented_at"],
        "decided_at": version["decided_at"], "change_note": version["change_note"],
        "decision_reason": version["decision_reason"],
    }


def plan_out(case: Case) -> dict[str, Any]:
    """The plan of a case: the current version in full, every version in short and who received it.

    The same queries however many versions there are: one when there are none, seven otherwise.
    """
    versions = [dict(zip(VERSION_COLUMNS, row, strict=True)) for row in _VERSIONS(case.pk)]
    return {
        "case_id": case.pk,
        "state": case.state,
        "current": version_out(versions[0]) if versions else None,
        "versions": [
            {"number": v["number"], "status": v["status"], "created_at": v["created_at"],
             "change_note": v["change_note"],
             "created_by": _author(v["created_by__username"], v["created_by__first_name"],
                                   v["created_by__last_name"])}
            for v in versions
        ],
        "distributions": [
            {"version": number, "email": email, "queued_at": queued_at, "sent_at": sent_at}
            for number, email, queued_at, sent_at in _DISTRIBUTIONS(case.pk)
        ] if versions else [],
    }


def refusal(request: HttpRequest, case: Case, exc: DjangoValidationError, purpose: str) -> Status:
    log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED, purpose=f"refused: {purpose}")
    return Status(409, {"detail": " ".join(exc.messages), "code": getattr(exc, "code", None)})


def _case_for(request: HttpRequest, case_id: int, *, allowed: set[str], action: str, purpose: str) -> Case:
    refuse_other_roles(request, action=action, object_id=case_id)
    return plan_case_for(request, case_id, allowed=allowed, action=action, purpose=purpose)


# --- the information form ---------------------------------------------------------------


@router.get("/cases/{case_id}/information-form", response={200: InformationFormOut, **ERRORS},
            operation_id="get_information_form", summary="The professional's information form")
def get_information_form(request: HttpRequest, case_id: CaseId) -> dict[str, Any]:
    """The current version with its safety conditions, whether it is locked and whether you may fill it in."""
    case = _case_for(request, case_id, allowed=STAFF, action=Action.READ, purpose="information form")
    form = information_form_of(case)
    # From the conference on the form is locked: written once, by the first read that finds it open.
    if lock_information_form_on_view(case, unlocked=form is not None and form.locked_at is None):
        form = information_form_of(case)
    log_access(request, action=Action.READ, obj=case, purpose="information form")
    return information_out(case, request.user, form)


@router.post("/cases/{case_id}/information-form",
             response={201: InformationFormOut, 409: StaleOut | ErrorOut, **ERRORS},
             operation_id="save_information_form", summary="Save a new version of the information form")
def save_information_form(request: HttpRequest, case_id: CaseId, payload: InformationFormIn) -> Status:
    """Only the professional linked to the case. Every save is a new version.

    409 when the form is locked (the conference took place) or when someone
    saved a newer version since yours (`changes` says what they changed; nothing
    was overwritten).
    """
    form = InformationFormForm({"version": payload.version, "concerns": payload.concerns,
                                "tested_against": payload.tested_against,
                                "help_available": payload.help_available})
    conditions = ConditionFormSet(
        formset_data(CONDITIONS_PREFIX, [
            {"text": c.text, "non_negotiable": "yes" if c.non_negotiable else "no"} for c in payload.conditions
        ]),
        prefix=CONDITIONS_PREFIX,
    )
    if not (form.is_valid() and conditions.is_valid()):
        raise ValidationError(form_errors(form, BODY) + formset_errors(conditions, (*BODY, "conditions")))
    case = _case_for(request, case_id, allowed={PROFESSIONAL}, action=Action.CHANGE,
                     purpose="only the linked professional fills in the information form")
    try:
        version = information_form_save(case=case, by=request.user, expected_version=payload.version,
                                        data=information_data(form, conditions))
    except StaleSave as exc:
        log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                   purpose="refused: information form changed in the meantime")
        return Status(409, {"detail": " ".join(exc.messages), "code": "stale",
                            "current_version": exc.current.number if exc.current else 0,
                            "changes": exc.changes})
    except PlanRefused as exc:
        return refusal(request, case, exc, "information form not saved")
    log_access(request, action=Action.CHANGE, obj=case, purpose=f"information form saved: version {version.number}")
    return Status(201, information_out(case, request.user))


# --- the plan --------------------------------------------------------------------------


@router.get("/cases/{case_id}/plan", response={200: PlanOut, **ERRORS}, operation_id="get_plan",
            summary="The family group plan with its versions")
def get_plan(request: HttpRequest, case_id: CaseId) -> dict[str, Any]:
    """The current version in full (agreements, answers, tests), the list of versions and who received it."""
    case = _case_for(request, case_id, allowed=STAFF, action=Action.READ, purpose="family group plan")
    log_access(request, action=Action.READ, obj=case, purpose="family group plan")
    return plan_out(case)


def _plan_form_data(payload: PlanIn) -> dict[str, Any]:
    data: dict[str, Any] = {
        "based_on": "" if payload.based_on is None else payload.based_on,
        "language": payload.language, "concerns_answered": payload.concerns_answered,
        "professional_help": payload.professional_help,
        "monitor": payload.monitor or "", "convenor": payload.convenor or "",
        "evaluation_date": payload.evaluation_date.isoformat() if payload.evaluation_date else "",
        "keep_informed": payload.keep_informed, "when_not_kept": payload.when_not_kept,
        "copy_recipients": [str(i) for i in payload.copy_recipients],
        "copy_professionals": [str(i) for i in payload.copy_professionals],
        "change_note": payload.change_note,
    }
    data.update(formset_data(AGREEMENTS_PREFIX, [
        {"who": a.who, "what": a.what, "when": a.when,
         "starts_on": a.starts_on.isoformat() if a.starts_on else "",
         "ends_on": a.ends_on.isoformat() if a.ends_on else "",
         "conditions": [str(i) for i in a.conditions]}
        for a in payload.agreements
    ]))
    data.update(formset_data(ANSWERS_PREFIX, [
        {"condition": a.condition or "", "text": a.text} for a in payload.answers
    ]))
    return data


@router.post("/cases/{case_id}/plan", response={201: PlanOut, **REFUSED, **ERRORS}, operation_id="save_plan",
             summary="Save a new version of the plan (draft)")
def save_plan(request: HttpRequest, case_id: CaseId, payload: PlanIn) -> Status:
    """Only the coordinator, from the scheduled conference until the plan is presented.

    The text is stored exactly as sent, in any language or script. 409 when the
    plan cannot change now or someone saved a newer version since `based_on`.
    """
    case = _case_for(request, case_id, allowed={COORDINATOR}, action=Action.CHANGE,
                     purpose="only the coordinator writes the plan down")
    form, agreements, answers = plan_forms(case, _plan_form_data(payload))
    if not (form.is_valid() and agreements.is_valid() and answers.is_valid()):
        raise ValidationError(form_errors(form, BODY) + formset_errors(agreements, (*BODY, "agreements"))
                              + formset_errors(answers, (*BODY, "answers")))
    try:
        version = plan_save_draft(case=case, by=request.user, data=plan_data(form, agreements, answers),
                                  based_on=payload.based_on)
    except PlanRefused as exc:
        return refusal(request, case, exc, "plan not saved")
    log_access(request, action=Action.CHANGE, obj=case, purpose=f"plan saved: version {version.number}")
    return Status(201, plan_out(case))


@router.post("/cases/{case_id}/plan/present", response={200: PlanOut, **REFUSED, **ERRORS},
             operation_id="present_plan", summary="The circle presents its plan (part 3)")
def present_plan(request: HttpRequest, case_id: CaseId) -> Status:
    """Only the coordinator, after the conference. Needs at least one agreement, a monitor, a
    convenor and an evaluation date in the future (409 says what is missing). Locks the information form."""
    case = _case_for(request, case_id, allowed={COORDINATOR}, action=Action.CHANGE,
                     purpose="only the coordinator records the presentation")
    try:
        version = plan_present(case=case, by=request.user)
    except PlanRefused as exc:
        return refusal(request, case, exc, "plan not presented")
    log_access(request, action=Action.CHANGE, obj=case, purpose=f"plan presented: version {version.number}")
    return Status(200, plan_out(case))


@router.post("/cases/{case_id}/plan/tests", response={200: PlanOut, **REFUSED, **ERRORS},
             operation_id="test_plan_condition", summary="Test the plan against one safety condition")
def test_plan_condition(request: HttpRequest, case_id: CaseId, payload: ConditionTestIn) -> Status:
    """Only a professional linked to the case: met or not met, with a reason. Testing again replaces it."""
    case = _case_for(request, case_id, allowed={PROFESSIONAL}, action=Action.CHANGE,
                     purpose="only the linked professional tests the plan")
    version = current_version(case)
    condition = next((c for c in current_conditions(case) if c.pk == payload.condition_id), None)
    try:
        if condition is None:
            raise PlanRefused(_("This safety condition is not on the information form of this case."),
                              code="unknown_condition")
        if version is None:
            raise PlanRefused(_("The plan has not been presented yet."), code="not_presented")
        plan_test_condition(version=version, condition=condition, met=payload.met, reason=payload.reason,
                            by=request.user)
    except PlanRefused as exc:
        return refusal(request, case, exc, "test not saved")
    log_access(request, action=Action.CHANGE, obj=case,
               purpose=f"plan tested: version {version.number}, condition {condition.pk}")
    return Status(200, plan_out(case))


@router.post("/cases/{case_id}/plan/decision", response={200: PlanOut, **REFUSED, **ERRORS},
             operation_id="decide_plan", summary="Accept the plan, or record that it is not accepted")
def decide_plan(request: HttpRequest, case_id: CaseId, payload: DecisionIn) -> Status:
    """The professional or the coordinator. Accepting needs every non-negotiable safety condition tested
    as met (409 names the one that is not); not accepting needs a reason."""
    case = _case_for(request, case_id, allowed={PROFESSIONAL, COORDINATOR}, action=Action.CHANGE,
                     purpose="only the professional or the coordinator decides on the plan")
    try:
        plan_decide(case=case, by=request.user, accept=payload.accept, reason=payload.reason)
    except DjangoValidationError as exc:
        return refusal(request, case, exc, "decision on the plan")
    log_access(request, action=Action.CHANGE, obj=case,
               purpose="plan accepted" if payload.accept else "plan not accepted")
    case.refresh_from_db(fields=["state"])
    return Status(200, plan_out(case))


@router.post("/cases/{case_id}/plan/revise", response={201: PlanOut, **REFUSED, **ERRORS},
             operation_id="revise_plan", summary="Start a new version after the plan was not accepted")
def revise_plan(request: HttpRequest, case_id: CaseId, payload: ReviseIn) -> Status:
    """Only the coordinator, when the plan was not accepted: a new draft, copied from the last version."""
    case = _case_for(request, case_id, allowed={COORDINATOR}, action=Action.CHANGE,
                     purpose="only the coordinator starts a revision")
    try:
        version = plan_revise(case=case, by=request.user, change_note=payload.change_note)
    except DjangoValidationError as exc:
        return refusal(request, case, exc, "plan not revised")
    log_access(request, action=Action.CHANGE, obj=case, purpose=f"plan revised: version {version.number}")
    case.refresh_from_db(fields=["state"])
    return Status(201, plan_out(case))


@router.get("/cases/{case_id}/plan/pdf", response={200: None, **ERRORS}, operation_id="get_plan_pdf",
            summary="The plan document (PDF)",
            openapi_extra={"responses": {"200": {"description": "The plan with the information form attached.",
                                                 "content": {"application/pdf": {}}}}})
def get_plan_pdf(request: HttpRequest, case_id: CaseId, query: Query[PdfQuery]) -> HttpResponse | Status:
    """The plan exactly as written, with the information form attached; logged as an export.
    404 when there is no plan (or no such version)."""
    case = _case_for(request, case_id, allowed=STAFF, action=Action.EXPORT, purpose="plan document")
    plan = plan_of(case)
    version = None
    if plan is not None:
        version = plan.versions.filter(number=query.version).first() if query.version else plan.current
    if version is None:
        log_access(request, action=Action.READ, obj=case, purpose="plan document: no such plan version")
        return Status(404, {"detail": _("There is no plan yet.")})
    language = reader_language(query.lang or translation.get_language())
    content = render_plan_pdf(version, language=language)
    log_access(request, action=Action.EXPORT, obj=case,
               purpose=f"plan document: version {version.number} ({language})")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(version)}"'
    return response


@router.post("/cases/{case_id}/plan/distribute", response={202: QueuedOut, **REFUSED, **ERRORS},
             operation_id="distribute_plan", summary="Send the accepted plan to its copy recipients")
def distribute_plan(request: HttpRequest, case_id: CaseId) -> Status:
    """Only the coordinator, once the plan is accepted. The worker sends the PDF by e-mail to every copy
    recipient with an e-mail address, once per version and address; `queued` counts the new ones."""
    case = _case_for(request, case_id, allowed={COORDINATOR}, action=Action.CHANGE,
                     purpose="only the coordinator sends the plan")
    version = current_version(case)
    try:
        if version is None:
            raise PlanRefused(_("There is no plan yet."), code="no_plan")
        queued = plan_distribute(version=version, by=request.user)
    except PlanRefused as exc:
        return refusal(request, case, exc, "plan not sent")
    log_access(request, action=Action.EXPORT, obj=case,
               purpose=f"plan sent to copy recipients: version {version.number}, {len(queued)} address(es)")
    return Status(202, {"version": version.number, "queued": len(queued)})

