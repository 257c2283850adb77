"""Workflows of the information form and the family group plan.

Each service takes keyword arguments, runs in one transaction, checks who is
acting (role *and* relation to the case) and refuses with a clear, translated
message without changing anything. Views and API operations call exactly one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import User
from kring.cases.models import Case, CaseProfessional, State
from kring.cases.prepared import PreparedValues
from kring.cases.rules import is_coordinator_of_case, is_professional_of_case
from kring.cases.services import case_transition
from kring.network.models import CircleMember

from .models import (
    Agreement,
    ConcernAnswer,
    ConditionTest,
    Distribution,
    InformationForm,
    InformationFormVersion,
    Plan,
    PlanStatus,
    PlanVersion,
    SafetyCondition,
)

#: From the conference on, the information form is the one stapled to the plan.
LOCKED_STATES = frozenset(
    {State.HELD, State.PLAN_ACCEPTED, State.PLAN_NOT_ACCEPTED, State.FOLLOW_UP, State.CLOSED}
)
#: The coordinator enters the plan from the conference on (part 2 happens on the day).
DRAFT_STATES = frozenset({State.SCHEDULED, State.HELD})


class PlanRefused(ValidationError):
    """A step on the information form or the plan that is not possible; nothing was changed."""


class StaleSave(PlanRefused):
    """Someone else saved in the meantime. Carries what they changed."""

    def __init__(self, message: str, *, current: Any, changes: list[str]) -> None:
        super().__init__(message, code="stale")
        self.current = current
        self.changes = changes


def _refuse(message: str, code: str) -> PlanRefused:
    return PlanRefused(message, code=code)


# --- the information form ----------------------------------------------------------------


@dataclass(frozen=True)
class ConditionData:
    text: str
    non_negotiable: bool = True


@dataclass
class InformationData:
    concerns: str
    tested_against: str = ""
    help_available: str = ""
    conditions: list[ConditionData] = field(default_factory=list)


def information_form_of(case: Case) -> InformationForm | None:
    return InformationForm.objects.filter(case=case).first()


def current_information_version_pk(case: Case) -> QuerySet:
    """A subquery: the primary key of the current (highest) version of the case's information form."""
    return InformationFormVersion.objects.filter(form__case=case).order_by("-number").values("pk")[:1]


def current_conditions(case: Case) -> list[SafetyCondition]:
    """The safety conditions of the current version of the case's information form (one query)."""
    return list(SafetyCondition.objects.filter(version=Subquery(current_information_version_pk(case))))


def information_form_lock(case: Case) -> bool:
    """Lock the case's information form (from the conference on). True when it was locked now."""
    return bool(
        InformationForm.objects.filter(case=case, locked_at__isnull=True).update(locked_at=timezone.now())
    )


def information_form_unlocked(case: Case) -> Exists:
    """An expression: the case has an information form that is not locked yet."""
    return Exists(InformationForm.objects.filter(case=case, locked_at__isnull=True))


def lock_information_form_on_view(case: Case, *, unlocked: bool | None = None) -> bool:
    """A page of a case from the conference on locks its information form, if it is not yet locked.

    Writes only that first time: `unlocked` is what the page already read
    (`information_form_unlocked`); when it is not known, one read finds out. True when locked now.
    """
    if case.state not in LOCKED_STATES:
        return False
    if unlocked is None:
        unlocked = InformationForm.objects.filter(case=case, locked_at__isnull=True).exists()
    return information_form_lock(case) if unlocked else False


def may_fill_information_form(user: User, case: Case) -> bool:
    """Only the professional linked to the case (referrer or linked professional with an account)."""
    return bool(is_professional_of_case(user, case))


