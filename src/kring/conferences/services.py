"""Workflows of the conference: the preparation checklist, the meeting, invitations.

Every function runs in one transaction and checks the rules itself, so that
the pages and the API refuse the same things with the same words. Callers
reach the case through `kring.cases.access.get_case_for` first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kring.accounts.models import User
from kring.cases.models import Case, CaseProfessional, State
from kring.cases.prepared import PreparedValues
from kring.cases.rules import can
from kring.cases.services import case_transition
from kring.core import links
from kring.network.models import Attendance, CircleMember, MemberStatus

from .models import (
    Channel,
    Conference,
    Invitation,
    Part,
    PreparationItem,
    PrepItem,
    PrepStatus,
    Presence,
    Response,
    new_nonce,
)

#: The purpose of invitation links (`kring.core.links`).
INVITATION_LINK = "invitation"
#: Reminders go out at this hour (site time zone) on the day before the conference.
REMINDER_HOUR = 10
#: Items that need no more work: done, or not needed for this family.
SETTLED = frozenset({PrepStatus.DONE, PrepStatus.NOT_NEEDED})
#: States in which the date and place may be set or changed.
PLANNING_STATES = frozenset({State.PREPARING, State.SCHEDULED})
#: States in which the meeting may be recorded.
RECORDING_STATES = frozenset({State.SCHEDULED, State.HELD})


class ConferenceRefused(ValidationError):
    """A step the conference rules do not allow now; nothing was changed."""


def _require_change(by: User, case: Case) -> None:
    if not can(by, "change", case):
        raise PermissionDenied(_("You may not change this case."))


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).get(pk=case.pk)


# --- the preparation checklist -----------------------------------------------------------


def preparation_items(case: Case) -> list[PreparationItem]:
    """Every item of the checklist, in the order of `PrepItem`; missing rows are made now."""
    existing = {i.code: i for i in case.preparation.select_related("updated_by")}
    missing = [PreparationItem(case=case, code=code) for code in PrepItem.values if code not in existing]
    if missing:
        PreparationItem.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {i.code: i for i in case.preparation.select_related("updated_by")}
    return [existing[code] for code in PrepItem.values]


# The case page's question, compiled once (a case has at most one row per item, so the rows are few).
_settled_items = PreparedValues(lambda case_id: PreparationItem.objects.filter(
    case_id=case_id, code__in=PrepItem.values, status__in=SETTLED).order_by().values_list("pk"))


def preparation_progress(case: Case | int) -> tuple[int, int]:
    """(items done or not needed, all items) for the case page. One query, writes nothing."""
    case_id = case if isinstance(case, int) else case.pk
    return len(_settled_items(case_id)), len(PrepItem.values)


@dataclass(frozen=True)
class ItemChange:
    status: str
    note: str = ""


@transaction.atomic
def preparation_update(*, case: Case, changes: Mapping[str, ItemChange], by: User) -> list[PreparationItem]:
    """Set status and note of checklist items; returns the items that changed."""
    _require_change(by, case)
    unknown = set(changes) - set(PrepItem.values)
    if unknown:
        raise ValidationError(_("Unknown checklist item: %(item)s.") % {"item": ", ".join(sorted(unknown))},
                              code="unknown_item")
    preparation_items(case)
    items = {i.code: i for i in PreparationItem.objects.select_for_update().filter(case=case)}
    now = timezone.now()
    changed = []
    for code, change in changes.items():
        item = items[code]
        note = (change.note or "").strip()
        if item.status == change.status and item.note == note:
            continue
        item.status, item.note, item.updated_by, item.updated_at = change.status, note, by, now
        item.full_clean(exclude=["case", "updated_by"], validate_unique=False, validate_constraints=False)
        item.save(update_fields=["status", "note", "updated_by", "updated_at"])
        changed.append(item)
    return changed


# --- the conference ------------------------------------------------------------------------


def conference_current(case: Case) -> Conference | None:
    """The conference of the case: the latest one (a reconvened circle gets a new one)."""
    return (
        Conference.objects.filter(case=case)
        .select_related("chair", "writer")
        .order_by("-created_at", "-pk")
        .first()
    )


#: Changing one of these changes the invitation: its version goes up.
KEY_FIELDS = ("starts_at", "ends_at", "venue", "address", "remote_link")


@transaction.atomic
def conference_save(
    *, case: Case, by: User, starts_at: datetime, venue: str, ends_at: datetime | None = None,
    address: str = "", remote_link: str = "", notes: str = "",
) -> tuple[Conference, bool]:
    """Plan the conference or change its details; returns (conference, created).

    Planning it on a case that is being prepared moves the case to
    "conference scheduled" (`case_transition("schedule")`).
    """
    _require_change(by, case)
    case = _locked_case(case)
    current = conference_current(case)
    if current is not None and current.is_held:
        raise ConferenceRefused(_("The conference has taken place; its date and place can no longer change."),
                                code="held")
    if case.state not in PLANNING_STATES:
        raise ConferenceRefused(
            _("Plan the conference once the case is being prepared. The case is now '%(state)s'.")
            % {"state": case.get_state_display()},
            code="wrong_state",
        )
    values = {"starts_at": starts_at, "ends_at": ends_at, "venue": (venue or "").strip(),
              "address": (address or "").strip(), "remote_link": (remote_link or "").strip(),
              "notes": (notes or "").strip()}
    errors = {}
    now = timezone.now()
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    if (current is None or current.starts_at != starts_at) and starts_at <= now:
        errors["starts_at"] = _("Choose a moment in the future.")
    if errors:
        raise ValidationError(errors, code="invalid")

    created = current is None
    conference = current or Conference(case=case)
    changed = [name for name, value in values.items() if getattr(conference, name) != value]
    for name, value in values.items():
        setattr(conference, name, value)
    if not created and set(changed) & set(KEY_FIELDS):
        conference.version += 1
        changed.append("version")
    conference.full_clean(exclude=["case", "chair", "writer"])
    if created:
        conference.save()
    elif changed:
        conference.save(update_fields=changed)
    if case.state == State.PREPARING:
        case_transition(case=case, name="schedule", by=by)
    return conference, created


@dataclass(frozen=True)
class PresenceData:
    """One person present in one part: a circle member or a professional of the case."""

    part: int
    member_id: int | None = None
    professional_id: int | None = None
    remote: bool = False


def _professional_in_private_time() -> str:
    return _("A professional cannot be present in part 2, the private family time. The family makes "
             "its plan on its own; professionals come back for part 3.")


@transaction.atomic
def conference_record(
    *, conference: Conference, by: User, presences: Iterable[PresenceData],
    parts: Mapping[int, tuple[datetime | None, datetime | None]] | None = None,
    chair: CircleMember | None = None, writer: CircleMember | None = None,
) -> Conference:
    """Record the meeting: when each part started and ended, who was present, chair and writer.

    The presences replace the ones recorded before. A professional is never
    present in part 2; the chair and the writer are people of the circle who
    were present in part 2 (when part 2 was recorded).
    """
    case = conference.case
    _require_change(by, case)
    case = _locked_case(case)
    conference = Conference.objects.select_for_update(of=("self",)).get(pk=conference.pk)
    if case.state not in RECORDING_STATES:
        raise ConferenceRefused(
            _("The meeting can be recorded once a date is set. The case is now '%(state)s'.")
            % {"state": case.get_state_display()},
            code="wrong_state",
        )
    # The same person twice in one part counts once (the last one wins).
    presences = list({(p.part, p.member_id, p.professional_id): p for p in presences}.values())
    if any(p.part == Part.PRIVATE and p.professional_id for p in presences):
        raise ValidationError(_professional_in_private_time(), code="professional_in_private_time")

    errors: list[str] = []
    member_ids = set(CircleMember.objects.filter(case=case).values_list("pk", flat=True))
    professional_ids = set(CaseProfessional.objects.filter(case=case).values_list("pk", flat=True))
    for p in presences:
        if p.part not in Part.values:
            errors.append(_("A conference has three parts: 1, 2 and 3."))
        elif (p.member_id is None) == (p.professional_id is None):
            errors.append(_("Each presence is either a person of the circle or a professional."))
        elif p.member_id is not None and p.member_id not in member_ids:
            errors.append(_("This person is not in the circle of this case."))
        elif p.professional_id is not None and p.professional_id not in professional_ids:
            errors.append(_("This professional is not involved in this case."))
    in_private = {p.member_id for p in presences if p.part == Part.PRIVATE and p.member_id}
    for role, person in ((_("the chair"), chair), (_("the writer"), writer)):
        if person is None:
            continue
        if person.case_id != case.pk:
            errors.append(_("Choose %(role)s from the circle of this case.") % {"role": role})
        elif in_private and person.pk not in in_private:
            errors.append(_("%(name)s is %(role)s, so mark them present in part 2.")
                          % {"name": person.name, "role": role})
    times = dict(parts or {})
    for part, (start, end) in times.items():
        if part not in Part.values:
            errors.append(_("A conference has three parts: 1, 2 and 3."))
        elif end is not None and start is None:
            errors.append(_("Part %(part)s has an end but no start.") % {"part": part})
        elif start is not None and end is not None and end < start:
            errors.append(_("Part %(part)s ends before it starts.") % {"part": part})
    starts = [times.get(part, (None, None))[0] for part in Part.values]
    known = [s for s in starts if s is not None]
    if known != sorted(known):
        errors.append(_("The parts must follow each other: 1, then 2, then 3."))
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)), code="invalid")

    fields = ["chair", "writer"]
    conference.chair, conference.writer = chair, writer
    for part, (start, end) in times.items():
        setattr(conference, f"part{part}_start", start)
        setattr(conference, f"part{part}_end", end)
        fields += [f"part{part}_start", f"part{part}_end"]
    conference.save(update_fields=fields)
    conference.presences.all().delete()
    Presence.objects.bulk_create([
        Presence(conference=conference, part=p.part, member_id=p.member_id,
                 professional_id=p.professional_id, remote=p.remote)
        for p in presences
    ])
    if conference.is_held:
        _record_attendance(conference, by)
    return conference


@transaction.atomic
def conference_hold(*, conference: Conference, by: User) -> Conference:
    """The conference took place: the case moves to "held" and who came is marked as attended."""
    _require_change(by, conference.case)
    conference = Conference.objects.select_for_update(of=("self",)).select_related("case").get(pk=conference.pk)
    if conference.is_held:
        raise ConferenceRefused(_("This conference is already recorded as held."), code="held")
    if not conference.presences.exists():
        raise ConferenceRefused(_("Record who was present first."), code="no_presences")
    case_transition(case=conference.case, name="hold", by=by)
    # From the conference on, the information form is what the plan is tested against.
    from kring.plans.services import information_form_lock

    information_form_lock(conference.case)
    conference.held_at = timezone.now()
    conference.save(update_fields=["held_at"])
    _record_attendance(conference, by)
    return conference


def _record_attendance(conference: Conference, by: User) -> None:
    """Members present in any part attended: remote when they took part from a distance only.

    Someone who came without having said yes (the cousin who turned up) is
    moved along the path to "attended" step by step, so their history shows it.
    """
    remote_only: dict[int, bool] = {}
    for member_id, remote in conference.presences.filter(member__isnull=False).values_list("member_id", "remote"):
        remote_only[member_id] = remote_only.get(member_id, True) and remote
    members = CircleMember.objects.filter(pk__in=remote_only).exclude(
        status__in=(MemberStatus.ATTENDED, MemberStatus.AGREEMENT))
    for member in members:
        attendance = Attendance.REMOTE if remote_only[member.pk] else Attendance.IN_PERSON
        move_member(member, MemberStatus.ATTENDED, attendance=attendance, by=by)


#: The steps from each status towards "confirmed", "declined" and "attended" (network's `STATUS_NEXT`).
ROUTES = {
    MemberStatus.INVITED: {
        MemberStatus.IDENTIFIED: [MemberStatus.INVITED],
        MemberStatus.APPROACHED: [MemberStatus.INVITED],
        MemberStatus.DECLINED: [MemberStatus.INVITED],
    },
    MemberStatus.CONFIRMED: {
        MemberStatus.IDENTIFIED: [MemberStatus.INVITED, MemberStatus.CONFIRMED],
        MemberStatus.APPROACHED: [MemberStatus.INVITED, MemberStatus.CONFIRMED],
        MemberStatus.INVITED: [MemberStatus.CONFIRMED],
        MemberStatus.DECLINED: [MemberStatus.CONFIRMED],
    },
    MemberStatus.DECLINED: {
        MemberStatus.IDENTIFIED: [MemberStatus.INVITED, MemberStatus.DECLINED],
        MemberStatus.APPROACHED: [MemberStatus.DECLINED],
        MemberStatus.INVITED: [MemberStatus.DECLINED],
        MemberStatus.CONFIRMED: [MemberStatus.DECLINED],
    },
    MemberStatus.ATTENDED: {
        MemberStatus.IDENTIFIED: [MemberStatus.INVITED, MemberStatus.CONFIRMED, MemberStatus.ATTENDED],
        MemberStatus.APPROACHED: [MemberStatus.INVITED, MemberStatus.CONFIRMED, MemberStatus.ATTENDED],
        MemberStatus.INVITED: [MemberStatus.CONFIRMED, MemberStatus.ATTENDED],
        MemberStatus.DECLINED: [MemberStatus.CONFIRMED, MemberStatus.ATTENDED],
        MemberStatus.CONFIRMED: [MemberStatus.ATTENDED],
    },
}


def move_member(member: CircleMember, target: str, *, attendance: str | None = None,
                by: User | None = None) -> CircleMember:
    """Move a circle member to `target` through `network.services.member_set_status`.

    Each step is one the circle's path allows, so the member's history stays
    complete; a member who is already there (or further) is left alone.
    `by=None`: the person answered through their personal link.
    """
    from kring.network.services import member_set_status

    member = CircleMember.objects.get(pk=member.pk)  # the caller's copy may be stale
    for step in ROUTES[target].get(MemberStatus(member.status), []):
        member = member_set_status(member=member, status=step, by=by,
                                   attendance=attendance if step == MemberStatus.ATTENDED else None)
    return member


# --- invitations ---------------------------------------------------------------------------


def link_valid_until(conference: Conference) -> datetime:
    """Personal links work until the end of the day after the conference."""
    return links.end_of_day(timezone.localdate(conference.starts_at), days_after=1)


def reminder_due_at(conference: Conference) -> datetime:
    """The day before the conference, at `REMINDER_HOUR` in the site's time zone."""
    day = timezone.localdate(conference.starts_at) - timedelta(days=1)
    return datetime.combine(day, time(REMINDER_HOUR), tzinfo=timezone.get_default_timezone())


