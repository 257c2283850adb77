"""Workflows on the circle of a case. Each runs in one transaction.

Views and API operations check access with `get_case_for` first; these
functions check again that `by` may change the case (when `by` is given; the
conference's personal links call `member_set_status` with `by=None`), refuse
changes to the circle of a closed case, and validate with `full_clean()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kring.accounts.models import User
from kring.cases.models import Case, CasePerson, PersonRole
from kring.cases.prepared import PreparedValues
from kring.cases.rules import can

from .models import (
    EDITABLE_FIELDS,
    ArrangementKind,
    Attendance,
    CircleMember,
    Closeness,
    Kind,
    MemberChange,
    MemberRole,
    MemberStatus,
    SafetyArrangement,
    Side,
)

ADD_FIELDS = ("role", *EDITABLE_FIELDS)


class CircleRefused(ValidationError):
    """A change of the circle that is not allowed; nothing was changed."""


class StaleEdit(CircleRefused):
    """Someone saved this person after the version the editor started from.

    `changes` maps each field changed since then to its current value;
    `version` is the current version. Nothing was saved.
    """

    def __init__(self, message: str, *, changes: dict[str, Any], version: int) -> None:
        super().__init__(message, code="stale")
        self.changes = changes
        self.version = version


def _check_may_change(case: Case, by: User | None) -> None:
    if by is not None and not can(by, "change", case):
        raise CircleRefused(_("You may not change the circle of this case."), code="not_allowed")
    if case.is_final:
        raise CircleRefused(
            _("This case is '%(state)s': the circle can no longer be changed.")
            % {"state": case.get_state_display()},
            code="case_closed",
        )


def _locked_member(member: CircleMember) -> CircleMember:
    return (CircleMember.objects.select_for_update(of=("self",)).select_related("case")
            .get(pk=member.pk))


def _record(member: CircleMember, changed: dict[str, list], by: User | None) -> None:
    MemberChange.objects.create(member=member, version=member.version, fields=changed, by=by)


#: A person of the case not yet in the circle (at most one row), compiled once.
_OUTSIDE_CIRCLE = PreparedValues(
    lambda case_id: CasePerson.objects.filter(case_id=case_id, circle_member__isnull=True).order_by().values_list("pk")[:1])


def circle_seed(*, case: Case) -> list[CircleMember]:
    """Put the case's parents and children in the circle, once; return the members made now.

    Parents become main persons, children children; both stand in the centre
    of the circle, belong to both sides of the family and are very close.
    Running it again adds only persons added to the case since.

    The circle page calls it on every visit: when every person is in the circle
    already (nearly always) it reads once and opens no transaction, which on
    SQLite would take the database's write lock for each page view.
    """
    if not _OUTSIDE_CIRCLE(case.pk):
        return []
    return _circle_seed(case)


@transaction.atomic
def _circle_seed(case: Case) -> list[CircleMember]:
    created = []
    persons = case.persons.filter(circle_member__isnull=True).order_by("id")
    for person in sorted(persons, key=lambda p: p.role == PersonRole.CHILD):  # parents first
        member = CircleMember(
            case=case,
            case_person=person,
            role=MemberRole.CHILD if person.role == PersonRole.CHILD else MemberRole.MAIN,
            name=person.name,
            side=Side.BOTH,
            kind=Kind.FAMILY,
            closeness=Closeness.CLOSE,
            phone=person.phone,
            email=person.email,
        )
        member.full_clean()
        member.save()
        created.append(member)
    return created


@transaction.atomic
def member_add(*, case: Case, data: dict[str, Any], by: User) -> CircleMember:
    """Add a person to the circle. `data` holds the fields of `ADD_FIELDS` (others are ignored)."""
    _check_may_change(case, by)
    member = CircleMember(case=case, added_by=by, **{k: v for k, v in data.items() if k in ADD_FIELDS})
    member.full_clean()
    member.save()
    return member


def _shown(member: CircleMember, name: str, value: Any) -> str:
    """A field's value in words, for the message about a stale edit."""
    from kring.core.languages import language_name

    field = CircleMember._meta.get_field(name)
    if value in ("", None):
        return _("(empty)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "language":
        return language_name(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _stale(member: CircleMember, expected_version: int) -> StaleEdit:
    changes = list(member.changes.filter(version__gt=expected_version).select_related("by"))
    latest: dict[str, Any] = {}
    for change in changes:
        for name, (_old, new) in change.fields.items():
            latest[name] = new
    who = sorted({c.by.display_name for c in changes if c.by is not None})
    listed = "; ".join(
        f"{capfirst(CircleMember._meta.get_field(name).verbose_name)}: {_shown(member, name, value)}"
        for name, value in latest.items()
    )
    if listed:
        message = _(
            "%(who)s changed %(name)s while you were working on it, so nothing was saved. "
            "Changed since you started: %(changes)s. Check the new values and save again."
        ) % {"who": ", ".join(who) or _("Someone else"), "name": member.name, "changes": listed}
    else:
        message = _(
            "Someone else changed %(name)s while you were working on it, so nothing was saved. "
            "Open the person again and save once more."
        ) % {"name": member.name}
    return StaleEdit(message, changes=latest, version=member.version)


@transaction.atomic
def member_update(*, member: CircleMember, data: dict[str, Any], expected_version: int,
                  by: User) -> CircleMember:
    """Change a person's details, unless someone else saved them after `expected_version`.

    Only the fields of `EDITABLE_FIELDS` are taken from `data`. A save that
    changes nothing keeps the version.
    """
    member = _locked_member(member)
    _check_may_change(member.case, by)
    if member.version != expected_version:
        raise _stale(member, expected_version)
    changed: dict[str, list] = {}
    for name in EDITABLE_FIELDS:
        if name in data and data[name] != getattr(member, name):
            changed[name] = [getattr(member, name), data[name]]
            setattr(member, name, data[name])
    if not changed:
        return member
    member.full_clean()
    member.version += 1
    member.save(update_fields=[*changed, "version"])
    _record(member, changed, by)
    return member


@transaction.atomic
def member_set_status(*, member: CircleMember, status: str, attendance: str | None = None,
                      by: User | None) -> CircleMember:
    """Move a person one step along their path (see `STATUS_NEXT`), or refuse.

    `attendance` (in person or from a distance) is needed for "attended" and
    not allowed for any other step. `by=None` means the person answered
    through their own personal link.
    """
    member = _locked_member(member)
    _check_may_change(member.case, by)
    if status not in MemberStatus.values:
        raise CircleRefused(_("This status does not exist."), code="unknown")
    if status not in member.next_statuses:
        allowed = ", ".join(str(MemberStatus(s).label).lower() for s in member.next_statuses)
        raise CircleRefused(
            _("%(name)s is '%(now)s' and cannot become '%(new)s' now. Possible next: %(allowed)s.")
            % {"name": member.name, "now": member.get_status_display(),
               "new": MemberStatus(status).label, "allowed": allowed or _("nothing")},
            code="wrong_status",
        )
    attendance = attendance or ""
    if status == MemberStatus.ATTENDED and attendance not in Attendance.values:
        raise CircleRefused(
            _("Say whether %(name)s came in person or took part from a distance.")
            % {"name": member.name},
            code="attendance_required",
        )
    if status != MemberStatus.ATTENDED and attendance:
        raise CircleRefused(
            _("Only say how someone took part when they came."), code="attendance_not_allowed"
        )
    changed: dict[str, list] = {"status": [member.status, status]}
    if status == MemberStatus.ATTENDED:
        changed["attendance"] = [member.attendance, attendance]
        member.attendance = attendance
    member.status = status
    member.status_changed_at = timezone.now()
    member.full_clean()
    member.version += 1
    member.save(update_fields=["status", "attendance", "status_changed_at", "version"])
    _record(member, changed, by)
    return member


@transaction.atomic
def arrangement_add(*, case: Case, kind: str, person: CircleMember, other: CircleMember | None = None,
                    present: CircleMember | None = None, parts: list[int] | None = None,
                    note: str = "", by: User) -> SafetyArrangement:
    """Record who may not meet whom, or how someone can take part safely."""
    _check_may_change(case, by)
    Case.objects.select_for_update(of=("self",)).filter(pk=case.pk).first()  # one at a time per case
    arrangement = SafetyArrangement(
        case=case, kind=kind, person=person, other=other, present=present,
        parts=sorted(set(parts or [])), note=note, created_by=by,
    )
    arrangement.full_clean()
    arrangement.save()
    return arrangement


@transaction.atomic
def arrangement_remove(*, arrangement: SafetyArrangement, by: User) -> None:
    _check_may_change(arrangement.case, by)
    arrangement.delete()


# --- safety arrangements against who comes --------------------------------------------------


def safety_warnings(case: Case | int, presences: Iterable[tuple[int, int, bool]] = (),
                    invited: Iterable[tuple[int, str]] = ()) -> list[str]:
    """What the safety arrangements of a case say about who comes, in plain words.

    `presences` are (part, member id, from a distance) as recorded for the
    conference; `invited` are (member id, answer) of the invitations. The
    coordinator sees these on the conference page: a record is what happened
    and is never refused, but a breach must not go unnoticed.
    """
    case_id = case if isinstance(case, int) else case.pk
    arrangements = list(SafetyArrangement.objects.filter(case_id=case_id)
                        .select_related("person", "other", "present"))
    if not arrangements:
        return []
    by_part: dict[int, dict[int, bool]] = {}
    for part, member_id, remote in presences:
        by_part.setdefault(part, {})[member_id] = remote
    coming = {member_id for member_id, answer in invited if answer != "declined"}
    warnings: list[str] = []
    for a in arrangements:
        names = {"name": a.person.name, "other": a.other.name if a.other else ""}
        if a.kind == ArrangementKind.MUST_NOT_MEET:
            for part, present in sorted(by_part.items()):
                if a.person_id in present and a.other_id in present:
                    warnings.append(_("%(name)s and %(other)s must not meet, but both are recorded in part "
                                      "%(part)s.") % {**names, "part": part})
            if a.person_id in coming and a.other_id in coming and not by_part:
                warnings.append(_("%(name)s and %(other)s must not meet, and both are invited. Plan them in "
                                  "different parts, or let one of them take part from a distance.") % names)
        elif a.kind == ArrangementKind.ONLY_WITH_PERSON:
            for part, present in sorted(by_part.items()):
                if a.person_id in present and a.other_id in present and a.present_id not in present:
                    warnings.append(_("%(name)s may only meet %(other)s when %(present)s is there, but in part "
                                      "%(part)s %(present)s is not recorded.")
                                    % {**names, "present": a.present.name, "part": part})
        elif a.kind == ArrangementKind.REMOTE_ONLY:
            for part, present in sorted(by_part.items()):
                if present.get(a.person_id) is False:
                    warnings.append(_("%(name)s takes part only from a distance, but is recorded in person in "
                                      "part %(part)s.") % {**names, "part": part})
        elif a.kind == ArrangementKind.SOME_PARTS_ONLY:
            allowed = {int(p) for p in a.parts}
            for part, present in sorted(by_part.items()):
                if a.person_id in present and part not in allowed:
                    warnings.append(_("%(name)s takes part only in part %(parts)s, but is recorded in part "
                                      "%(part)s.") % {**names, "part": part,
                                                      "parts": ", ".join(str(p) for p in sorted(allowed))})
    return warnings
