"""Workflows of the follow-up: the schedule, check-ins, evaluation, reconvening, outcomes.

Each function takes keyword arguments, runs in one transaction, checks who is
acting and refuses with a clear, translated `FollowupRefused` without changing
anything. Views and API operations call exactly one of them.
"""

from __future__ import annotations

import calendar
import difflib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kring.accounts.models import User
from kring.cases.models import Case, State
from kring.cases.prepared import PreparedValues
from kring.cases.rules import can, is_coordinator_of_case
from kring.conferences.models import Channel, Conference, Invitation, Response, new_nonce
from kring.conferences.services import link_valid_until
from kring.core import links
from kring.network.models import CircleMember
from kring.plans.models import Agreement, ConcernAnswer, PlanStatus, PlanVersion
from kring.plans.services import PlanData, PlanRefused, plan_data_of, plan_distribute

from . import conf
from .models import (
    TASK_KINDS,
    CheckIn,
    CheckInAnswer,
    CheckInSharingConsent,
    Evaluation,
    EvaluationItem,
    Outcome,
    Rating,
    Reminder,
    ReminderKind,
    ReminderStatus,
)

#: States in which the plan runs and is followed up.
FOLLOWUP_STATES = frozenset({State.PLAN_ACCEPTED, State.FOLLOW_UP})
#: Defaults of the schedule (DOMAIN §3, issue 4).
MEMBER_WEEKS = (1, 2, 4, 8)  # monitor and convenor
CHECK_IN_WEEKS = (2, 4, 8)  # everyone else with an agreement
CALL_WEEKS = 4  # the coordinator's follow-up call
FEEDBACK_WEEKS = 6  # the regional manager asks the professional
EVALUATION_DAYS_BEFORE = 7
OUTCOME_MONTHS = (3, 6, 12)
SEND_HOUR = 10
STAFF_HOUR = 9
#: Kinds made by `followup_schedule_create` (to make it idempotent).
SCHEDULE_KINDS = frozenset({ReminderKind.MONITOR, ReminderKind.CONVENOR, ReminderKind.CHECK_IN,
                            ReminderKind.EVALUATION, ReminderKind.COORDINATOR_CALL, ReminderKind.FEEDBACK,
                            ReminderKind.OUTCOME})
#: Reminders that carry a check-in link.
LINK_KINDS = frozenset({ReminderKind.MONITOR, ReminderKind.CONVENOR, ReminderKind.CHECK_IN,
                        ReminderKind.ALERT})
#: Reminders due longer ago than this when the schedule is made are not sent (a plan entered late).
PAST_GRACE = timedelta(days=1)
CHECK_IN_LINK = "check_in"
RECONVENE_LINK = "reconvene"
CHECK_IN_VALID_DAYS = 28
#: "Not going well" answers count when they are this recent.
NOT_WINDOW = timedelta(days=28)
#: At most one alert to the convenor in this time.
ALERT_PAUSE = timedelta(days=14)


class FollowupRefused(ValidationError):
    """A follow-up step that is not possible; nothing was changed."""


def _refuse(message: str, code: str) -> FollowupRefused:
    return FollowupRefused(message, code=code)


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).get(pk=case.pk)


def current_version(case: Case) -> PlanVersion | None:
    return (PlanVersion.objects.filter(plan__case=case).select_related("monitor", "convenor")
            .order_by("-number").first())


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_default_timezone())


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reachable(member: CircleMember | None) -> bool:
    return bool(member and (member.email or member.phone))


def conference_day(case: Case) -> date:
    """The day of the conference (held), or of the acceptance when that is all we know."""
    held = (Conference.objects.filter(case=case, held_at__isnull=False).order_by("held_at").first())
    moment = (held.starts_at if held else None) or case.held_at or case.plan_accepted_at or timezone.now()
    return timezone.localdate(moment)


# --- the schedule ---------------------------------------------------------------------------


def _evaluation_reminders(case: Case, version: PlanVersion, now: datetime) -> list[Reminder]:
    if version.evaluation_date is None:
        return []
    due = at(version.evaluation_date - timedelta(days=EVALUATION_DAYS_BEFORE), SEND_HOUR)
    if due < now:
        due = now
    if due.date() > version.evaluation_date:
        return []
    return [Reminder(case=case, kind=ReminderKind.EVALUATION, member=m, due_at=due)
            for m in everyone(case, version)]


