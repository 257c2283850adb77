"""Conference operations: the preparation checklist, the conference, invitations.

The same access rules as the pages (`get_case_for`): everyone related to the
case may read; the coordinator and the regional manager may change; the
professional gets 403 on changes; strangers get 404; policy and admin get 403
before anything is looked up. Each call that passes authentication and the
input checks writes exactly one access-log row.

A step the conference rules refuse now (no conference yet, the case is in the
wrong state, already held) gives 409; content that is wrong (an end before the
start, a professional in part 2) gives 422. The personal links of invited
people are never returned: they are for those people only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError

from kring.audit.log import log_access
from kring.audit.models import Action, Outcome
from kring.cases.access import get_case_for
from kring.cases.models import Case
from kring.cases.services import TransitionRefused
from kring.conferences import services
from kring.conferences.forms import ConferenceForm, PreparationItemForm
from kring.conferences.models import Channel, Conference, Invitation, PrepItem, PrepStatus, Response
from kring.network.models import CircleMember

from .cases import BODY, ERRORS, CaseId, refusal, refuse_other_roles
from .errors import ErrorOut, field_error, form_errors

router = Router(tags=["conferences"])

CONFLICT = {409: ErrorOut}


# --- shapes --------------------------------------------------------------------------------


class PreparationItemOut(Schema):
    code: PrepItem
    label: str
    status: PrepStatus
    status_label: str
    note: str
    updated_at: datetime
    updated_by: str | None


class PreparationOut(Schema):
    done: int = Field(description="Items done or not needed.")
    total: int
    items: list[PreparationItemOut]


class PreparationItemIn(Schema):
    code: PrepItem
    status: PrepStatus
    note: str = ""


class PreparationIn(Schema):
    items: list[PreparationItemIn] = Field(description="The items to change; each code at most once.")


class PartOut(Schema):
    part: int
    started_at: datetime | None
    ended_at: datetime | None


class PresenceOut(Schema):
    part: int
    member_id: int | None
    professional_id: int | None
    name: str
    remote: bool


class PersonRefOut(Schema):
    id: int
    name: str


class InvitationOut(Schema):
    id: int
    member_id: int
    name: str
    channels: list[Channel]
    sent_at: datetime
    expires_at: datetime
    response: Response
    responded_at: datetime | None
    reminder_sent_at: datetime | None
    outdated: bool = Field(description="The date, time or place changed after it was sent: send it again.")


class ConferenceOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime | None
    venue: str
    address: str
    remote_link: str
    notes: str
    version: int
    held_at: datetime | None
    parts: list[PartOut]
    presences: list[PresenceOut]
    chair: PersonRefOut | None
    writer: PersonRefOut | None
    invitations: list[InvitationOut]


class ConferencePageOut(Schema):
    preparation_done: int
    preparation_total: int
    conference: ConferenceOut | None = Field(description="None while no conference is planned.")


class ConferenceIn(Schema):
    """Date, time and place. Planning it on a case being prepared schedules the case."""

    starts_at: datetime = Field(description="ISO 8601; without an offset it is Dutch time.")
    ends_at: datetime | None = None
    venue: str
    address: str = ""
    remote_link: str = Field("", description="An https:// link for taking part from a distance.")
    notes: str = ""


class PartIn(Schema):
    part: int = Field(ge=1, le=3)
    started_at: datetime | None = None
    ended_at: datetime | None = None


class PresenceIn(Schema):
    """A circle member (`member_id`) or a professional of the case (`professional_id`), not both."""

    part: int = Field(ge=1, le=3)
    member_id: int | None = None
    professional_id: int | None = None
    remote: bool = False


class RecordIn(Schema):
    """Replaces what was recorded before. Professionals are never present in part 2."""

    parts: list[PartIn] = Field(default_factory=list)
    presences: list[PresenceIn] = Field(default_factory=list)
    chair_id: int | None = Field(None, description="A circle member: chair of the private family time.")
    writer_id: int | None = Field(None, description="A circle member who writes the plan down.")


class InviteIn(Schema):
    member_ids: list[int] = Field(description="Circle members of the case.")
    channels: list[Channel] = Field(description="email (with a calendar invitation), sms, or both.")


# --- output --------------------------------------------------------------------------------


def _item(item) -> dict[str, Any]:
    return {"code": item.code, "label": str(item.get_code_display()), "status": item.status,
            "status_label": str(item.get_status_display()), "note": item.note, "updated_at": item.updated_at,
            "updated_by": item.updated_by.display_name if item.updated_by else None}


def _invitation(invitation: Invitation) -> dict[str, Any]:
    return {"id": invitation.pk, "member_id": invitation.member_id, "name": invitation.member.name,
            "channels": invitation.channels, "sent_at": invitation.sent_at, "expires_at": invitation.expires_at,
            "response": invitation.response, "responded_at": invitation.responded_at,
            "reminder_sent_at": invitation.reminder_sent_at, "outdated": invitation.is_outdated}


def _ref(member: CircleMember | None) -> dict[str, Any] | None:
    return None if member is None else {"id": member.pk, "name": member.name}


def conference_out(conference: Conference) -> dict[str, Any]:
    conference = Conference.objects.select_related("chair", "writer").get(pk=conference.pk)
    presences = conference.presences.select_related("member", "professional").order_by("part", "pk")
    invitations = conference.invitations.select_related("member", "conference").order_by("member__name", "pk")
    return {
        "id": conference.pk, "starts_at": conference.starts_at, "ends_at": conference.ends_at,
        "venue": conference.venue, "address": conference.address, "remote_link": conference.remote_link,
        "notes": conference.notes, "version": conference.version, "held_at": conference.held_at,
        "parts": [{"part": part, "started_at": start, "ended_at": end}
                  for part, start, end in conference.part_times()],
        "presences": [{"part": p.part, "member_id": p.member_id, "professional_id": p.professional_id,
                       "name": (p.member or p.professional).name, "remote": p.remote} for p in presences],
        "chair": _ref(conference.chair),
        "writer": _ref(conference.writer),
        "invitations": [_invitation(i) for i in invitations],
    }


def _content_errors(exc: DjangoValidationError, fields: set[str] | None = None) -> ValidationError:
    """A service's refusal of the content, as a 422 in the API's error shape."""
    errors = []
    if hasattr(exc, "error_dict"):
        for name, field_errors in exc.error_dict.items():
            loc = (*BODY, name) if fields is None or name in fields else BODY
            for error in field_errors:
                errors += [field_error(loc, m, error.code or "invalid") for m in error.messages]
    else:
        for error in exc.error_list:
            errors += [field_error(BODY, m, error.code or "invalid") for m in error.messages]
    return ValidationError(errors)


def _is_conflict(exc: DjangoValidationError) -> bool:
    return isinstance(exc, services.ConferenceRefused | TransitionRefused)


def _case(request: HttpRequest, case_id: int, action: str, log_action: str) -> Case:
    refuse_other_roles(request, action=log_action, object_id=case_id)
    return get_case_for(request.user, case_id, action, request=request)


def _current(request: HttpRequest, case: Case) -> Conference | None:
    conference = services.conference_current(case)
    if conference is None:
        log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                   purpose="refused: no conference planned")
    return conference


def _no_conference() -> Status:
    return Status(409, {"detail": _("Plan the conference first."), "code": "no_conference"})


# --- operations ----------------------------------------------------------------------------


@router.get("/cases/{case_id}/preparation", response={200: PreparationOut, **ERRORS},
            operation_id="get_preparation", summary="The preparation checklist of a case")
def get_preparation(request: HttpRequest, case_id: CaseId) -> dict[str, Any]:
    """Every checklist item with its status (to do, done, not needed) and note."""
    case = _case(request, case_id, "view", Action.READ)
    items = services.preparation_items(case)
    log_access(request, action=Action.READ, object_type="preparation", object_id=case.pk, case_id=case.pk,
               purpose="preparation checklist")
    return {"done": sum(1 for i in items if i.status in services.SETTLED), "total": len(items),
            "items": [_item(i) for i in items]}


@router.put("/cases/{case_id}/preparation", response={200: PreparationOut, **ERRORS},
            operation_id="update_preparation", summary="Set the status and note of checklist items")
def update_preparation(request: HttpRequest, case_id: CaseId, payload: PreparationIn) -> dict[str, Any]:
    """For the coordinator and the regional manager. Items left out stay as they are."""
    changes = {}
    errors = []
    for index, entry in enumerate(payload.items):
        form = PreparationItemForm({"status": entry.status, "note": entry.note})
        if form.is_valid():
            changes[entry.code] = services.ItemChange(form.cleaned_data["status"], form.cleaned_data["note"])
        errors += form_errors(form, (*BODY, "items", index))
    if errors:
        raise ValidationError(errors)
    case = _case(request, case_id, "change", Action.CHANGE)
    changed = services.preparation_update(case=case, by=request.user, changes=changes)
    items = services.preparation_items(case)
    log_access(request, action=Action.CHANGE, object_type="preparation", object_id=case.pk, case_id=case.pk,
               purpose=f"preparation checklist saved ({len(changed)} changed)")
    return {"done": sum(1 for i in items if i.status in services.SETTLED), "total": len(items),
            "items": [_item(i) for i in items]}


@router.get("/cases/{case_id}/conference", response={200: ConferencePageOut, **ERRORS},
            operation_id="get_conference", summary="The conference: date, place, parts, presence, invitations")
def get_conference(request: HttpRequest, case_id: CaseId) -> dict[str, Any]:
    case = _case(request, case_id, "view", Action.READ)
    conference = services.conference_current(case)
    done, total = services.preparation_progress(case)
    log_access(request, action=Action.READ, obj=conference or case, purpose="conference")
    return {"preparation_done": done, "preparation_total": total,
            "conference": conference_out(conference) if conference else None}


@router.put("/cases/{case_id}/conference", response={200: ConferenceOut, 201: ConferenceOut, **CONFLICT, **ERRORS},
            operation_id="save_conference", summary="Plan the conference or change its date and place")
def save_conference(request: HttpRequest, case_id: CaseId, payload: ConferenceIn) -> Status:
    """Planning it while the case is being prepared moves the case to "conference scheduled" (201).

    A change of date, time or place raises the conference's `version`;
    invitations sent before are then `outdated` and should be sent again.
    """
    data = {name: (value.isoformat() if isinstance(value, datetime) else value)
            for name, value in payload.model_dump().items() if value is not None}
    form = ConferenceForm(data)
    if not form.is_valid():
        raise ValidationError(form_errors(form, BODY))
    case = _case(request, case_id, "change", Action.CHANGE)
    try:
        conference, created = services.conference_save(case=case, by=request.user, **form.cleaned_data)
    except DjangoValidationError as exc:
        log_access(request, action=Action.CHANGE, obj=case, outcome=Outcome.DENIED,
                   purpose="conference save refused")
        if _is_conflict(exc):
            return Status(409, refusal(exc))
        raise _content_errors(exc, set(form.fields)) from None
    log_access(request, action=Action.CREATE if created else Action.CHANGE, obj=conference,
               purpose="conference planned" if created else "conference changed")
    return Status(201 if created else 200, conference_out(conference))


@router.put("/cases/{case_id}/conference/record",
            response={200: ConferenceOut, **CONFLICT, **ERRORS},
            operation_id="record_conference", summary="Record the parts, who was present, chair and writer")
def record_conference(request: HttpRequest, case_id: CaseId, payload: RecordIn) -> Status:
    """Replaces what was recorded before. A professional present in part 2 is refused (422)."""
    case = _case(request, case_id, "change", Action.CHANGE)
    conference = _current(request, case)
    if conference is None:
        return _no_conference()
    people = {}
    for name, person_id in (("chair_id", payload.chair_id), ("writer_id", payload.writer_id)):
        if person_id is None:
            people[name] = None
            continue
        people[name] = CircleMember.objects.filter(pk=person_id, case=case).first()
        if people[name] is None:
            log_access(request, action=Action.CHANGE, obj=conference, outcome=Outcome.DENIED,
                       purpose="conference record refused")
            raise ValidationError([field_error((*BODY, name), _("Choose someone from the circle of this case."),
                                               "invalid_choice")])
    try:
        services.conference_record(
            conference=conference, by=request.user,
            parts={p.part: (p.started_at, p.ended_at) for p in payload.parts},
            presences=[services.PresenceData(part=p.part, member_id=p.member_id,
                                             professional_id=p.professional_id, remote=p.remote)
                       for p in payload.presences],
            chair=people["chair_id"], writer=people["writer_id"],
        )
    except DjangoValidationError as exc:
        log_access(request, action=Action.CHANGE, obj=conference, outcome=Outcome.DENIED,
                   purpose="conference record refused")
        if _is_conflict(exc):
            return Status(409, refusal(exc))
        raise _content_errors(exc) from None
    log_access(request, action=Action.CHANGE, obj=conference, purpose="conference recorded")
    return Status(200, conference_out(conference))


@router.post("/cases/{case_id}/conference/held", response={200: ConferenceOut, **CONFLICT, **ERRORS},
             operation_id="hold_conference", summary="The conference took place")
def hold_conference(request: HttpRequest, case_id: CaseId) -> Status:
    """For the coordinator. The case moves to "held"; the circle members present are marked as attended."""
    case = _case(request, case_id, "change", Action.CHANGE)
    conference = _current(request, case)
    if conference is None:
        return _no_conference()
    try:
        conference = services.conference_hold(conference=conference, by=request.user)
    except DjangoValidationError as exc:
        log_access(request, action=Action.CHANGE, obj=conference, outcome=Outcome.DENIED,
                   purpose="conference held refused")
        return Status(409, refusal(exc))
    log_access(request, action=Action.CHANGE, obj=conference, purpose="conference held")
    return Status(200, conference_out(conference))


@router.post("/cases/{case_id}/conference/invitations",
             response={200: list[InvitationOut], **CONFLICT, **ERRORS},
             operation_id="send_invitations", summary="Invite circle members by e-mail and/or text message")
def send_invitations(request: HttpRequest, case_id: CaseId, payload: InviteIn) -> Status:
    """Each person gets a personal link and a reminder the day before.

    Inviting someone again (for example after the date changed) sends a new
    link; the old one stops working. The answer given so far is kept, unless
    it was "declined".

    The messages are sent by the worker; e-mails carry an iCalendar invitation.
    """
    case = _case(request, case_id, "change", Action.CHANGE)
    conference = _current(request, case)
    if conference is None:
        return _no_conference()
    members = list(CircleMember.objects.filter(case=case, pk__in=payload.member_ids))
    try:
        if len(members) != len(set(payload.member_ids)):
            raise DjangoValidationError(_("This person is not in the circle of this case."), code="invalid_choice")
        sent = services.invitation_send(conference=conference, members=members, channels=payload.channels,
                                        by=request.user)
    except DjangoValidationError as exc:
        log_access(request, action=Action.CHANGE, obj=conference, outcome=Outcome.DENIED,
                   purpose="invitations refused")
        if _is_conflict(exc):
            return Status(409, refusal(exc))
        raise _content_errors(exc) from None
    log_access(request, action=Action.CHANGE, obj=conference, purpose=f"invitations sent ({len(sent)})")
    return Status(200, [_invitation(i) for i in sent])
