"""The circle (kring) of a case: people, their status, safety arrangements, the eco-map.

Same rules as the circle page and the other case operations (see `cases.py`):
policy officers and administrators get 403 before anything is looked up;
people not related to the case get 404 from `get_case_for`; professionals
related to the case may read the circle (without contact details) but get
403 on every change; coordinators and regional managers change it.

Every call that passes the shape check of its input writes exactly one
access-log row: the success, the refusal by `get_case_for`, or the refusal
of the content (422) or of the change (409).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import ValidationError

from kring.audit.log import log_access
from kring.audit.models import Action, Outcome
from kring.cases.access import get_case_for
from kring.cases.models import Case
from kring.cases.rules import can
from kring.core.languages import LANGUAGES
from kring.network import services
from kring.network.ecomap import MAP_FIELDS, circle_figures, read_circle, render_ecomap
from kring.network.forms import ArrangementForm, MemberEditForm, MemberForm
from kring.network.models import (
    EDITABLE_FIELDS,
    ArrangementKind,
    Attendance,
    CircleMember,
    Closeness,
    Kind,
    MemberRole,
    MemberStatus,
    SafetyArrangement,
    Side,
)

from .cases import BODY, ERRORS, MAX_ID, CaseId, refuse_other_roles
from .errors import ErrorOut, field_error, form_errors

router = Router(tags=["circle"])

MemberId = Annotated[int, Path(ge=1, le=MAX_ID, description="The circle member's id.")]
ArrangementId = Annotated[int, Path(ge=1, le=MAX_ID, description="The safety arrangement's id.")]
LANGUAGE_CODES = ["", *LANGUAGES]


# --- Shapes -------------------------------------------------------------------------------


class MemberIn(Schema):
    """A person for the circle. The content is checked by the circle page's form."""

    name: str
    role: MemberRole = MemberRole.NETWORK
    relation: str = Field("", description="For example: aunt (mother's sister), neighbour.")
    side: Side = Side.NONE
    kind: Kind = Kind.FAMILY
    closeness: Closeness = Closeness.NEAR
    phone: str = ""
    email: str = ""
    language: str = Field("", json_schema_extra={"enum": LANGUAGE_CODES})
    interpreter_needed: bool = False
    notes: str = ""


class MemberChangeIn(Schema):
    """Only the fields that are sent change. `version` is the one you read last."""

    version: int = Field(ge=1, description="The member's `version` as you last read it.")
    name: str | None = None
    relation: str | None = None
    side: Side | None = None
    kind: Kind | None = None
    closeness: Closeness | None = None
    phone: str | None = None
    email: str | None = None
    language: str | None = Field(None, json_schema_extra={"enum": LANGUAGE_CODES})
    interpreter_needed: bool | None = None
    notes: str | None = None


class StatusIn(Schema):
    status: MemberStatus
    attendance: Attendance | None = Field(None, description="Needed for `attended`, not allowed otherwise.")


class ArrangementIn(Schema):
    kind: ArrangementKind
    person_id: int
    other_id: int | None = Field(None, description="The second person, for the two kinds about a pair.")
    present_id: int | None = Field(None, description="Who must be there, for `only_with_person`.")
    parts: list[int] = Field(default_factory=list, description="For `some_parts_only`: 1, 2 and/or 3.")
    note: str = ""


class MemberOut(Schema):
    id: int
    role: MemberRole
    name: str
    relation: str
    side: Side
    kind: Kind
    closeness: int
    status: MemberStatus
    status_label: str
    attendance: str
    next_statuses: list[str]
    phone: str | None = Field(description="Only for people who may change the circle.")
    email: str | None
    language: str
    interpreter_needed: bool
    notes: str | None
    version: int


class ArrangementOut(Schema):
    id: int
    kind: ArrangementKind
    kind_label: str
    person_id: int
    other_id: int | None
    present_id: int | None
    parts: list[int]
    note: str
    summary: str


class FiguresOut(Schema):
    size: int = Field(description="Network members, not counting the main persons and children.")
    invited: int
    came: int
    agreements: int
    mother_side: int
    father_side: int
    both_sides: bool
    outside_family: int