def everyone(case: Case, version: PlanVersion) -> list[CircleMember]:
    """Everyone who carries the plan and can be reached: monitor, convenor, who has an agreement, who came."""
    ids = {version.monitor_id, version.convenor_id}
    ids |= set(version.agreements.values_list("who_id", flat=True))
    members = CircleMember.objects.filter(case=case).filter(Q(pk__in=ids - {None}) | Q(
        status__in=("attended", "agreement"))).order_by("name", "pk")
    return [m for m in members if reachable(m)]


def unreachable(case: Case) -> list[CircleMember]:
    """People who carry the plan but have no e-mail address or phone number: they get no reminders."""
    version = current_version(case)
    if version is None:
        return []
    return unreachable_among(version, current_agreements(version))


#: What the follow-up reads of a circle member who carries the plan: the name, and whether they can be reached.
CARRIER_FIELDS = ("name", "email", "phone")


def current_version_of_carriers(case: Case) -> PlanVersion | None:
    """The current version with only who keeps an eye on it and who calls the circle together
    (their name, e-mail address and phone number): what the follow-up page needs of it."""
    return (PlanVersion.objects.filter(plan__case=case).select_related("monitor", "convenor")
            .only("plan", *(f"{who}__{name}" for who in ("monitor", "convenor") for name in CARRIER_FIELDS))
            .order_by("-number").first())


def current_agreements(version: PlanVersion) -> list[Agreement]:
    """The agreements of a version with who keeps them (name, e-mail, phone), in the plan's order
    (one query)."""
    return list(version.agreements.select_related("who")
                .only("version", "order", "what", *(f"who__{name}" for name in CARRIER_FIELDS))
                .order_by("order", "pk"))


def unreachable_among(version: PlanVersion, agreements: list[Agreement]) -> list[CircleMember]:
    """`unreachable` from what is already read: the version (with its monitor and convenor)
    and its agreements (with `who`). By name, as the database orders them (code point order)."""
    carriers = {m.pk: m for m in (version.monitor, version.convenor, *(a.who for a in agreements))
                if m is not None}
    return sorted((m for m in carriers.values() if not reachable(m)), key=lambda m: (m.name, m.pk))


def _feedback_professional(case: Case) -> User | None:
    if case.referred_by_id:
        return case.referred_by
    linked = case.professionals.filter(user__isnull=False).select_related("user").first()
    return linked.user if linked else None


@transaction.atomic
def followup_schedule_create(case: Case) -> list[Reminder]:
    """Make the follow-up schedule of a case whose plan was just accepted; idempotent.

    Call it right after `plan_decide(accept=True)`. Makes the reminders to the
    monitor and the convenor (1, 2, 4, 8 weeks), the check-ins of everyone else
    with an agreement (2, 4, 8 weeks), the reminder to everyone a week before the
    evaluation, the coordinator's follow-up call (4 weeks after the conference),
    the feedback request to the professional (6 weeks) and the outcomes at 3, 6
    and 12 months with a prompt for the coordinator.
    """
    case = _locked_case(case)
    if case.reminders.filter(kind__in=SCHEDULE_KINDS).exists():
        return []
    version = current_version(case)
    if version is None or version.status != PlanStatus.ACCEPTED:
        raise _refuse(_("The follow-up starts when the plan is accepted."), "not_accepted")
    now = timezone.now()
    start = timezone.localdate(case.plan_accepted_at or now)
    held = conference_day(case)
    rows: list[Reminder] = []
    monitor, convenor = version.monitor, version.convenor
    for weeks in MEMBER_WEEKS:
        due = at(start + timedelta(weeks=weeks), SEND_HOUR)
        if reachable(monitor):
            rows.append(Reminder(case=case, kind=ReminderKind.MONITOR, member=monitor, due_at=due))
        if reachable(convenor) and convenor != monitor:
            rows.append(Reminder(case=case, kind=ReminderKind.CONVENOR, member=convenor, due_at=due))
    holders = (CircleMember.objects.filter(agreements__version=version).exclude(
        pk__in=[m.pk for m in (monitor, convenor) if m]).distinct().order_by("name", "pk"))
    for member in holders:
        if reachable(member):
            rows += [Reminder(case=case, kind=ReminderKind.CHECK_IN, member=member,
                              due_at=at(start + timedelta(weeks=w), SEND_HOUR)) for w in CHECK_IN_WEEKS]
    rows += _evaluation_reminders(case, version, now)
    if case.coordinator_id:
        rows.append(Reminder(case=case, kind=ReminderKind.COORDINATOR_CALL, user_id=case.coordinator_id,
                             due_at=at(held + timedelta(weeks=CALL_WEEKS), STAFF_HOUR)))
    professional = _feedback_professional(case)
    if professional is not None:
        rows.append(Reminder(case=case, kind=ReminderKind.FEEDBACK, user=professional,
                             due_at=at(held + timedelta(weeks=FEEDBACK_WEEKS), STAFF_HOUR)))
    for months in OUTCOME_MONTHS:
        due_on = add_months(held, months)
        Outcome.objects.get_or_create(case=case, months=months, defaults={"due_on": due_on})
        if case.coordinator_id:
            rows.append(Reminder(case=case, kind=ReminderKind.OUTCOME, user_id=case.coordinator_id,
                                 due_at=at(due_on, STAFF_HOUR), note=str(months)))
    for row in rows:  # a plan entered late: no flood of old reminders, but they show on the schedule
        if row.due_at < now - PAST_GRACE:
            row.status, row.last_error = ReminderStatus.CANCELLED, "already past when the schedule was made"
    return Reminder.objects.bulk_create(rows)


