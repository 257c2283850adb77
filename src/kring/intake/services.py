"""Submitting a request: one transaction that creates the case and everything in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from kring.cases.models import (
    Case,
    CaseEvent,
    CasePerson,
    CaseProfessional,
    PersonRole,
    State,
)
from kring.core.tasks import send_email


@dataclass
class RequestData:
    municipality: Any
    situation: str
    legal_frame: str
    trigger_moment: str
    urgency: str
    requester_kind: str
    requester_name: str
    requester_email: str
    requester_phone: str = ""
    requester_organisation: str = ""
    requester_professional_kind: str = ""
    pref_gender: str = ""
    pref_language: str = ""
    language_required: bool = False
    pref_culture: str = ""
    pref_religion: str = ""
    pref_other: str = ""
    phone_consent: bool = False
    parents: list[dict] = field(default_factory=list)
    children: list[dict] = field(default_factory=list)
    professionals: list[dict] = field(default_factory=list)


class ConsentMissing(ValueError):
    """A phone number was given without the family's consent."""


@transaction.atomic
def request_submit(*, data: RequestData, channel: str, by=None, language: str = "nl") -> Case:
    """Create a case from a request and route it to the region of its municipality.

    Phone numbers are refused unless the family consented. The confirmation
    e-mail and the region's notification go through the worker.
    """
    phones = [data.requester_phone, *(p.get("phone", "") for p in data.parents + data.children)]
    if any(phones) and not data.phone_consent:
        raise ConsentMissing("phone numbers need the family's consent")
    now = timezone.now()
    case = Case(
        region=data.municipality.region,
        municipality=data.municipality,
        urgency=data.urgency,
        legal_frame=data.legal_frame,
        trigger_moment=data.trigger_moment,
        situation=data.situation.strip(),
        channel=channel,
        requester_kind=data.requester_kind,
        requester_name=data.requester_name.strip(),
        requester_email=data.requester_email,
        requester_phone=data.requester_phone,
        requester_organisation=data.requester_organisation,
        requester_professional_kind=data.requester_professional_kind,
        referred_by=by if by is not None and by.is_authenticated else None,
        pref_gender=data.pref_gender,
        pref_language=data.pref_language,
        language_required=data.language_required,
        pref_culture=data.pref_culture.strip(),
        pref_religion=data.pref_religion.strip(),
        pref_other=data.pref_other.strip(),
        phone_consent=data.phone_consent,
        phone_consent_at=now if data.phone_consent else None,
        submitted_at=now,
        state_changed_at=now,
    )
    case.refresh_deadline()
    case.full_clean()
    case.save()
    persons = [
        CasePerson(case=case, role=PersonRole.PARENT, name=p["name"].strip(), birth_date=p.get("birth_date"),
                   phone=p.get("phone", ""), email=p.get("email", ""), is_main_person=True)
        for p in data.parents
    ] + [
        CasePerson(case=case, role=PersonRole.CHILD, name=c["name"].strip(), birth_date=c["birth_date"],
                   phone=c.get("phone", ""), email=c.get("email", ""))
        for c in data.children
    ]
    for person in persons:
        person.full_clean(exclude=["case"])
    CasePerson.objects.bulk_create(persons)
    professionals = [
        CaseProfessional(case=case, name=p["name"].strip(), organisation=p.get("organisation", ""),
                         kind=p.get("kind", ""), email=p.get("email", ""))
        for p in data.professionals
    ]
    for prof in professionals:
        prof.full_clean(exclude=["case"], validate_constraints=False)
    CaseProfessional.objects.bulk_create(professionals)
    CaseEvent.objects.create(
        case=case, name="submitted", from_state=State.REQUEST, to_state=State.REQUEST,
        actor=case.referred_by, actor_role=by.role if case.referred_by else "public", at=now,
    )
    context = {"reference": case.reference, "region": case.region.name,
               "mailbox": case.region.mailbox, "urgent": case.is_urgent}
    send_email.enqueue(template="intake/email/confirmation", to=[case.requester_email],
                       context=context, language=language)
    send_email.enqueue(template="intake/email/new_request", to=[case.region.mailbox],
                       context={**context, "case_id": case.pk, "channel": channel}, language="nl")
    return case
