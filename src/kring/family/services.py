"""Workflows of the family's own space: consents, personal links, and the plan they make themselves.

Each function takes keyword arguments and runs in one transaction. The acting
family is a `kring.family.session.Family` (person and own case), never a `User`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.cases.models import (
    Case,
    CaseEvent,
    CasePerson,
    CaseProfessional,
    Channel,
    LegalFrame,
    PersonRole,
    RequesterKind,
    State,
    TriggerMoment,
)
from kring.core import links
from kring.core.tasks import send_email
from kring.network.models import CircleMember, MemberRole, MemberStatus
from kring.plans.models import Distribution, Plan, PlanStatus, PlanVersion, Source

from .models import ConsentKind, FamilyConsent, MemberLink, SelfPlan, SelfPlanStep, new_nonce
from .session import Family

MEMBER_LINK = "circle_member"


class FamilyRefused(ValidationError):
    """A step the family cannot take (now); nothing was changed."""


# --- consent ---------------------------------------------------------------------------------


def latest_consent(case: Case, kind: str, *, member: CircleMember | None = None,
                   professional: CaseProfessional | None = None) -> FamilyConsent | None:
    return (FamilyConsent.objects.filter(case=case, kind=kind, member=member, professional=professional)
            .order_by("-at", "-id").first())


def may_receive_copy(version: PlanVersion, *, member: CircleMember | None = None,
                     professional: CaseProfessional | None = None) -> bool:
    """Whether this person may get (or see) this version of the plan, right now.

    The family's newest decision wins; without one, the copy list written in the
    plan itself holds (the family chose it at the conference).
    """
    decision = latest_consent(version.plan.case, ConsentKind.PLAN_COPY, member=member,
                              professional=professional)
    if decision is not None:
        return decision.granted
    if member is not None:
        return version.copy_recipients.filter(pk=member.pk).exists()
    if professional is not None:
        return version.copy_professionals.filter(pk=professional.pk).exists()
    return False


def check_in_summaries_shared(case: Case) -> bool:
    """Whether the professional may see the check-in summaries. Never assumed: no decision is no."""
    decision = latest_consent(case, ConsentKind.CHECK_IN_SUMMARIES)
    return bool(decision and decision.granted)


@transaction.atomic
def consent_set(*, family: Family, kind: str, granted: bool, member: CircleMember | None = None,
                professional: CaseProfessional | None = None) -> FamilyConsent:
    """Give or withdraw one consent. It holds from this moment on.

    Withdrawing a copy of the plan also takes back every copy still waiting to
    be sent to that person; withdrawing the phone consent clears it on the case.
    """
    case = Case.objects.select_for_update(of=("self",)).get(pk=family.case.pk)
    if kind not in ConsentKind.values:
        raise FamilyRefused(_("This consent does not exist."), code="unknown")
    if kind == ConsentKind.PLAN_COPY:
        if (member is None) == (professional is None):
            raise FamilyRefused(_("Choose one person."), code="no_person")
        if (member or professional).case_id != case.pk:
            raise FamilyRefused(_("Choose a person from your own circle."), code="not_yours")
    elif member is not None or professional is not None:
        raise FamilyRefused(_("This consent is not about one person."), code="no_person")
    now = timezone.now()
    row = FamilyConsent(case=case, kind=kind, member=member, professional=professional, granted=granted,
                        at=now, by_person=family.person, by_label=family.person.name)
    row.full_clean(exclude=["case", "member", "professional", "by_person"])
    row.save()
    if kind == ConsentKind.PHONE:
        case.phone_consent, case.phone_consent_at = granted, now if granted else None
        case.save(update_fields=["phone_consent", "phone_consent_at"])
    if kind == ConsentKind.PLAN_COPY and not granted:
        waiting = Distribution.objects.filter(version__plan__case=case, sent_at__isnull=True,
                                              claimed_at__isnull=True)
        waiting.filter(member=member).delete() if member else waiting.filter(professional=professional).delete()
    return row


@dataclass
class ConsentRow:
    kind: str
    label: str
    granted: bool
    member: CircleMember | None = None
    professional: CaseProfessional | None = None
    since: Any = None
    by: str = ""


def consent_overview(case: Case) -> list[ConsentRow]:
    """Every consent the family controls, with what holds now."""
    plan = Plan.objects.filter(case=case).first()
    version = plan.current if plan else None
    rows: list[ConsentRow] = []
    latest: dict[tuple, FamilyConsent] = {}
    for consent in FamilyConsent.objects.filter(case=case).order_by("at", "id"):
        latest[(consent.kind, consent.member_id, consent.professional_id)] = consent

    def row(kind, label, default, member=None, professional=None):
        decision = latest.get((kind, getattr(member, "pk", None), getattr(professional, "pk", None)))
        rows.append(ConsentRow(kind, label, decision.granted if decision else default, member, professional,
                               decision.at if decision else None, decision.by_label if decision else ""))

    copy_members = set(version.copy_recipients.values_list("pk", flat=True)) if version else set()
    copy_professionals = set(version.copy_professionals.values_list("pk", flat=True)) if version else set()
    for member in CircleMember.objects.filter(case=case, role=MemberRole.NETWORK).order_by("name", "pk"):
        row(ConsentKind.PLAN_COPY, member.name, member.pk in copy_members, member=member)
    for professional in CaseProfessional.objects.filter(case=case).order_by("name", "pk"):
        label = professional.name + (f" ({professional.organisation})" if professional.organisation else "")
        row(ConsentKind.PLAN_COPY, label, professional.pk in copy_professionals, professional=professional)
    row(ConsentKind.CHECK_IN_SUMMARIES, str(ConsentKind.CHECK_IN_SUMMARIES.label), False)
    rows.append(ConsentRow(ConsentKind.PHONE, str(ConsentKind.PHONE.label), case.phone_consent,
                           since=case.phone_consent_at))
    return rows


# --- personal links of circle members ---------------------------------------------------------


def member_link_url(member: CircleMember, *, rotate: bool = False) -> str:
    """The personal link of a circle member to their own agreements (a new one when `rotate`)."""
    link, created = MemberLink.objects.get_or_create(member=member)
    if rotate and not created:
        link.nonce = new_nonce()
        link.save(update_fields=["nonce"])
    token = links.make_token(MEMBER_LINK, member=member.pk, nonce=link.nonce)
    return links.absolute_url("family_member", token)


def member_from_token(token: str) -> CircleMember:
    """The circle member a personal link is for, or a `kring.core.links.LinkError`."""
    ids = links.read_token(MEMBER_LINK, token)
    member_id = ids.get("member")
    if not isinstance(member_id, int):
        raise links.LinkInvalid("no member id")
    link = MemberLink.objects.select_related("member__case").filter(member_id=member_id).first()
    if link is None:
        raise links.LinkInvalid("no such link")
    links.check_nonce(ids, link.nonce)
    return link.member


# --- the plan the family makes itself (DOMAIN §4) ----------------------------------------------


STEPS = list(SelfPlanStep.values)


@transaction.atomic
def self_plan_start(*, name: str, email: str, municipality, language: str = "nl") -> tuple[SelfPlan, CasePerson]:
    """A family starts its own plan: a case of its own without a coordinator.

    The case comes in through the public channel, starts in "preparing" (the
    family prepares its own meeting), has no coordinator and no norm clock, so
    it never shows in a regional manager's inbox. Its plan has source "self_made".
    """
    from kring.network.services import circle_seed

    now = timezone.now()
    case = Case(
        region=municipality.region, municipality=municipality, legal_frame=LegalFrame.UNKNOWN,
        trigger_moment=TriggerMoment.OWN_INITIATIVE, situation=_("The family makes its own plan."),
        channel=Channel.PUBLIC, requester_kind=RequesterKind.PARENT, requester_name=name.strip(),
        requester_email=email, state=State.PREPARING, submitted_at=now, state_changed_at=now,
        next_deadline_at=None,
    )
    case.full_clean()
    case.save()
    person = CasePerson(case=case, role=PersonRole.PARENT, name=name.strip(), email=email, is_main_person=True)
    person.full_clean()
    person.save()
    circle_seed(case=case)
    Plan.objects.create(case=case, source=Source.SELF_MADE, created_at=now)
    self_plan = SelfPlan.objects.create(case=case, started_by=person, started_at=now, updated_at=now)
    CaseEvent.objects.create(case=case, name="self_made_started", from_state=State.PREPARING,
                             to_state=State.PREPARING, actor_role="family", at=now)
    return self_plan, person


@transaction.atomic
def self_plan_save(*, family: Family, answers: dict[str, Any], step: str) -> SelfPlan:
    """Keep the answers of one step and remember where the family is."""
    self_plan = SelfPlan.objects.select_for_update().get(case=family.case)
    if step not in STEPS:
        raise FamilyRefused(_("This step does not exist."), code="unknown_step")
    self_plan.answers = {**self_plan.answers, **answers}
    self_plan.step = step
    self_plan.updated_at = timezone.now()
    self_plan.save(update_fields=["answers", "step", "updated_at"])
    return self_plan


def self_plan_add_person(*, family: Family, data: dict[str, Any]) -> CircleMember:
    """Someone from the family's own circle, added by the family (through the circle's own service)."""
    from kring.network.services import member_add

    return member_add(case=family.case, data={**data, "role": MemberRole.NETWORK}, by=None)


@transaction.atomic
def self_plan_invite(*, family: Family, members: list[CircleMember], language: str = "nl") -> list[CircleMember]:
    """Send each chosen person (with an e-mail address) an invitation with their personal link."""
    from kring.conferences.services import first_name, move_member

    self_plan = SelfPlan.objects.get(case=family.case)
    invited = []
    for member in members:
        if member.case_id != family.case.pk or not member.email:
            continue
        context = {"name": first_name(member.name), "inviter": first_name(family.person.name),
                   "place": self_plan.answers.get("place", ""), "meet_on": self_plan.answers.get("meet_on", ""),
                   "url": member_link_url(member, rotate=True)}
        send_email.enqueue(template="family/email/invitation", to=[member.email], context=context,
                           language=language)
        move_member(member, MemberStatus.INVITED, by=None)
        invited.append(member)
    return invited


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@transaction.atomic
def self_plan_finish(*, family: Family) -> PlanVersion:
    """Write the family's answers down as a new version of their plan, ready to print and share.

    The version is accepted by the family itself (there is no coordinator and no
    test against safety conditions); the case moves on to "plan accepted", so the
    follow-up (reminders, check-ins) works as for a conference plan.
    """
    from kring.plans.services import AgreementData, AnswerData, PlanData, _write_version

    case = Case.objects.select_for_update(of=("self",)).get(pk=family.case.pk)
    self_plan = SelfPlan.objects.select_for_update().get(case=case)
    answers = self_plan.answers
    members = {m.pk: m for m in CircleMember.objects.filter(case=case)}
    agreements = [AgreementData(who=members[a["who"]], what=a["what"], when=a["when"])
                  for a in answers.get("agreements", []) if a.get("who") in members]
    if not answers.get("problem", "").strip():
        raise FamilyRefused(_("Write down what the plan must solve (step 1)."), code="no_problem")
    if not agreements:
        raise FamilyRefused(_("Make at least one agreement (step 4)."), code="no_agreements")
    professionals = []
    if answers.get("share_with_professional") and answers.get("professional_email"):
        professional, _created = CaseProfessional.objects.get_or_create(
            case=case, email=answers["professional_email"].strip().lower(),
            defaults={"name": answers.get("professional_name", "").strip() or answers["professional_email"]})
        professionals.append(professional)
    note = _("Made by the family itself.")
    if answers.get("writer"):
        note += " " + _("Written down by: %(name)s.") % {"name": answers["writer"]}
    data = PlanData(
        concerns_answered=answers.get("problem", ""),
        monitor=members.get(answers.get("monitor")), convenor=members.get(answers.get("convenor")),
        evaluation_date=_parse_date(answers.get("evaluation_date", "")),
        keep_informed=answers.get("keep_informed", ""), when_not_kept=answers.get("when_not_kept", ""),
        copy_recipients=[members[i] for i in answers.get("copy", []) if i in members],
        copy_professionals=professionals, agreements=agreements,
        answers=[AnswerData(text=answers["safety"])] if answers.get("safety", "").strip() else [],
        change_note=note,
    )
    plan = Plan.objects.get(case=case)
    last = plan.current
    now = timezone.now()
    version = _write_version(plan, (last.number if last else 0) + 1, data, None, status=PlanStatus.ACCEPTED)
    version.decided_at = now
    version.save(update_fields=["decided_at"])
    for professional in professionals:
        FamilyConsent.objects.create(case=case, kind=ConsentKind.PLAN_COPY, professional=professional,
                                     granted=True, at=now, by_person=family.person, by_label=family.person.name)
        Distribution.objects.get_or_create(version=version, email=professional.email,
                                           defaults={"professional": professional, "language": "nl"})
    if professionals:
        from kring.plans.tasks import send_plan_copies

        send_plan_copies.enqueue(version_id=version.pk)
    if case.state != State.PLAN_ACCEPTED:
        CaseEvent.objects.create(case=case, name="self_made_plan", from_state=case.state,
                                 to_state=State.PLAN_ACCEPTED, actor_role="family", at=now)
        case.state, case.state_changed_at, case.plan_accepted_at = State.PLAN_ACCEPTED, now, now
        case.save(update_fields=["state", "state_changed_at", "plan_accepted_at"])
    self_plan.finished_at = now
    self_plan.step = SelfPlanStep.FINISH
    self_plan.save(update_fields=["finished_at", "step"])
    return version