def _require_change(by: User, case: Case) -> None:
    if not can(by, "change", case):
        raise _refuse(_("Only the coordinator or the regional manager can change the follow-up."),
                      "not_allowed")


@transaction.atomic
def reminder_change(*, reminder: Reminder, by: User, due_at: datetime | None = None,
                    cancel: bool = False) -> Reminder:
    """Move a scheduled reminder to another moment, or cancel it."""
    case = _locked_case(reminder.case)
    _require_change(by, case)
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.status != ReminderStatus.SCHEDULED:
        raise _refuse(_("Only a reminder that has not been sent yet can be changed."), "not_scheduled")
    if cancel:
        reminder.status = ReminderStatus.CANCELLED
    elif due_at is not None:
        if due_at < timezone.now():
            raise _refuse(_("Choose a moment in the future."), "past")
        reminder.due_at, reminder.next_attempt_at = due_at, None
    reminder.save(update_fields=["status", "due_at", "next_attempt_at"])
    return reminder


@transaction.atomic
def reminder_retry(*, reminder: Reminder, by: User) -> Reminder:
    """The regional manager sends a failed reminder again (after fixing the address)."""
    case = _locked_case(reminder.case)
    if not can(by, "assign", case):
        raise _refuse(_("Only the regional manager can send a failed reminder again."), "not_allowed")
    updated = Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.FAILED).update(
        status=ReminderStatus.SCHEDULED, attempts=0, next_attempt_at=None, claimed_at=None, claim_token="",
        due_at=timezone.now())
    if not updated:
        raise _refuse(_("This reminder is not failing (any more)."), "not_failed")
    return Reminder.objects.get(pk=reminder.pk)


@transaction.atomic
def task_done(*, reminder: Reminder, by: User) -> Reminder:
    """The coordinator ticks a task off their list (the follow-up call, an outcome)."""
    if reminder.kind not in TASK_KINDS or reminder.user_id != by.pk:
        raise _refuse(_("This is not a task on your list."), "not_yours")
    updated = Reminder.objects.filter(pk=reminder.pk, done_at__isnull=True).update(
        status=ReminderStatus.DONE, done_at=timezone.now(), done_by=by)
    if not updated:
        raise _refuse(_("This task is already done."), "done")
    return Reminder.objects.get(pk=reminder.pk)


def open_tasks(user: User):
    """The coordinator's tasks that are due and not done, oldest first."""
    return (Reminder.objects.filter(user=user, kind__in=TASK_KINDS, done_at__isnull=True,
                                    due_at__lte=timezone.now())
            .exclude(status=ReminderStatus.CANCELLED).exclude(case__state__in=(State.CLOSED,))
            .select_related("case").order_by("due_at", "pk"))


# --- check-ins -------------------------------------------------------------------------------


def check_in_for_reminder(reminder: Reminder) -> CheckIn | None:
    """The check-in a reminder's link opens: made once per reminder (also when sent again).

    Making a new one switches off the member's older links that were not answered.
    """
    existing = CheckIn.objects.filter(reminder=reminder).first()
    if existing is not None:
        return existing
    version = current_version(reminder.case)
    if version is None:
        return None
    with transaction.atomic():
        CheckIn.objects.filter(member_id=reminder.member_id, answered_at__isnull=True).update(nonce="")
        return CheckIn.objects.create(
            case_id=reminder.case_id, member_id=reminder.member_id, plan_version=version, reminder=reminder,
            nonce=new_nonce(), expires_at=links.end_of_day(timezone.localdate(), days_after=CHECK_IN_VALID_DAYS))


def may_check_in(member: CircleMember, case: Case | None = None) -> bool:
    """Whether the circle member has something to rate now: the plan is followed up and they
    keep an eye on it or have an agreement in the current version."""
    case = case or member.case
    if case.state not in FOLLOWUP_STATES:
        return False
    version = current_version(case)
    if version is None or version.status != PlanStatus.ACCEPTED:
        return False
    return version.monitor_id == member.pk or version.agreements.filter(who=member).exists()