def invitation_token(invitation: Invitation) -> str:
    return links.make_token(INVITATION_LINK, expires_at=invitation.expires_at,
                            invitation=invitation.pk, member=invitation.member_id, nonce=invitation.nonce)


def invitation_url(invitation: Invitation) -> str:
    return links.absolute_url("invitation_answer", invitation_token(invitation))


def usable_channels(member: CircleMember, channels: Iterable[str]) -> list[str]:
    """The chosen ways of sending for which the member has an address or number."""
    have = {Channel.EMAIL: bool(member.email), Channel.SMS: bool(member.phone)}
    return [c for c in Channel.values if c in set(channels) and have[c]]


@transaction.atomic
def invitation_send(*, conference: Conference, members: Iterable[CircleMember], channels: Iterable[str],
                    by: User) -> list[Invitation]:
    """Invite circle members by e-mail (with a calendar invitation) and/or text message.

    Sending again to someone who was invited before makes a new personal link;
    the old link stops working. The messages and the reminder of the day before
    are queued for the worker in this transaction.
    """
    from .tasks import deliver_invitation, send_invitation_reminder

    case = conference.case
    _require_change(by, case)
    case = _locked_case(case)
    conference = Conference.objects.select_for_update(of=("self",)).get(pk=conference.pk)
    now = timezone.now()
    if conference.is_held or case.state != State.SCHEDULED:
        raise ConferenceRefused(_("Invitations can be sent while the conference is scheduled."),
                                code="wrong_state")
    if conference.starts_at <= now:
        raise ConferenceRefused(_("The conference has already started."), code="started")
    channels = [c for c in channels if c in Channel.values]
    members = list(dict.fromkeys(members))
    if not channels:
        raise ValidationError(_("Choose how to send: by e-mail, by text message or both."), code="no_channel")
    if not members:
        raise ValidationError(_("Choose at least one person to invite."), code="no_members")
    errors = []
    for member in members:
        if member.case_id != case.pk:
            errors.append(_("This person is not in the circle of this case."))
        elif not usable_channels(member, channels):
            errors.append(_("%(name)s has no e-mail address or phone number for the way of sending you chose.")
                          % {"name": member.name})
    if errors:
        raise ValidationError(errors, code="no_address")

    existing = {i.member_id: i for i in
                Invitation.objects.select_for_update().filter(conference=conference, member__in=members)}
    expires_at = link_valid_until(conference)
    remind_at = reminder_due_at(conference)
    sent = []
    for member in members:
        invitation = existing.get(member.pk) or Invitation(conference=conference, member=member)
        invitation.channels = usable_channels(member, channels)
        invitation.nonce = new_nonce()  # a new link; the previous one stops working
        invitation.sent_at = now
        invitation.expires_at = expires_at
        invitation.reminder_sent_at = None
        invitation.sent_by = by
        invitation.conference_version = conference.version
        if invitation.response == Response.DECLINED:
            invitation.response, invitation.responded_at = Response.NONE, None
        invitation.full_clean(exclude=["conference", "member", "sent_by"], validate_constraints=False,
                              validate_unique=False)
        invitation.save()
        move_member(member, MemberStatus.INVITED, by=by)
        stamp = invitation.sent_at.isoformat()
        for channel in invitation.channels:
            deliver_invitation.enqueue(invitation_id=invitation.pk, channel=channel, sent_at=stamp)
        if remind_at > now:
            send_invitation_reminder.using(run_after=remind_at).enqueue(
                invitation_id=invitation.pk, starts_at=conference.starts_at.isoformat(), sent_at=stamp,
            )
        sent.append(invitation)
    return sent