def describe_changes(old: InformationFormVersion | None, new: InformationFormVersion) -> list[str]:
    """What changed from `old` to `new`, in words for the person whose save was refused."""
    changes = []
    labels = [
        ("concerns", _("Concerns")),
        ("tested_against", _("What the plan will be tested against")),
        ("help_available", _("Help that is available")),
    ]
    for name, label in labels:
        before = getattr(old, name, "") if old else ""
        after = getattr(new, name)
        if before.strip() != after.strip():
            changes.append(_("%(field)s is now: “%(text)s”") % {"field": label, "text": after.strip() or "-"})
    before_conditions = {c.text.strip(): c.non_negotiable for c in old.conditions.all()} if old else {}
    after_conditions = {c.text.strip(): c.non_negotiable for c in new.conditions.all()}
    for text, non_negotiable in after_conditions.items():
        if text not in before_conditions:
            changes.append(_("Safety condition added: “%(text)s”") % {"text": text})
        elif before_conditions[text] != non_negotiable:
            changes.append(
                (_("Safety condition now not negotiable: “%(text)s”") if non_negotiable
                 else _("Safety condition now negotiable: “%(text)s”")) % {"text": text}
            )
    for text in before_conditions:
        if text not in after_conditions:
            changes.append(_("Safety condition removed: “%(text)s”") % {"text": text})
    return changes


@transaction.atomic
def information_form_save(*, case: Case, by: User, expected_version: int,
                          data: InformationData) -> InformationFormVersion:
    """Save the information form as a new version, or refuse (not linked, locked, stale)."""
    if not may_fill_information_form(by, case):
        raise _refuse(_("Only the professional linked to this case can fill in the information form."),
                      "not_allowed")
    if case.state in LOCKED_STATES:
        information_form_lock(case)
    form, _created = InformationForm.objects.select_for_update().get_or_create(
        case=case, defaults={"author": by}
    )
    if form.is_locked or case.state in LOCKED_STATES:
        raise _refuse(
            _("The information form is locked: the conference has taken place. It is attached to the "
              "plan as it was."),
            "locked",
        )
    if case.is_final:
        raise _refuse(_("The case is closed: the information form cannot change any more."), "closed")
    if form.version != expected_version:
        current = form.current
        old = form.versions.filter(number=expected_version).first()
        raise StaleSave(
            _("Someone else saved this form while you were working on it (version %(number)s, by "
              "%(name)s). Nothing was overwritten. Look at what changed, then save your changes again.")
            % {"number": form.version, "name": current.created_by.display_name if current else "-"},
            current=current,
            changes=describe_changes(old, current) if current else [],
        )
    # The optimistic claim: only one save can move the form from this version to the next.
    if not InformationForm.objects.filter(pk=form.pk, version=expected_version).update(
        version=F("version") + 1
    ):
        raise _refuse(_("Someone else saved this form at the same moment. Load it again."), "stale")
    version = InformationFormVersion(
        form=form, number=expected_version + 1, concerns=data.concerns.strip(),
        tested_against=data.tested_against.strip(), help_available=data.help_available.strip(),
        created_by=by, created_at=timezone.now(),
    )
    version.full_clean()
    version.save()
    for order, condition in enumerate(data.conditions, start=1):
        row = SafetyCondition(version=version, order=order, text=condition.text.strip(),
                              non_negotiable=condition.non_negotiable)
        row.full_clean()
        row.save()
    return version


# --- the plan --------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementData:
    who: CircleMember
    what: str
    when: str
    starts_on: date | None = None
    ends_on: date | None = None
    conditions: tuple[SafetyCondition, ...] = ()


@dataclass(frozen=True)
class AnswerData:
    text: str
    condition: SafetyCondition | None = None


@dataclass
class PlanData:
    language: str = ""
    concerns_answered: str = ""
    professional_help: str = ""
    monitor: CircleMember | None = None
    convenor: CircleMember | None = None
    evaluation_date: date | None = None
    keep_informed: str = ""
    when_not_kept: str = ""
    copy_recipients: list[CircleMember] = field(default_factory=list)
    copy_professionals: list[CaseProfessional] = field(default_factory=list)
    agreements: list[AgreementData] = field(default_factory=list)
    answers: list[AnswerData] = field(default_factory=list)
    change_note: str = ""


def plan_of(case: Case) -> Plan | None:
    return Plan.objects.filter(case=case).first()


def current_version(case: Case) -> PlanVersion | None:
    plan = plan_of(case)
    return plan.current if plan else None