def check_in_for_member(member: CircleMember) -> CheckIn | None:
    """A check-in the circle member starts from their own page (issue 5), without a reminder.

    Their newest open check-in on the current plan when there is one (pressing the
    button twice makes no second row); else a new one, which, like a reminder's,
    switches off their older links that were not answered. None when there is
    nothing to rate (`may_check_in`).
    """
    with transaction.atomic():
        case = _locked_case(member.case)
        if not may_check_in(member, case):
            return None
        version = current_version(case)
        now = timezone.now()
        open_one = (CheckIn.objects.filter(member=member, plan_version=version, answered_at__isnull=True,
                                           expires_at__gt=now).exclude(nonce="").order_by("-created_at", "-pk")
                    .first())
        if open_one is not None:
            return open_one
        CheckIn.objects.filter(member=member, answered_at__isnull=True).update(nonce="")
        return CheckIn.objects.create(
            case_id=member.case_id, member=member, plan_version=version, nonce=new_nonce(),
            expires_at=links.end_of_day(timezone.localdate(), days_after=CHECK_IN_VALID_DAYS))


def check_in_token(check_in: CheckIn) -> str:
    return links.make_token(CHECK_IN_LINK, expires_at=check_in.expires_at, check_in=check_in.pk,
                            member=check_in.member_id, nonce=check_in.nonce)


def check_in_url(check_in: CheckIn) -> str:
    return links.absolute_url("check_in", check_in_token(check_in))


class CaseNotFollowedUp(links.LinkExpired):
    code = "closed"
    title = gettext_lazy("The plan is no longer followed up")
    message = gettext_lazy("This case has been closed. If you have questions, contact the coordinator.")


def check_in_from_token(token: str) -> CheckIn:
    """The check-in a personal link is for, or a `kring.core.links.LinkError`."""
    ids = links.read_token(CHECK_IN_LINK, token)
    if not isinstance(ids.get("check_in"), int):
        raise links.LinkInvalid("no check-in id")
    check_in = (CheckIn.objects.select_related("case", "member", "plan_version__monitor",
                                               "plan_version__convenor")
                .filter(pk=ids["check_in"]).first())
    if check_in is None:
        raise links.LinkInvalid("no such check-in")
    links.check_ids(ids, check_in=check_in.pk, member=check_in.member_id)
    links.check_nonce(ids, check_in.nonce)
    if check_in.expires_at is not None and check_in.expires_at <= timezone.now():
        raise links.LinkExpired("past the check-in's end")
    if check_in.case.state not in FOLLOWUP_STATES:
        raise CaseNotFollowedUp("case not in follow-up")
    return check_in


def agreements_for(check_in: CheckIn) -> list[Agreement]:
    """The monitor rates every agreement; everyone else their own."""
    agreements = check_in.plan_version.agreements.select_related("who").order_by("order", "pk")
    if check_in.member_id != check_in.plan_version.monitor_id:
        agreements = agreements.filter(who_id=check_in.member_id)
    return list(agreements)


def is_convenor(check_in: CheckIn) -> bool:
    version = current_version(check_in.case)
    return version is not None and version.convenor_id == check_in.member_id


@dataclass(frozen=True)
class AnswerData:
    agreement_id: int
    rating: str
    comment: str = ""


@transaction.atomic
def check_in_answer(*, token: str, answers: list[AnswerData]) -> CheckIn:
    """A circle member rates their agreements through their personal link (again, to change it)."""
    check_in = check_in_from_token(token)
    check_in = CheckIn.objects.select_for_update().get(pk=check_in.pk)
    allowed = {a.pk for a in agreements_for(check_in)}
    given = {a.agreement_id: a for a in answers}
    if set(given) != allowed:
        raise _refuse(_("Say for each agreement how it is going."), "incomplete")
    if any(a.rating not in Rating.values for a in answers):
        raise _refuse(_("Choose one of the answers."), "invalid_choice")
    for answer in given.values():
        CheckInAnswer.objects.update_or_create(
            check_in=check_in, agreement_id=answer.agreement_id,
            defaults={"rating": answer.rating, "comment": (answer.comment or "").strip()[:2000]})
    check_in.answered_at = timezone.now()
    check_in.save(update_fields=["answered_at"])
    alert_if_needed(check_in.case)
    return check_in