class CircleOut(Schema):
    case_id: int
    reference: str
    can_change: bool
    members: list[MemberOut]
    arrangements: list[ArrangementOut]
    figures: FiguresOut


class StaleOut(ErrorOut):
    changes: dict[str, Any] = Field(description="Each field changed since your version, with its value now.")
    version: int = Field(description="The current version.")


# --- Helpers ------------------------------------------------------------------------------


#: Status and kind labels by value, as `get_FOO_display` gives them, without rebuilding the choices per row.
_STATUS_LABELS = dict(MemberStatus.choices)
_ARRANGEMENT_LABELS = dict(ArrangementKind.choices)


#: The fields of a member `member_out` gives (the eco-map's, the contact details and the version).
MEMBER_FIELDS = (*MAP_FIELDS, "phone", "email", "language", "interpreter_needed", "notes", "version")


def member_out(member: CircleMember, *, contact: bool) -> dict[str, Any]:
    return {
        "id": member.pk, "role": member.role, "name": member.name, "relation": member.relation,
        "side": member.side, "kind": member.kind, "closeness": member.closeness,
        "status": member.status, "status_label": str(_STATUS_LABELS.get(member.status, member.status)),
        "attendance": member.attendance, "next_statuses": member.next_statuses,
        "phone": member.phone if contact else None, "email": member.email if contact else None,
        "language": member.language, "interpreter_needed": member.interpreter_needed,
        "notes": member.notes if contact else None, "version": member.version,
    }


def arrangement_out(a: SafetyArrangement) -> dict[str, Any]:
    return {"id": a.pk, "kind": a.kind, "kind_label": str(_ARRANGEMENT_LABELS.get(a.kind, a.kind)),
            "person_id": a.person_id, "other_id": a.other_id, "present_id": a.present_id, "parts": a.parts, "note": a.note,
            "summary": a.summary}


def _case(request: HttpRequest, case_id: int, action: str, log_action: str) -> Case:
    refuse_other_roles(request, action=log_action, object_id=case_id)
    return get_case_for(request.user, case_id, action, request=request)


def _may_change(user, case: Case) -> bool:
    return can(user, "change", case) and not case.is_final


def _denied(request: HttpRequest, case: Case, purpose: str, obj: Any = None) -> None:
    log_access(request, action=Action.CHANGE, obj=obj or case, outcome=Outcome.DENIED, purpose=purpose)


def _missing(request: HttpRequest, case: Case, object_type: str, object_id: int) -> Http404:
    log_access(request, action=Action.CHANGE, object_type=object_type, object_id=object_id,
               case_id=case.pk, outcome=Outcome.DENIED, purpose=f"circle: no such {object_type}")
    return Http404()


def _member(request: HttpRequest, case: Case, member_id: int) -> CircleMember:
    member = CircleMember.objects.filter(case=case, pk=member_id).first()
    if member is None:
        raise _missing(request, case, "circlemember", member_id)
    return member