#: The columns of a version the plan page prints (with who wrote it, the monitor and the convenor).
DISPLAY_FIELDS = (
    "plan", "number", "status", "language", "concerns_answered", "professional_help", "evaluation_date",
    "keep_informed", "when_not_kept", "created_at", "change_note", "decision_reason",
    "monitor__name", "convenor__name", "created_by__first_name", "created_by__last_name", "created_by__username",
)


@dataclass
class AgreementRow:
    """One agreement as the plan page prints it."""

    who: str
    relation: str
    what: str
    when: str
    starts_on: date | None
    ends_on: date | None
    conditions: list[str] = field(default_factory=list)


#: A row per agreement and condition met of one version (by id), compiled once.
_AGREEMENT_ROWS = PreparedValues(
    lambda version_id: Agreement.objects.filter(version_id=version_id)
    .order_by("order", "pk", "conditions__version", "conditions__order", "conditions__pk")
    .values_list("pk", "who__name", "who__relation", "what", "when", "starts_on", "ends_on", "conditions__text"))


#: What the plan page and the plan document print of a version (by id), each compiled once:
#: the answers to the concerns (text, condition id, condition text), in their own order;
VERSION_ANSWERS = PreparedValues(lambda version_id: PlanVersion(pk=version_id).answers
                                 .values_list("text", "condition_id", "condition__text"))
#: the copy recipients (name, e-mail) and professionals (name, organisation, e-mail), in their own order;
VERSION_RECIPIENTS = PreparedValues(lambda version_id: PlanVersion(pk=version_id).copy_recipients
                                    .values_list("name", "email"))
VERSION_PROFESSIONALS = PreparedValues(lambda version_id: PlanVersion(pk=version_id).copy_professionals
                                       .values_list("name", "organisation", "email"))
#: the copy recipients' names and the professionals' (name, organisation), by name (the document).
VERSION_RECIPIENT_NAMES = PreparedValues(lambda version_id: PlanVersion(pk=version_id).copy_recipients
                                         .order_by("name").values_list("name"))
VERSION_PROFESSIONAL_NAMES = PreparedValues(lambda version_id: PlanVersion(pk=version_id).copy_professionals
                                            .order_by("name").values_list("name", "organisation"))
#: the safety conditions of an information form version (id, version id, order, text, non-negotiable).
INFORMATION_CONDITIONS = PreparedValues(
    lambda info_version_id: SafetyCondition.objects.filter(version_id=info_version_id)
    .values_list("pk", "version_id", "order", "text", "non_negotiable"))


def agreement_rows(version: PlanVersion) -> list[AgreementRow]:
    """The agreements of a version, each with the texts of the safety conditions it meets.

    One query (a row per agreement and condition), in the plan's order; the conditions
    of an agreement in their own order, as `agreement.conditions.all()` gives them.
    """
    rows: dict[int, AgreementRow] = {}
    for pk, who, relation, what, when, starts_on, ends_on, condition in _AGREEMENT_ROWS(version.pk):
        row = rows.get(pk)
        if row is None:
            row = rows[pk] = AgreementRow(who, relation, what, when, starts_on, ends_on)
        if condition is not None:
            row.conditions.append(condition)
    return list(rows.values())


def plan_versions_newest_first(case: Case) -> QuerySet[PlanVersion]:
    """Every version of the case's plan, the current one first, with who wrote it, the monitor and
    the convenor (one query; without a plan, none)."""
    return (PlanVersion.objects.filter(plan__case=case).select_related("created_by", "monitor", "convenor")
            .order_by("-number"))


def _require_coordinator(by: User, case: Case) -> None:
    if not is_coordinator_of_case(by, case):
        raise _refuse(_("Only the coordinator of this case can do this."), "not_allowed")


def _check_belongs(case: Case, data: PlanData) -> None:
    """Every person named in the plan is in this case's circle; every condition is current."""
    members = [data.monitor, data.convenor, *data.copy_recipients, *(a.who for a in data.agreements)]
    if any(m is not None and m.case_id != case.pk for m in members):
        raise _refuse(_("Choose people from the circle of this case."), "not_in_circle")
    if any(p.case_id != case.pk for p in data.copy_professionals):
        raise _refuse(_("Choose professionals involved in this case."), "not_in_case")
    allowed = {c.pk for c in current_conditions(case)}
    used = [a.condition for a in data.answers if a.condition] + [c for a in data.agreements for c in a.conditions]
    if any(c.pk not in allowed for c in used):
        raise _refuse(_("Choose safety conditions from the current information form."), "unknown_condition")