def not_going_well(case: Case, now: datetime | None = None) -> list[CheckInAnswer]:
    """The latest answer of each person on each agreement of the current plan, where it is "not"."""
    now = now or timezone.now()
    version = current_version(case)
    if version is None:
        return []
    answers = (CheckInAnswer.objects.filter(check_in__case=case, agreement__version=version,
                                            check_in__answered_at__gte=now - NOT_WINDOW)
               .select_related("check_in", "agreement"))
    return not_going_well_among(case, list(answers), now)


def not_going_well_among(case: Case, answers: list[CheckInAnswer], now: datetime) -> list[CheckInAnswer]:
    """`not_going_well` from answers already read (with their check-in) on the current plan's
    agreements: those of this case answered within `NOT_WINDOW`, the latest per person and agreement."""
    since = now - NOT_WINDOW
    recent = sorted((a for a in answers if a.check_in.case_id == case.pk and a.check_in.answered_at is not None
                     and a.check_in.answered_at >= since),
                    key=lambda a: (a.check_in.answered_at, a.pk))
    latest: dict[tuple[int, int], CheckInAnswer] = {}
    for answer in recent:
        latest[(answer.check_in.member_id, answer.agreement_id)] = answer
    return [a for a in latest.values() if a.rating == Rating.NOT]


def alert_if_needed(case: Case) -> Reminder | None:
    """Alert the convenor when "not going well" answers reach `FOLLOWUP_NOT_THRESHOLD`."""
    version = current_version(case)
    if version is None or not reachable(version.convenor):
        return None
    if len(not_going_well(case)) < conf.not_threshold():
        return None
    now = timezone.now()
    if case.reminders.filter(kind=ReminderKind.ALERT, created_at__gte=now - ALERT_PAUSE).exists():
        return None
    return Reminder.objects.create(case=case, kind=ReminderKind.ALERT, member=version.convenor, due_at=now,
                                   note=_("%(count)s agreements not going well")
                                   % {"count": len(not_going_well(case))})


def check_in_summary(case: Case) -> list[dict]:
    """Per agreement of the current plan: how many said well / partly / not, and the comments."""
    version = current_version(case)
    if version is None:
        return []
    agreements = current_agreements(version)
    return summarise_check_ins(agreements, answers_on(agreements))


def answers_on(agreements: list[Agreement]) -> list[CheckInAnswer]:
    """Every answered check-in answer on these agreements, newest first, with the check-in and
    its member (one query, not one per agreement)."""
    if not agreements:
        return []
    return list(CheckInAnswer.objects.filter(agreement__in=[a.pk for a in agreements],
                                             check_in__answered_at__isnull=False)
                .select_related("check_in__member")
                .only("agreement", "rating", "comment", "check_in__case", "check_in__answered_at",
                      "check_in__member__name")
                .order_by("-check_in__answered_at"))


def summarise_check_ins(agreements: list[Agreement], answers: list[CheckInAnswer]) -> list[dict]:
    """`check_in_summary` from what is already read (`current_agreements`, `answers_on`)."""
    by_agreement: dict[int, list[CheckInAnswer]] = {a.pk: [] for a in agreements}
    for answer in answers:
        by_agreement[answer.agreement_id].append(answer)
    return [{"agreement": agreement,
             "counts": {r: sum(1 for a in by_agreement[agreement.pk] if a.rating == r) for r in Rating.values},
             "answers": by_agreement[agreement.pk]}
            for agreement in agreements]


def may_see_check_ins(user: User, case: Case) -> bool:
    """Coordinator and regional manager always; the professional only when the family allowed it."""
    from kring.plans.access import COORDINATOR, MANAGER, PROFESSIONAL, relation_of

    from .models import sharing_allowed

    relations = relation_of(user, case)
    if relations & {COORDINATOR, MANAGER}:
        return True
    return PROFESSIONAL in relations and sharing_allowed(case)


def sharing_record(*, case: Case, allowed: bool, recorded_by_label: str) -> CheckInSharingConsent:
    """Record the family's decision (the family portal calls this)."""
    return CheckInSharingConsent.objects.create(case=case, allowed=allowed,
                                                recorded_by_label=recorded_by_label[:200])


# --- evaluation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationItemData:
    agreement_id: int
    rating: str
    note: str = ""
    keep: bool = True


