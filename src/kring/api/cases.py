"""Case operations. Every one reaches a case only through `get_case_for`.

Policy officers and administrators never see a person (DOMAIN §7): every
case operation refuses them with 403 before looking anything up, so the
answer does not depend on the case. People of the other roles who are not
related to the case get 404 from `get_case_for`; related people who lack the
right for the action get 403.

Each call that gets past authentication and input checks writes exactly one
access-log row: the success, the refusal by `get_case_for`, or the refusal
of the step or assignment.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.errors import ValidationError

from kring.accounts.models import Role, User
from kring.audit.log import log_access
from kring.audit.models import Action, Outcome
from kring.cases.access import get_case_for
from kring.cases.forms import StepForm
from kring.cases.lifecycle import available_transitions
from kring.cases.models import (
    STATE_LABELS,
    Case,
    CaseEvent,
    CasePerson,
    CaseProfessional,
    State,
    age_on,
)
from kring.cases.paging import cursor_of, keyset_page
from kring.cases.prepared import PreparedValues
from kring.cases.services import case_assign, case_transition
from kring.matching.ranking import rank_coordinators

from .errors import ErrorOut, ValidationErrorOut, field_error, form_errors
from .schemas import (
    AssignIn,
    CaseDetailOut,
    CaseListQuery,
    CasePageOut,
    CaseSummaryOut,
    SuggestionOut,
    TransitionIn,
)

router = Router(tags=["cases"])

#: Roles that may see persons in a case they are related to.
PERSON_ROLES = frozenset({Role.REGIONAL_MANAGER, Role.COORDINATOR, Role.PROFESSIONAL})
MAX_ID = 2**63 - 1
CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="The case's id.")]
BODY = ("body", "payload")

ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def refuse_other_roles(request: HttpRequest, *, action: str, object_id: Any = "-") -> None:
    """Policy and admin never see a person: 403 (logged), whatever the case."""
    if request.user.role in PERSON_ROLES:
        return
    log_access(request, action=action, object_type="case", object_id=object_id,
               outcome=Outcome.DENIED, purpose="refused: this role never sees persons")
    raise PermissionDenied(_("Your role does not give access to the files of families."))


def _user_ref(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


#: The columns of a case list row (`summary_rows`): no model instances for a list.
SUMMARY_COLUMNS = ("pk", "reference", "state", "urgency", "submitted_at", "next_deadline_at", "region__name",
                   "municipality__name", "coordinator_id", "coordinator__first_name", "coordinator__last_name",
                   "coordinator__username")


def summary_rows(rows: list) -> list[dict[str, Any]]:
    """`case_summary` of each row of `SUMMARY_COLUMNS` (named values), each coordinator's name made once."""
    coordinators: dict[int, dict[str, Any]] = {}
    out = []
    for row in rows:
        coordinator = None
        if row.coordinator_id is not None:
            coordinator = coordinators.get(row.coordinator_id)
            if coordinator is None:
                user = User(pk=row.coordinator_id, first_name=row.coordinator__first_name,
                            last_name=row.coordinator__last_name, username=row.coordinator__username)
                coordinator = coordinators[row.coordinator_id] = _user_ref(user)
        out.append({
            "id": row.pk,
            "reference": row.reference,
            "state": row.state,
            "state_label": str(STATE_LABELS.get(row.state, row.state)),
            "urgency": row.urgency,
            "region": row.region__name,
            "municipality": row.municipality__name,
            "submitted_at": row.submitted_at,
            "next_deadline_at": row.next_deadline_at,
            "coordinator": coordinator,
        })
    return out


def case_summary(case: Case) -> dict[str, Any]:
    """The case without any person in it."""
    return {
        "id": case.pk,
        "reference": case.reference,
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "urgency": case.urgency,
        "region": case.region.name,
        "municipality": case.municipality.name,
        "submitted_at": case.submitted_at,
        "next_deadline_at": case.next_deadline_at,
        "coordinator": _user_ref(case.coordinator),
    }


# The case's persons, professionals and timeline, compiled once (see `kring.cases.prepared`):
# the ORM's queries (same columns, same order), by case id.
_PERSONS = PreparedValues(lambda case_id: CasePerson.objects.filter(case_id=case_id).values_list(
    "pk", "role", "name", "birth_date", "phone", "is_main_person"))
_PROFESSIONALS = PreparedValues(
    lambda case_id: CaseProfessional.objects.filter(case_id=case_id).values_list("name", "organisation", "kind"))