def _write_version(plan: Plan, number: int, data: PlanData, by: User, *,
                   status: str = PlanStatus.DRAFT) -> PlanVersion:
    version = PlanVersion(
        plan=plan, number=number, status=status, language=data.language,
        concerns_answered=data.concerns_answered.strip(), professional_help=data.professional_help.strip(),
        monitor=data.monitor, convenor=data.convenor, evaluation_date=data.evaluation_date,
        keep_informed=data.keep_informed.strip(), when_not_kept=data.when_not_kept.strip(),
        created_by=by, created_at=timezone.now(), change_note=data.change_note.strip(),
    )
    version.full_clean()
    version.save()
    version.copy_recipients.set(data.copy_recipients)
    version.copy_professionals.set(data.copy_professionals)
    for order, item in enumerate(data.agreements, start=1):
        agreement = Agreement(version=version, order=order, who=item.who, what=item.what.strip(),
                              when=item.when.strip(), starts_on=item.starts_on, ends_on=item.ends_on)
        agreement.full_clean()
        agreement.save()
        agreement.conditions.set(item.conditions)
    for item in data.answers:
        answer = ConcernAnswer(version=version, condition=item.condition, text=item.text.strip())
        answer.full_clean()
        answer.save()
    return version


def plan_data_of(version: PlanVersion) -> PlanData:
    """The content of a version, to copy it into a new one."""
    return PlanData(
        language=version.language, concerns_answered=version.concerns_answered,
        professional_help=version.professional_help, monitor=version.monitor, convenor=version.convenor,
        evaluation_date=version.evaluation_date, keep_informed=version.keep_informed,
        when_not_kept=version.when_not_kept,
        copy_recipients=list(version.copy_recipients.all()),
        copy_professionals=list(version.copy_professionals.all()),
        agreements=[
            AgreementData(who=a.who, what=a.what, when=a.when, starts_on=a.starts_on, ends_on=a.ends_on,
                          conditions=tuple(a.conditions.all()))
            for a in version.agreements.select_related("who").prefetch_related("conditions")
        ],
        answers=[AnswerData(text=a.text, condition=a.condition) for a in version.answers.select_related("condition")],
    )


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).get(pk=case.pk)


@transaction.atomic
def plan_save_draft(*, case: Case, by: User, data: PlanData, based_on: int | None) -> PlanVersion:
    """Save the plan as the coordinator typed it: always a new version, in the family's own words.

    `based_on` is the version number the coordinator started from (None for the
    first); a save based on an older version is refused, nothing is overwritten.
    """
    case = _locked_case(case)
    _require_coordinator(by, case)
    if case.state not in DRAFT_STATES:
        raise _refuse(
            _("The plan can be written down once the conference is scheduled, and until it is presented."),
            "wrong_state",
        )
    plan, _created = Plan.objects.get_or_create(case=case)
    current = plan.current
    if (current.number if current else None) != based_on:
        raise _refuse(
            _("Someone else saved the plan while you were working on it (now version %(number)s). "
              "Nothing was overwritten. Open the plan again.") % {"number": current.number if current else 0},
            "stale",
        )
    if current is not None and current.status != PlanStatus.DRAFT:
        raise _refuse(_("The plan has been presented: it can only change after the decision."), "presented")
    _check_belongs(case, data)
    return _write_version(plan, (current.number if current else 0) + 1, data, by)


def presentation_problems(version: PlanVersion | None, *, today: date | None = None,
                          has_agreements: bool | None = None) -> list[str]:
    """Why this version cannot be presented yet; empty when it can.

    `has_agreements` is whether the version has agreements, when the caller already knows.
    """
    if version is None:
        return [_("There is no plan yet. Write the plan down first.")]
    today = today or timezone.localdate()
    problems = []
    if not (version.agreements.exists() if has_agreements is None else has_agreements):
        problems.append(_("Add at least one agreement: who does what, and when."))
    if version.monitor_id is None:
        problems.append(_("Choose who keeps an eye on the plan."))
    if version.convenor_id is None:
        problems.append(_("Choose who calls the circle together when the plan must change."))
    if version.evaluation_date is None:
        problems.append(_("Choose the evaluation date."))
    elif version.evaluation_date <= today:
        problems.append(_("The evaluation date must be in the future."))
    return problems