def _write_version(plan, number: int, data: PlanData, by: User) -> PlanVersion:
    """A new accepted version with the content of `data` (the plan after an evaluation)."""
    now = timezone.now()
    version = PlanVersion(
        plan=plan, number=number, status=PlanStatus.ACCEPTED, language=data.language,
        concerns_answered=data.concerns_answered, professional_help=data.professional_help,
        monitor=data.monitor, convenor=data.convenor, evaluation_date=data.evaluation_date,
        keep_informed=data.keep_informed, when_not_kept=data.when_not_kept, created_by=by, created_at=now,
        decided_at=now, change_note=data.change_note.strip())
    version.full_clean()
    version.save()
    version.copy_recipients.set(data.copy_recipients)
    version.copy_professionals.set(data.copy_professionals)
    for order, item in enumerate(data.agreements, start=1):
        agreement = Agreement.objects.create(version=version, order=order, who=item.who, what=item.what,
                                             when=item.when, starts_on=item.starts_on, ends_on=item.ends_on)
        agreement.conditions.set(item.conditions)
    ConcernAnswer.objects.bulk_create([ConcernAnswer(version=version, condition=a.condition, text=a.text)
                                       for a in data.answers])
    return version


@transaction.atomic
def evaluation_record(*, case: Case, by: User, held_on: date, attendees: list[CircleMember],
                      items: list[EvaluationItemData], changes: str = "",
                      next_evaluation_date: date | None = None) -> Evaluation:
    """Record the circle's evaluation; it makes a new plan version that goes to the copy recipients.

    Agreements marked `keep=False` are not in the new version. The reminders
    before the evaluation move to the next evaluation date.
    """
    case = _locked_case(case)
    if not is_coordinator_of_case(by, case):
        raise _refuse(_("Only the coordinator of this case can record the evaluation."), "not_allowed")
    if case.state not in FOLLOWUP_STATES:
        raise _refuse(_("An evaluation can be recorded while the plan is being followed up."), "wrong_state")
    version = current_version(case)
    if version is None or version.status != PlanStatus.ACCEPTED:
        raise _refuse(_("There is no accepted plan to evaluate."), "no_plan")
    today = timezone.localdate()
    if held_on > today:
        raise _refuse(_("The evaluation date cannot be in the future."), "future")
    if next_evaluation_date is not None and next_evaluation_date <= today:
        raise _refuse(_("The next evaluation date must be in the future."), "past")
    agreements = {a.pk: a for a in version.agreements.select_related("who").prefetch_related("conditions")}
    given = {i.agreement_id: i for i in items}
    if set(given) != set(agreements):
        raise _refuse(_("Say for each agreement how it went."), "incomplete")
    if any(i.rating not in Rating.values for i in items):
        raise _refuse(_("Choose one of the answers."), "invalid_choice")
    if any(m.case_id != case.pk for m in attendees):
        raise _refuse(_("This person is not in the circle of this case."), "not_in_circle")

    data = plan_data_of(version)
    in_order = list(version.agreements.order_by("order", "pk").values_list("pk", flat=True))  # as plan_data_of
    data.agreements = [a for a, pk in zip(data.agreements, in_order, strict=True) if given[pk].keep]
    data.evaluation_date = next_evaluation_date
    data.change_note = (changes.strip() or _("Evaluation of %(date)s") % {"date": held_on.isoformat()})
    new_version = _write_version(version.plan, version.number + 1, data, by)
    evaluation = Evaluation.objects.create(case=case, held_on=held_on, changes=changes.strip(),
                                           plan_version=new_version, recorded_by=by)
    evaluation.attendees.set(attendees)
    EvaluationItem.objects.bulk_create([
        EvaluationItem(evaluation=evaluation, agreement=agreements[pk], rating=given[pk].rating,
                       note=given[pk].note.strip()) for pk in sorted(agreements)])
    Reminder.objects.filter(case=case, kind=ReminderKind.EVALUATION, status=ReminderStatus.SCHEDULED).update(
        status=ReminderStatus.CANCELLED, last_error=_("evaluation held"))
    Reminder.objects.bulk_create(_evaluation_reminders(case, new_version, timezone.now()))
    try:
        plan_distribute(version=new_version, by=by)
    except PlanRefused as exc:
        if getattr(exc, "code", "") != "no_recipients":
            raise
    return evaluation


# --- reconvening -----------------------------------------------------------------------------


def reconvene_token(invitation: Invitation) -> str:
    return links.make_token(RECONVENE_LINK, expires_at=invitation.expires_at, invitation=invitation.pk,
                            member=invitation.member_id, nonce=invitation.nonce)


def reconvene_url(invitation: Invitation) -> str:
    return links.absolute_url("reconvene_answer", reconvene_token(invitation))