class InvitationClosed(links.LinkExpired):
    code = "closed"
    title = gettext_lazy("You can no longer answer this invitation")
    message = gettext_lazy("The meeting has been moved or has already taken place. If you have "
                           "questions, contact the coordinator who invited you.")


def invitation_from_token(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation a personal link is for, or a `kring.core.links.LinkError`."""
    ids = links.read_token(INVITATION_LINK, token)
    invitation_id = ids.get("invitation")
    if not isinstance(invitation_id, int):
        raise links.LinkInvalid("no invitation id")
    qs = Invitation.objects.select_related("conference__case", "member")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(pk=invitation_id).first()
    if invitation is None:
        raise links.LinkInvalid("no such invitation")
    links.check_ids(ids, invitation=invitation.pk, member=invitation.member_id)
    links.check_nonce(ids, invitation.nonce)
    if invitation.expires_at <= timezone.now():
        raise links.LinkExpired("past the invitation's end")
    conference = invitation.conference
    if conference.is_held or conference.case.state != State.SCHEDULED:
        raise InvitationClosed("conference not scheduled")
    return invitation


#: The member's status after each answer. "From a distance" is a yes; how someone
#: took part is recorded on the member when the conference is held (the circle's
#: rule: only people who came have an attendance), and kept on the invitation.
ANSWER_STATUS = {
    Response.CONFIRMED: MemberStatus.CONFIRMED,
    Response.REMOTE: MemberStatus.CONFIRMED,
    Response.DECLINED: MemberStatus.DECLINED,
}


@transaction.atomic
def invitation_answer(*, token: str, answer: str) -> Invitation:
    """The invited person answers through their personal link: comes, from a distance, or not."""
    if answer not in ANSWER_STATUS:
        raise ValidationError(_("Choose one of the answers."), code="invalid_choice")
    invitation = invitation_from_token(token, for_update=True)
    invitation.response = answer
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["response", "responded_at"])
    # When the circle refuses the step (the coordinator changed this person in the
    # meantime), the answer is still kept on the invitation for the coordinator to see.
    with contextlib.suppress(ValidationError):
        move_member(invitation.member, ANSWER_STATUS[answer], by=None)
    return invitation


def first_name(name: str) -> str:
    """What the invited person sees of their own name: the first word only."""
    parts = (name or "").split()
    return parts[0] if parts else ""