@transaction.atomic
def plan_present(*, case: Case, by: User) -> PlanVersion:
    """Part 3: the circle presents its plan. Locks the information form."""
    case = _locked_case(case)
    _require_coordinator(by, case)
    if case.state != State.HELD:
        raise _refuse(_("The plan can only be presented after the conference has taken place."), "wrong_state")
    version = current_version(case)
    if version is not None and version.status != PlanStatus.DRAFT:
        raise _refuse(_("This version of the plan has already been presented."), "presented")
    problems = presentation_problems(version)
    if problems:
        raise PlanRefused(problems, code="incomplete")
    version.status = PlanStatus.PRESENTED
    version.presented_at = timezone.now()
    version.full_clean()
    version.save(update_fields=["status", "presented_at"])
    information_form_lock(case)
    return version


def _presented_version(case: Case) -> PlanVersion:
    if case.state != State.HELD:
        raise _refuse(_("The plan can only be tested after the conference, while it waits for a decision."),
                      "wrong_state")
    version = current_version(case)
    if version is None or version.status != PlanStatus.PRESENTED:
        raise _refuse(_("The plan has not been presented yet."), "not_presented")
    return version


@transaction.atomic
def plan_test_condition(*, version: PlanVersion, condition: SafetyCondition, met: bool, reason: str,
                        by: User) -> ConditionTest:
    """The linked professional marks one safety condition met or not met, with a reason."""
    case = _locked_case(version.plan.case)
    if not is_professional_of_case(by, case):
        raise _refuse(_("Only a professional linked to this case can test the plan."), "not_allowed")
    current = _presented_version(case)
    if current.pk != version.pk:
        raise _refuse(_("Test the current version of the plan."), "old_version")
    if condition.pk not in {c.pk for c in current_conditions(case)}:
        raise _refuse(_("This safety condition is not on the information form of this case."),
                      "unknown_condition")
    reason = (reason or "").strip()
    if not reason:
        raise _refuse(_("Give a reason for each condition you test."), "reason_required")
    test = ConditionTest.objects.filter(version=version, condition=condition).first() or ConditionTest(
        version=version, condition=condition
    )
    test.met, test.reason, test.tested_by, test.tested_at = bool(met), reason, by, timezone.now()
    test.full_clean()
    test.save()
    return test


@transaction.atomic
def plan_test_conditions(*, version: PlanVersion, results: list[tuple[SafetyCondition, bool, str]],
                         by: User) -> list[ConditionTest]:
    """Several tests at once (the test page); all or nothing."""
    if not results:
        raise _refuse(_("Mark at least one condition met or not met."), "empty")
    return [plan_test_condition(version=version, condition=c, met=met, reason=reason, by=by)
            for c, met, reason in results]


def unmet_conditions(version: PlanVersion) -> list[tuple[SafetyCondition, ConditionTest | None]]:
    """The non-negotiable conditions of the current information form not tested as met."""
    tests = {t.condition_id: t for t in version.tests.all()}
    return unmet_among(current_conditions(version.plan.case), tests)


def unmet_among(conditions: list[SafetyCondition], tests: dict[int, ConditionTest]
                ) -> list[tuple[SafetyCondition, ConditionTest | None]]:
    """`unmet_conditions` from what is already read: the current conditions and the version's
    tests by condition id."""
    return [(c, tests.get(c.pk)) for c in conditions
            if c.non_negotiable and not (c.pk in tests and tests[c.pk].met)]