@transaction.atomic
def reconvene(*, case: Case, starts_at: datetime, venue: str, address: str = "", by: User | None = None,
              convenor: CircleMember | None = None) -> Conference:
    """Call the circle together again: a new meeting, and an invitation to everyone who carries the plan.

    Called by the coordinator (`by`) or by the convenor through their check-in
    link (`convenor`). The invitations are `kring.conferences` invitations with
    their own personal link; the worker sends them (e-mail with a calendar
    file, or a text message) as reminders of kind `reconvene`.
    """
    case = _locked_case(case)
    version = current_version(case)
    if by is not None and not is_coordinator_of_case(by, case):
        raise _refuse(_("Only the coordinator or the person who calls the circle together can do this."),
                      "not_allowed")
    if by is None and (convenor is None or version is None or version.convenor_id != convenor.pk):
        raise _refuse(_("Only the coordinator or the person who calls the circle together can do this."),
                      "not_allowed")
    if case.state not in FOLLOWUP_STATES or version is None:
        raise _refuse(_("The circle can be called together again while the plan is being followed up."),
                      "wrong_state")
    now = timezone.now()
    venue = (venue or "").strip()
    if starts_at <= now:
        raise _refuse(_("Choose a moment in the future."), "past")
    if not venue:
        raise _refuse(_("Say where the circle meets."), "no_venue")
    if Conference.objects.filter(case=case, held_at__isnull=True, starts_at__gt=now).exists():
        raise _refuse(_("The circle has already been called together. The coordinator can change the "
                        "date."), "already")
    who = convenor.name if convenor else by.display_name
    conference = Conference.objects.create(case=case, starts_at=starts_at, venue=venue,
                                           address=(address or "").strip(),
                                           notes=_("Called together again by %(name)s") % {"name": who})
    expires_at = link_valid_until(conference)
    members = everyone(case, version)
    for member in members:
        channel = Channel.EMAIL if member.email else Channel.SMS
        invitation = Invitation.objects.create(conference=conference, member=member, channels=[channel],
                                               nonce=new_nonce(), expires_at=expires_at, sent_by=by)
        Reminder.objects.create(case=case, kind=ReminderKind.RECONVENE, member=member, invitation=invitation,
                                due_at=now)
    if case.coordinator_id and convenor is not None:
        Reminder.objects.create(case=case, kind=ReminderKind.COORDINATOR_CALL, user_id=case.coordinator_id,
                                due_at=now, note=_("The circle meets again on %(date)s")
                                % {"date": timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M")})
    return conference


class MeetingHeld(links.LinkExpired):
    code = "held"
    title = gettext_lazy("This meeting has already taken place")
    message = gettext_lazy("You can no longer answer this invitation. If you have questions, contact the "
                           "coordinator.")


def reconvene_from_token(token: str, *, for_update: bool = False) -> Invitation:
    ids = links.read_token(RECONVENE_LINK, token)
    if not isinstance(ids.get("invitation"), int):
        raise links.LinkInvalid("no invitation id")
    qs = Invitation.objects.select_related("conference__case", "member")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(pk=ids["invitation"]).first()
    if invitation is None:
        raise links.LinkInvalid("no such invitation")
    links.check_ids(ids, invitation=invitation.pk, member=invitation.member_id)
    links.check_nonce(ids, invitation.nonce)
    if invitation.expires_at <= timezone.now():
        raise links.LinkExpired("past the invitation's end")
    if invitation.conference.case.state not in FOLLOWUP_STATES:
        raise CaseNotFollowedUp("case closed")
    if invitation.conference.is_held:
        raise MeetingHeld("meeting held")
    return invitation


@transaction.atomic
def reconvene_answer(*, token: str, answer: str) -> Invitation:
    if answer not in (Response.CONFIRMED, Response.REMOTE, Response.DECLINED):
        raise _refuse(_("Choose one of the answers."), "invalid_choice")
    invitation = reconvene_from_token(token, for_update=True)
    invitation.response, invitation.responded_at = answer, timezone.now()
    invitation.save(update_fields=["response", "responded_at"])
    return invitation


# --- outcomes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeData:
    plan_running: str
    child_lives: str
    professional_help: str
    family_satisfaction: int
    professional_satisfaction: int


@transaction.atomic
def outcome_record(*, case: Case, months: int, by: User, data: OutcomeData) -> Outcome:
    """The coordinator records what became of the plan 3, 6 or 12 months after the conference."""
    case = _locked_case(case)
    if not is_coordinator_of_case(by, case):
        raise _refuse(_("Only the coordinator of this case can record an outcome."), "not_allowed")
    outcome = Outcome.objects.select_for_update().filter(case=case, months=months).first()
    if outcome is None:
        raise _refuse(_("There is no outcome to record for this moment."), "no_outcome")
    if outcome.due_on > timezone.localdate():
        raise _refuse(_("This outcome can be recorded from %(date)s.") % {"date": outcome.due_on.isoformat()},
                      "not_due")
    for name in ("plan_running", "child_lives", "professional_help", "family_satisfaction",
                 "professional_satisfaction"):
        setattr(outcome, name, getattr(data, name))
    outcome.recorded_at, outcome.recorded_by = timezone.now(), by
    outcome.full_clean()
    outcome.save()
    Reminder.objects.filter(case=case, kind=ReminderKind.OUTCOME, note=str(months), done_at__isnull=True).update(
        status=ReminderStatus.DONE, done_at=timezone.now(), done_by=by)
    return outcome


def outcomes_due(user: User):
    return (Outcome.objects.filter(case__coordinator=user, recorded_at__isnull=True,
                                   due_on__lte=timezone.localdate())
            .exclude(case__state=State.CLOSED).select_related("case").order_by("due_on"))


# --- plan versions ---------------------------------------------------------------------------


def version_text(version: PlanVersion) -> list[str]:
    """A version as plain lines, always in the same order, for comparing two versions."""

    def name(member):
        return member.name if member else "-"

    lines = [
        _("Questions and worries the plan answers") + ":", *version.concerns_answered.splitlines(), "",
        _("Agreements") + ":",
    ]
    for agreement in version.agreements.select_related("who").order_by("order", "pk"):
        period = ""
        if agreement.starts_on or agreement.ends_on:
            period = f" [{agreement.starts_on or ''} – {agreement.ends_on or ''}]"
        lines.append(f"- {agreement.who.name}: {' '.join(agreement.what.split())} ({agreement.when}){period}")
    lines += [
        "", _("Help the family asks from professionals") + ":", *version.professional_help.splitlines(), "",
        _("Keeps an eye on the plan") + f": {name(version.monitor)}",
        _("Calls the circle together") + f": {name(version.convenor)}",
        _("Evaluation date") + f": {version.evaluation_date or '-'}",
        _("How we keep each other informed") + ":", *version.keep_informed.splitlines(),
        _("What we do when an agreement is not kept") + ":", *version.when_not_kept.splitlines(),
        _("May receive a copy") + ": " + ", ".join(m.name for m in version.copy_recipients.order_by("name")),
    ]
    return [line.rstrip() for line in lines]


def version_diff(old: PlanVersion, new: PlanVersion) -> list[dict]:
    """Side by side: rows of (left line, right line, kind) with kind equal/changed/removed/added."""
    a, b = version_text(old), version_text(new)
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [{"left": a[i], "right": b[j1 + k], "kind": "equal"} for k, i in enumerate(range(i1, i2))]
        elif tag == "replace":
            for k in range(max(i2 - i1, j2 - j1)):
                left = a[i1 + k] if i1 + k < i2 else None
                right = b[j1 + k] if j1 + k < j2 else None
                kind = "changed" if left is not None and right is not None else (
                    "removed" if right is None else "added")
                rows.append({"left": left, "right": right, "kind": kind})
        elif tag == "delete":
            rows += [{"left": a[i], "right": None, "kind": "removed"} for i in range(i1, i2)]
        else:
            rows += [{"left": None, "right": b[j], "kind": "added"} for j in range(j1, j2)]
    return rows



# --- what the follow-up page lists, compiled once ------------------------------------------


@dataclass(frozen=True)
class EvaluationVersion:
    number: int


@dataclass(frozen=True)
class EvaluationRow:
    """An evaluation as the follow-up page lists it: when, what changed, the version it made."""

    held_on: date
    changes: str
    plan_version: EvaluationVersion | None


_EVALUATIONS = PreparedValues(lambda case_id: Evaluation.objects.filter(case_id=case_id)
                              .values_list("held_on", "changes", "plan_version_id", "plan_version__number"))
_OUTCOME_FIELDS = tuple(f.attname for f in Outcome._meta.concrete_fields)
_OUTCOMES = PreparedValues(lambda case_id: Outcome.objects.filter(case_id=case_id).values_list(*_OUTCOME_FIELDS))


def evaluations_of(case_id: int) -> list[EvaluationRow]:
    """The case's evaluations in their order (one query, compiled once)."""
    return [EvaluationRow(held_on, changes, EvaluationVersion(number) if version_id is not None else None)
            for held_on, changes, version_id, number in _EVALUATIONS(case_id)]


def outcomes_of(case_id: int) -> list[Outcome]:
    """The case's outcome rows in their order, every field read, as the ORM gives them (one query,
    compiled once)."""
    return [Outcome.from_db(DEFAULT_DB_ALIAS, _OUTCOME_FIELDS, row) for row in _OUTCOMES(case_id)]
