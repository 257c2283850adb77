"""Follow-up operations: the schedule, check-in summary, evaluations and outcomes of a case.

Same rules as the pages: the case is reached through `get_case_for` (strangers
get 404), then the relation the step needs is checked (related people in
another role get 403); policy officers and administrators get 403 before
anything is looked up. The same services do the work. Each call that passes
authentication and the input checks writes exactly one access-log row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from kring.audit.log import log_access
from kring.audit.models import Action, Outcome
from kring.cases.models import Case
from kring.followup import services
from kring.followup.models import Evaluation
from kring.followup.models import Outcome as OutcomeRow
from kring.plans.access import COORDINATOR, MANAGER, PROFESSIONAL, plan_case_for

from .cases import ERRORS, CaseId, refuse_other_roles
from .errors import ErrorOut

router = Router(tags=["follow-up"])

EVERYONE = {MANAGER, COORDINATOR, PROFESSIONAL}


class ReminderOut(Schema):
    id: int
    kind: str
    due_at: datetime
    status: str
    for_name: str = Field(description="The circle member's or staff member's name.")
    attempts: int
    sent_at: datetime | None


class OutcomeOut(Schema):
    months: int
    due_on: date
    recorded_at: datetime | None
    plan_running: str
    child_lives: str
    professional_help: str
    family_satisfaction: int | None
    professional_satisfaction: int | None


class EvaluationOut(Schema):
    held_on: date
    changes: str
    plan_version: int | None


class AgreementSummaryOut(Schema):
    agreement: str
    who: str
    good: int
    partly: int
    not_going_well: int


class FollowupOut(Schema):
    case_id: int
    state: str
    reminders: list[ReminderOut]
    outcomes: list[OutcomeOut]
    evaluations: list[EvaluationOut]
    check_ins: list[AgreementSummaryOut] | None = Field(
        description="Null when you may not see them: professionals only with the family's consent.")


class OutcomeIn(Schema):
    months: Literal[3, 6, 12] = Field(description="Months after the conference.")
    plan_running: Literal["yes", "partly", "no"]
    child_lives: Literal["home", "network", "foster", "institution", "independent"]
    professional_help: Literal["more", "same", "less"]
    family_satisfaction: int = Field(ge=1, le=10)
    professional_satisfaction: int = Field(ge=1, le=10)


def _case_for(request: HttpRequest, case_id: int, *, allowed: set[str], action: str, purpose: str) -> Case:
    refuse_other_roles(request, action=action, object_id=case_id)
    return plan_case_for(request, case_id, allowed=allowed, action=action, purpose=purpose)


def _outcome(o: OutcomeRow) -> dict[str, Any]:
    return {"months": o.months, "due_on": o.due_on, "recorded_at": o.recorded_at, "plan_running": o.plan_running,
            "child_lives": o.child_lives, "professional_help": o.professional_help,
            "family_satisfaction": o.family_satisfaction, "professional_satisfaction": o.professional_satisfaction}


@router.get("/cases/{case_id}/followup", response={200: FollowupOut, **ERRORS}, operation_id="get_followup",
            summary="The follow-up of a case: reminders, outcomes, evaluations, check-ins")
def get_followup(request: HttpRequest, case_id: CaseId) -> dict[str, Any]:
    case = _case_for(request, case_id, allowed=EVERYONE, action=Action.READ, purpose="follow-up")
    log_access(request, action=Action.READ, obj=case, purpose="follow-up of the plan")
    check_ins = None
    if services.may_see_check_ins(request.user, case):
        check_ins = [{"agreement": row["agreement"].what, "who": row["agreement"].who.name,
                      "good": row["counts"]["good"], "partly": row["counts"]["partly"],
                      "not_going_well": row["counts"]["not"]} for row in services.check_in_summary(case)]
    return {
        "case_id": case.pk, "state": case.state,
        "reminders": [
            {"id": r.pk, "kind": r.kind, "due_at": r.due_at, "status": r.status, "attempts": r.attempts,
             "sent_at": r.sent_at, "for_name": r.member.name if r.member else (r.user.display_name if r.user else "")}
            for r in case.reminders.select_related("member", "user").order_by("due_at", "pk")],
        "outcomes": [_outcome(o) for o in OutcomeRow.objects.filter(case=case)],
        "evaluations": [{"held_on": e.held_on, "changes": e.changes,
                         "plan_version": e.plan_version.number if e.plan_version else None}
                        for e in Evaluation.objects.filter(case=case).select_related("plan_version")],
        "check_ins": check_ins,
    }


@router.post("/cases/{case_id}/outcomes", response={200: OutcomeOut, 409: ErrorOut, **ERRORS},
             operation_id="record_outcome", summary="Record the outcome 3, 6 or 12 months after the conference")
def record_outcome(request: HttpRequest, case_id: CaseId, payload: OutcomeIn) -> Status:
    """Only the coordinator, from the day the outcome is due. 409 when there is nothing to record (yet)."""
    case = _case_for(request, case_id, allowed={COORDINATOR}, action=Action.CHANGE, purpose="record an outcome")
    data = payload.dict()
    months = data.pop("months")
    try:
        outcome = services.outcome_record(case=case, months=months, by=request.user,
                                          data=services.OutcomeData(**data))
    except DjangoValidationError as exc:
        log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED, purpose="refused: outcome")
        return Status(409, {"detail": " ".join(exc.messages), "code": getattr(exc, "code", None)})
    log_access(request, action=Action.CHANGE, obj=case, purpose=f"outcome after {months} months")
    return Status(200, _outcome(outcome))


def _statuses(default: int, **by_persona: int) -> dict[str, int]:
    statuses = {p: default for p in ("manager", "coordinator", "professional", "linked_professional")}
    statuses.update(anonymous=401, policy=403, admin=403, stranger_manager=404, stranger_coordinator=404,
                    stranger_professional=404)
    statuses.update(by_persona)
    return statuses


def outcome_body(world: Any = None) -> dict[str, Any]:
    return {"months": 3, "plan_running": "yes", "child_lives": "home", "professional_help": "less",
            "family_satisfaction": 8, "professional_satisfaction": 7}


#: For the shared API matrix (format of `kring.api.matrix.API_OPERATIONS`): the fresh request has no
#: accepted plan, so recording an outcome gives the coordinator 409.
API_OPERATIONS = [
    {"operation_id": "get_followup", "method": "GET", "path": "/api/cases/{case_id}/followup", "body": None,
     "expected": _statuses(200)},
    {"operation_id": "record_outcome", "method": "POST", "path": "/api/cases/{case_id}/outcomes",
     "body": outcome_body, "expected": _statuses(403, coordinator=409)},
]