@transaction.atomic
def plan_decide(*, case: Case, by: User, accept: bool, reason: str = "") -> PlanVersion:
    """Accept the plan (only when every non-negotiable condition is met) or record that it is not."""
    case = _locked_case(case)
    if not (is_professional_of_case(by, case) or is_coordinator_of_case(by, case)):
        raise _refuse(_("Only the professional or the coordinator of this case can decide on the plan."),
                      "not_allowed")
    version = _presented_version(case)
    now = timezone.now()
    if accept:
        unmet = unmet_conditions(version)
        if unmet:
            condition, test = unmet[0]
            message = (_("The plan cannot be accepted: the condition “%(condition)s” is not met.") if test
                       else _("The plan cannot be accepted: the condition “%(condition)s” has not been "
                              "tested yet.")) % {"condition": condition.text}
            raise _refuse(message, "condition_not_met")
        version.status = PlanStatus.ACCEPTED
        case_transition(case=case, name="accept_plan", by=by)
    else:
        reason = (reason or "").strip()
        if not reason:
            raise _refuse(_("Say why the plan is not accepted."), "reason_required")
        version.status = PlanStatus.NOT_ACCEPTED
        version.decision_reason = reason
        case_transition(case=case, name="reject_plan", by=by, reason=reason)
    version.decided_at = now
    version.full_clean()
    version.save(update_fields=["status", "decided_at", "decision_reason"])
    if accept:
        # The first months decide whether the plan lands: schedule the follow-up now.
        from kring.followup.services import (
            followup_schedule_create,  # local: avoids an import cycle
        )

        followup_schedule_create(case)
    return version


@transaction.atomic
def plan_revise(*, case: Case, by: User, change_note: str = "") -> PlanVersion:
    """The plan was not accepted: the circle revises it. A new draft version, copied from the last."""
    case = _locked_case(case)
    _require_coordinator(by, case)
    if case.state != State.PLAN_NOT_ACCEPTED:
        raise _refuse(_("The plan can only be revised when it was not accepted."), "wrong_state")
    last = current_version(case)
    if last is None:
        raise _refuse(_("There is no plan yet. Write the plan down first."), "no_plan")
    data = plan_data_of(last)
    data.change_note = change_note.strip() or _("Revision after the plan was not accepted")
    version = _write_version(last.plan, last.number + 1, data, by)
    case_transition(case=case, name="revise_plan", by=by)
    return version


# --- distribution -------------------------------------------------------------------------


def reader_language(code: str | None) -> str:
    """The interface language for a reader: theirs when Kring speaks it, else Dutch."""
    from django.conf import settings

    codes = [c for c, _name in settings.LANGUAGES]
    return code if code in codes else settings.LANGUAGE_CODE


def copy_recipients(version: PlanVersion) -> list[dict[str, Any]]:
    """Everyone the family chose to receive a copy who has an e-mail address, once per address."""
    seen: set[str] = set()
    out = []
    for member in version.copy_recipients.order_by("name", "pk"):
        email = member.email.strip().lower()
        if email and email not in seen:
            seen.add(email)
            out.append({"member": member, "professional": None, "email": email,
                        "language": reader_language(member.language)})
    for professional in version.copy_professionals.order_by("name", "pk"):
        email = professional.email.strip().lower()
        if email and email not in seen:
            seen.add(email)
            out.append({"member": None, "professional": professional, "email": email,
                        "language": reader_language(None)})
    return out


@transaction.atomic
def plan_distribute(*, version: PlanVersion, by: User) -> list[Distribution]:
    """Queue the accepted plan for every copy recipient; the worker sends it, once per address."""
    from .tasks import send_plan_copies

    case = _locked_case(version.plan.case)
    _require_coordinator(by, case)
    if version.status != PlanStatus.ACCEPTED:
        raise _refuse(_("Only an accepted plan is sent to the people who may receive a copy."),
                      "not_accepted")
    recipients = copy_recipients(version)
    if not recipients:
        raise _refuse(_("Nobody with an e-mail address may receive a copy of this plan."), "no_recipients")
    already = set(Distribution.objects.filter(version=version).values_list("email", flat=True))
    queued = []
    for recipient in recipients:
        if recipient["email"] in already:
            continue
        row = Distribution(version=version, **recipient)
        row.full_clean(validate_constraints=False)
        row.save()
        queued.append(row)
    if queued:
        send_plan_copies.enqueue(version_id=version.pk)
    return queued