def _model_errors(exc: DjangoValidationError, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """A model's refusal as 422 errors, located at the JSON field names."""
    names = names or {}
    if not hasattr(exc, "error_dict"):
        return [field_error(BODY, m, exc.code or "invalid") for m in exc.messages]
    out = []
    for name, errors in exc.error_dict.items():
        where = BODY if name == NON_FIELD_ERRORS else (*BODY, names.get(name, name))
        for error in errors:
            out.extend(field_error(where, m, error.code or "invalid") for m in error.messages)
    return out


def refusal(exc: DjangoValidationError) -> dict[str, Any]:
    return {"detail": " ".join(exc.messages), "code": getattr(exc, "code", None)}


# --- Operations ---------------------------------------------------------------------------


@router.get("/cases/{case_id}/circle", response={200: CircleOut, **ERRORS},
            operation_id="list_circle", summary="The circle of a case")
def list_circle(request: HttpRequest, case_id: CaseId) -> dict[str, Any]:
    """Everyone in the circle with their status, the safety arrangements and the figures.

    When a coordinator or regional manager calls it, the case's parents and
    children are put in the circle first (once). Professionals get no contact details.
    """
    case = _case(request, case_id, "view", Action.READ)
    may_change = _may_change(request.user, case)
    if may_change:
        services.circle_seed(case=case)
    read = read_circle(case, fields=MEMBER_FIELDS)
    members, arrangements = read.members, read.arrangements
    figures = circle_figures(members)
    log_access(request, action=Action.READ, obj=case, purpose="circle of the case")
    return {
        "case_id": case.pk, "reference": case.reference, "can_change": may_change,
        "members": [member_out(m, contact=may_change) for m in members],
        "arrangements": [arrangement_out(a) for a in arrangements],
        "figures": {**figures.__dict__, "both_sides": figures.both_sides},
    }


@router.get("/cases/{case_id}/circle/ecomap.svg", response=ERRORS, operation_id="get_ecomap",
            summary="The eco-map of the circle (SVG)",
            openapi_extra={"responses": {"200": {
                "description": "The eco-map as an accessible SVG image.",
                "content": {"image/svg+xml": {"schema": {"type": "string"}}}}}})
def get_ecomap(request: HttpRequest, case_id: CaseId) -> HttpResponse:
    """The same eco-map as on the circle page, as an SVG file with a title and a description."""
    case = _case(request, case_id, "view", Action.EXPORT)
    read = read_circle(case, fields=MAP_FIELDS)
    svg = render_ecomap(case=case, members=read.members, arrangements=read.arrangements, standalone=True)
    log_access(request, action=Action.EXPORT, obj=case, purpose="eco-map (SVG)")
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@router.post("/cases/{case_id}/circle/members", response={201: MemberOut, 409: ErrorOut, **ERRORS},
             operation_id="add_circle_member", summary="Add someone to the circle")
def add_circle_member(request: HttpRequest, case_id: CaseId, payload: MemberIn) -> Status:
    """Add a person; they start as `identified`. A bad phone number or e-mail gives 422."""
    case = _case(request, case_id, "change", Action.CREATE)
    form = MemberForm(payload.model_dump(mode="json"))
    if not form.is_valid():
        _denied(request, case, "circle: person not added")
        raise ValidationError(form_errors(form, BODY))
    try:
        member = services.member_add(case=case, data=form.cleaned_data, by=request.user)
    except services.CircleRefused as exc:
        _denied(request, case, "circle: person not added")
        return Status(409, refusal(exc))
    except DjangoValidationError as exc:
        _denied(request, case, "circle: person not added")
        raise ValidationError(_model_errors(exc)) from None
    log_access(request, action=Action.CREATE, obj=member, purpose="circle: person added")
    return Status(201, member_out(member, contact=True))


@router.patch("/cases/{case_id}/circle/members/{member_id}",
              response={200: MemberOut, 409: StaleOut, **ERRORS},
              operation_id="change_circle_member", summary="Change a person's details")
def change_circle_member(request: HttpRequest, case_id: CaseId, member_id: MemberId,
                         payload: MemberChangeIn) -> Status:
    """Change the fields you send. If someone saved the person after your `version`,
    nothing is saved: 409 with code `stale`, what changed, and the current version."""
    case = _case(request, case_id, "change", Action.CHANGE)
    member = _member(request, case, member_id)
    sent = {k: v for k, v in payload.model_dump(mode="json", exclude_unset=True).items() if v is not None}
    data = {**{name: getattr(member, name) for name in EDITABLE_FIELDS}, **sent}
    form = MemberEditForm(data)
    if not form.is_valid():
        _denied(request, case, "circle: change refused", obj=member)
        raise ValidationError(form_errors(form, BODY))
    try:
        member = services.member_update(member=member, data=form.cleaned_data,
                                        expected_version=payload.version, by=request.user)
    except services.StaleEdit as exc:
        _denied(request, case, "circle: stale edit refused", obj=member)
        return Status(409, {**refusal(exc), "changes": exc.changes, "version": exc.version})
    except services.CircleRefused as exc:
        _denied(request, case, "circle: change refused", obj=member)
        return Status(409, {**refusal(exc), "changes": {}, "version": member.version})
    except DjangoValidationError as exc:
        _denied(request, case, "circle: change refused", obj=member)
        raise ValidationError(_model_errors(exc)) from None
    log_access(request, action=Action.CHANGE, obj=member, purpose="circle: person changed")
    return Status(200, member_out(member, contact=True))


@router.post("/cases/{case_id}/circle/members/{member_id}/status",
             response={200: MemberOut, 409: ErrorOut, **ERRORS},
             operation_id="set_member_status", summary="Move a person to their next status")
def set_member_status(request: HttpRequest, case_id: CaseId, member_id: MemberId,
                      payload: StatusIn) -> Status:
    """identified → approached → invited → confirmed / declined → attended → took on an agreement.

    The member's `next_statuses` lists what is possible now; anything else gives 409.
    """
    case = _case(request, case_id, "change", Action.CHANGE)
    member = _member(request, case, member_id)
    try:
        member = services.member_set_status(
            member=member, status=payload.status,
            attendance=payload.attendance.value if payload.attendance else None, by=request.user)
    except DjangoValidationError as exc:
        _denied(request, case, f"circle: status refused: {payload.status.value}", obj=member)
        return Status(409, refusal(exc))
    log_access(request, action=Action.CHANGE, obj=member, purpose=f"circle: status {member.status}")
    return Status(200, member_out(member, contact=True))


ARRANGEMENT_FIELDS = {"person": "person_id", "other": "other_id", "present": "present_id"}


@router.post("/cases/{case_id}/circle/arrangements",
             response={201: ArrangementOut, 409: ErrorOut, **ERRORS},
             operation_id="add_safety_arrangement", summary="Add a safety arrangement")
def add_safety_arrangement(request: HttpRequest, case_id: CaseId, payload: ArrangementIn) -> Status:
    """Who must not meet whom (`must_not_meet`), who meets only with someone present
    (`only_with_person`), who takes part only from a distance or only in some parts."""
    case = _case(request, case_id, "change", Action.CREATE)
    form = ArrangementForm({
        "kind": payload.kind.value, "person": payload.person_id, "other": payload.other_id or "",
        "present": payload.present_id or "", "parts": [str(p) for p in payload.parts], "note": payload.note,
    }, case=case)
    if not form.is_valid():
        _denied(request, case, "circle: safety arrangement not added")
        errors = form_errors(form, BODY)
        for error in errors:
            error["loc"] = [ARRANGEMENT_FIELDS.get(str(p), p) for p in error["loc"]]
        raise ValidationError(errors)
    data = form.cleaned_data
    try:
        arrangement = services.arrangement_add(
            case=case, kind=data["kind"], person=data["person"], other=data["other"],
            present=data["present"], parts=data["parts"], note=data["note"], by=request.user)
    except services.CircleRefused as exc:
        _denied(request, case, "circle: safety arrangement not added")
        return Status(409, refusal(exc))
    except DjangoValidationError as exc:
        _denied(request, case, "circle: safety arrangement not added")
        raise ValidationError(_model_errors(exc, ARRANGEMENT_FIELDS)) from None
    log_access(request, action=Action.CREATE, obj=arrangement, purpose="circle: safety arrangement added")
    return Status(201, arrangement_out(arrangement))


@router.delete("/cases/{case_id}/circle/arrangements/{arrangement_id}",
               response={204: None, 409: ErrorOut, **ERRORS},
               operation_id="remove_safety_arrangement", summary="Remove a safety arrangement")
def remove_safety_arrangement(request: HttpRequest, case_id: CaseId,
                              arrangement_id: ArrangementId) -> Status:
    case = _case(request, case_id, "change", Action.CHANGE)
    arrangement = SafetyArrangement.objects.filter(case=case, pk=arrangement_id).first()
    if arrangement is None:
        raise _missing(request, case, "safetyarrangement", arrangement_id)
    try:
        services.arrangement_remove(arrangement=arrangement, by=request.user)
    except DjangoValidationError as exc:
        _denied(request, case, "circle: safety arrangement not removed", obj=arrangement)
        return Status(409, refusal(exc))
    log_access(request, action=Action.CHANGE, object_type="safetyarrangement", object_id=arrangement_id,
               case_id=case.pk, purpose="circle: safety arrangement removed")
    return Status(204, None)

