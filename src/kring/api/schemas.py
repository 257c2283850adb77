"""Input and output shapes of the API.

Inputs check only the shape (types, required fields, choices); the content
is checked by the same Django forms as the web pages, so that both refuse the
same things with the same words. Text lengths are therefore not limited here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from kring.accounts.models import Gender, ProfessionalKind
from kring.cases.lifecycle import TRANSITIONS
from kring.cases.models import LegalFrame, PersonRole, State, TriggerMoment, Urgency
from kring.intake.forms import LANGUAGE_CHOICES


def _one_of(values: list[str]) -> dict[str, Any]:
    return {"enum": values}


# --- Input -------------------------------------------------------------------


class PersonIn(Schema):
    """A parent or a child. Rows without any value are skipped; children need a birth date."""

    name: str = ""
    birth_date: date | None = None
    phone: str = Field("", description="Needs `phone_consent`.")
    email: str = ""


class ProfessionalIn(Schema):
    name: str = ""
    organisation: str = ""
    kind: str = Field("", json_schema_extra=_one_of(["", *ProfessionalKind.values]))
    email: str = ""


class RequestIn(Schema):
    """A request for a family group conference, sent by a professional."""

    municipality: str = Field(description="Name of the municipality where the family lives.")
    situation: str = Field(description="What is going on, in a few sentences.")
    legal_frame: LegalFrame
    trigger_moment: TriggerMoment
    urgency: Urgency = Urgency.NORMAL
    requester_professional_kind: ProfessionalKind | None = Field(
        None, description="Your role with the family; defaults to the kind on your account."
    )
    pref_gender: str = Field("", json_schema_extra=_one_of(["", *Gender.values]))
    pref_language: str = Field("", json_schema_extra=_one_of([c for c, _ in LANGUAGE_CHOICES]))
    language_required: bool = False
    pref_culture: str = ""
    pref_religion: str = ""
    pref_other: str = ""
    phone_consent: bool = Field(
        False, description="The family agrees that their phone numbers are passed on."
    )
    parents: list[PersonIn] = Field(default_factory=list, description="At least one, at most 4.")
    children: list[PersonIn] = Field(default_factory=list, description="At least one, at most 10.")
    professionals: list[ProfessionalIn] = Field(
        default_factory=list, description="Other professionals involved, at most 6."
    )


class TransitionIn(Schema):
    step: str = Field(json_schema_extra=_one_of(list(TRANSITIONS)))
    reason: str = ""


class AssignIn(Schema):
    coordinator_id: int


# --- Output ------------------------------------------------------------------


class UserRefOut(Schema):
    id: int
    name: str


class CaseCreatedOut(Schema):
    id: int
    reference: str
    state: State
    region: str


class CaseSummaryOut(Schema):
    """A case without any person in it: what a list may show."""

    id: int
    reference: str
    state: State
    state_label: str
    urgency: Urgency
    region: str
    municipality: str
    submitted_at: datetime
    next_deadline_at: datetime | None
    coordinator: UserRefOut | None


class PersonOut(Schema):
    id: int
    role: PersonRole
    name: str
    birth_date: date | None
    age: int | None
    phone: str
    is_main_person: bool


class ProfessionalOut(Schema):
    name: str
    organisation: str
    kind: str


class ClockOut(Schema):
    code: str
    label: str
    deadline: datetime
    stopped_at: datetime | None
    status: str
    status_label: str


class EventOut(Schema):
    name: str
    from_state: State
    to_state: State
    actor: str | None
    actor_role: str
    at: datetime
    reason: str


class StepOut(Schema):
    name: str
    label: str
    reason_required: bool


class RequesterOut(Schema):
    kind: str
    name: str
    organisation: str
    professional_kind: str


class PreferencesOut(Schema):
    gender: str
    language: str
    language_required: bool
    culture: str
    religion: str
    other: str


class CaseDetailOut(CaseSummaryOut):
    """Everything the case page shows, for the people related to the case."""

    legal_frame: LegalFrame
    trigger_moment: TriggerMoment
    situation: str
    channel: str
    requester: RequesterOut
    preferences: PreferencesOut
    phone_consent: bool
    phone_consent_at: datetime | None
    persons: list[PersonOut]
    professionals: list[ProfessionalOut]
    clocks: list[ClockOut]
    events: list[EventOut]
    steps: list[StepOut] = Field(description="The steps the caller may take now.")
    can_assign: bool


class SuggestionOut(Schema):
    coordinator_id: int
    name: str
    eligible: bool
    score: int
    reason: str
    free_places: int
    max_cases: int


class CaseListQuery(Schema):
    state: State | None = Field(None, description="Only cases in this state.")
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0)
    after: str | None = Field(None, max_length=40, pattern=r"^\d{1,19}\.\d{1,19}$", description=(
        "Continue after this position: the `next` of the page before. Unlike `offset`, it costs the "
        "same on the thousandth page as on the first; `offset` is ignored with it."))


class CasePageOut(Schema):
    items: list[CaseSummaryOut]
    count: int = Field(description="All cases that match, over every page.")
    limit: int
    offset: int
    next: str | None = Field(None, description="Pass as `after` for the next page; null on the last page.")