_EVENTS = PreparedValues(lambda case_id: CaseEvent.objects.filter(case_id=case_id).values_list(
    "name", "from_state", "to_state", "actor_role", "at", "reason", "actor_id",
    "actor__first_name", "actor__last_name", "actor__username"))


def persons_out(case_id: int, today: date) -> list[dict[str, Any]]:
    """The case's persons in their usual order, with their age on `today`."""
    return [
        {"id": pk, "role": role, "name": name, "birth_date": birth_date, "age": age_on(birth_date, today),
         "phone": phone, "is_main_person": is_main_person}
        for pk, role, name, birth_date, phone, is_main_person in _PERSONS(case_id)
    ]


def professionals_out(case_id: int) -> list[dict[str, Any]]:
    return [{"name": name, "organisation": organisation, "kind": kind}
            for name, organisation, kind in _PROFESSIONALS(case_id)]


def case_detail(case: Case, user: User) -> dict[str, Any]:
    """What the case page shows, in JSON."""
    today = timezone.localdate()
    return {
        **case_summary(case),
        "legal_frame": case.legal_frame,
        "trigger_moment": case.trigger_moment,
        "situation": case.situation,
        "channel": case.channel,
        "requester": {
            "kind": case.requester_kind,
            "name": case.requester_name,
            "organisation": case.requester_organisation,
            "professional_kind": case.requester_professional_kind,
        },
        "preferences": {
            "gender": case.pref_gender,
            "language": case.pref_language,
            "language_required": case.language_required,
            "culture": case.pref_culture,
            "religion": case.pref_religion,
            "other": case.pref_other,
        },
        "phone_consent": case.phone_consent,
        "phone_consent_at": case.phone_consent_at,
        "persons": persons_out(case.pk, today),
        "professionals": professionals_out(case.pk),
        "clocks": [
            {"code": c.code, "label": str(c.label), "deadline": c.deadline,
             "stopped_at": c.stopped_at, "status": c.status, "status_label": str(c.status_label)}
            for c in case.clocks()
        ],
        "events": events_out(case),
        "steps": [
            {"name": t.name, "label": str(t.label), "reason_required": t.reason_required}
            for t in available_transitions(user, case)
        ],
        "can_assign": user.has_perm("cases.assign_case", case) and case.state == State.REQUEST,
    }


def events_out(case: Case) -> list[dict[str, Any]]:
    """The case's timeline, from one query of the columns it shows (each actor's name made once)."""
    names: dict[int, str] = {}
    out = []
    for name, from_state, to_state, actor_role, at, reason, actor_id, first, last, username in _EVENTS(case.pk):
        actor = None
        if actor_id is not None:
            actor = names.get(actor_id)
            if actor is None:
                actor = names[actor_id] = User(first_name=first, last_name=last, username=username).display_name
        out.append({"name": name, "from_state": from_state, "to_state": to_state, "actor": actor,
                    "actor_role": actor_role, "at": at, "reason": reason})
    return out


def refusal(exc: DjangoValidationError) -> dict[str, Any]:
    return {"detail": " ".join(exc.messages), "code": getattr(exc, "code", None)}


def page_count(cases, page: list, *, more: bool, offset: int, keyset: bool) -> int:
    """All cases that match, over every page: counted only when the page does not tell.

    The last page of an offset walk (or the only page) ends the list, so the count is its
    offset plus its length; a COUNT over every matching case (which grows with the data)
    is needed only when more pages follow, for an empty page past the end, or after a cursor.
    """
    if keyset or more or (not page and offset > 0):
        return cases.count()
    return offset + len(page)


@router.get("/cases", response={200: CasePageOut, 403: ErrorOut, 422: ValidationErrorOut},
            operation_id="list_cases", summary="Cases in your scope")
def list_cases(request: HttpRequest, filters: Query[CaseListQuery]) -> dict[str, Any]:
    """The cases you are related to, newest first, `limit` at a time.

    Page on with `after` (the `next` of the page before); `offset` works too, but
    gets slower the deeper it goes.

    Regional managers see their regions' cases, coordinators the cases they
    coordinate, professionals the cases they referred or are linked to.
    Policy officers and administrators get 403: they never see persons, and
    their figures come from the reports. The list holds no persons.
    """
    refuse_other_roles(request, action=Action.SEARCH)
    cases = Case.objects.visible_to(request.user).order_by("-submitted_at", "-pk")
    if filters.state:
        cases = cases.filter(state=filters.state)
    columns = cases.values_list(*SUMMARY_COLUMNS, named=True)
    if filters.after:
        keyset = keyset_page(columns, after=filters.after, size=filters.limit)
        page, more, offset = keyset.items, keyset.older is not None, 0
    else:
        rows = list(columns[filters.offset:filters.offset + filters.limit + 1])
        page, more, offset = rows[:filters.limit], len(rows) > filters.limit, filters.offset
    count = page_count(cases, page, more=more, offset=offset, keyset=bool(filters.after))
    log_access(request, action=Action.SEARCH, object_type="case", object_id="-", purpose="case list")
    return {"items": summary_rows(page), "count": count, "limit": filters.limit,
            "offset": offset, "next": cursor_of(page[-1]) if more and page else None}


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS},
            operation_id="get_case", summary="One case with its family, clocks and timeline")
def get_case(request: HttpRequest, case_id: CaseId) -> dict[str, Any]:
    """The case with its persons (children with their birth date), norm clocks and events."""
    refuse_other_roles(request, action=Action.READ, object_id=case_id)
    case = get_case_for(request.user, case_id, "view", request=request)
    log_access(request, action=Action.READ, obj=case)
    return case_detail(case, request.user)


@router.post("/cases/{case_id}/transitions", response={200: CaseSummaryOut, 409: ErrorOut, **ERRORS},
             operation_id="transition_case", summary="Take a step in the case's lifecycle")
def transition_case(request: HttpRequest, case_id: CaseId, payload: TransitionIn) -> Status:
    """Move the case along its lifecycle (`steps` of the case shows which are possible).

    A step the lifecycle refuses gives 409 with the reason, and the case is unchanged.
    """
    form = StepForm({"step": payload.step, "reason": payload.reason})
    if not form.is_valid():
        raise ValidationError(form_errors(form, BODY))
    step, reason = form.cleaned_data["step"], form.cleaned_data["reason"]
    refuse_other_roles(request, action=Action.CHANGE, object_id=case_id)
    case = get_case_for(request.user, case_id, "transition", request=request)
    try:
        case = case_transition(case=case, name=step, by=request.user, reason=reason)
    except DjangoValidationError as exc:
        log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                   purpose=f"step refused: {step}")
        return Status(409, refusal(exc))
    log_access(request, action=Action.CHANGE, obj=case, purpose=f"step: {step}")
    return Status(200, case_summary(case))


@router.get("/cases/{case_id}/suggestions", response={200: list[SuggestionOut], **ERRORS},
            operation_id="case_suggestions", tags=["assignment"],
            summary="Coordinators ranked for this request")
def case_suggestions(request: HttpRequest, case_id: CaseId) -> list[dict[str, Any]]:
    """The coordinators of the case's region, eligible ones first, best match first."""
    refuse_other_roles(request, action=Action.READ, object_id=case_id)
    case = get_case_for(request.user, case_id, "assign", request=request)
    suggestions = rank_coordinators(case)
    log_access(request, action=Action.READ, obj=case, purpose="coordinator suggestions")
    return [
        {"coordinator_id": s.coordinator.pk, "name": s.coordinator.display_name,
         "eligible": s.eligible, "score": s.score, "reason": s.reason,
         "free_places": s.free_places, "max_cases": s.max_cases}
        for s in suggestions
    ]


@router.post("/cases/{case_id}/assign", response={200: CaseSummaryOut, 409: ErrorOut, **ERRORS},
             operation_id="assign_case", tags=["assignment"], summary="Assign a coordinator")
def assign_case(request: HttpRequest, case_id: CaseId, payload: AssignIn) -> Status:
    """Assign a coordinator to a request; the coordinator gets an e-mail.

    A coordinator who cannot take the case (no places, absent, conflict of
    interest, ...) or a case that is no longer a request gives 409.
    """
    refuse_other_roles(request, action=Action.CHANGE, object_id=case_id)
    case = get_case_for(request.user, case_id, "assign", request=request)
    coordinator = User.objects.filter(pk=payload.coordinator_id, role=Role.COORDINATOR).first()
    if coordinator is None:
        log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                   purpose="assign refused: not a coordinator")
        raise ValidationError([field_error((*BODY, "coordinator_id"),
                                           _("Choose a coordinator from the list."), "invalid_choice")])
    try:
        case = case_assign(case=case, coordinator=coordinator, by=request.user)
    except DjangoValidationError as exc:
        log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                   purpose="assign refused")
        return Status(409, refusal(exc))
    log_access(request, action=Action.CHANGE, obj=case, purpose="assign coordinator")
    return Status(200, case_summary(case))
