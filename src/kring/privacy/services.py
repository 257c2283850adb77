"""Retention and destruction (Jeugdwet), corrections (AVG art. 16). Each workflow is one transaction.

The worker runs `kring manage destroy_expired` (see `destroy_expired` below and
docs/security.md): it destroys case files 20 years after the care ended, carries
out approved destruction requests, and deletes access-log rows older than 5 years.
"""

from __future__ import annotations

import calendar
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import Role, User
from kring.audit.log import log_access
from kring.audit.models import AccessLogEntry, Action, Outcome
from kring.cases.models import FINAL_STATES, Case, PersonRole, State

from .models import (
    AnonymousCaseFigure,
    CorrectionRequest,
    CorrectionStatus,
    Decision,
    DestructionException,
    DestructionRequest,
)

logger = logging.getLogger("kring.privacy")


def add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def care_ended_at(case: Case) -> datetime | None:
    """When the care ended: closed, or the moment a request was withdrawn, declined or cancelled."""
    if case.closed_at:
        return case.closed_at
    if case.state in FINAL_STATES:
        return case.state_changed_at
    return None


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Cases whose care ended before this moment have been kept long enough."""
    return add_years(now or timezone.now(), -settings.CASE_RETENTION_YEARS)


def expired_cases(now: datetime | None = None):
    cutoff = retention_cutoff(now)
    return Case.objects.filter(
        Q(closed_at__lt=cutoff)
        | Q(closed_at__isnull=True, state__in=FINAL_STATES, state_changed_at__lt=cutoff)
    ).exclude(state__in=set(State.values) - FINAL_STATES)


# --- Anonymous figures ----------------------------------------------------------------------


def _hours(start: datetime, end: datetime | None) -> int | None:
    if end is None:
        return None
    return max(0, int((end - start).total_seconds() // 3600))


def case_figures(case: Case, *, now: datetime | None = None) -> AnonymousCaseFigure:
    """The anonymous figures of one case (not saved): nothing that links back to the family."""
    from kring.network.ecomap import circle_figures

    circle = circle_figures(list(case.circle.all()))
    outcomes = {
        str(o.months): {
            "plan_running": o.plan_running, "child_lives": o.child_lives,
            "professional_help": o.professional_help, "family_satisfaction": o.family_satisfaction,
            "professional_satisfaction": o.professional_satisfaction,
        }
        for o in case.outcomes.all() if o.recorded_at
    }
    start = case.submitted_at
    return AnonymousCaseFigure(
        region_code=case.region.code,
        municipality_code=case.municipality.cbs_code,
        month=timezone.localtime(start).date().replace(day=1),
        channel=case.channel, urgency=case.urgency, legal_frame=case.legal_frame,
        trigger_moment=case.trigger_moment, final_state=case.state,
        hours_to_assigned=_hours(start, case.assigned_at),
        hours_to_first_contact=_hours(start, case.first_contact_at),
        hours_to_held=_hours(start, case.held_at),
        hours_to_plan_accepted=_hours(start, case.plan_accepted_at),
        hours_to_closed=_hours(start, case.closed_at),
        children=case.persons.filter(role=PersonRole.CHILD).count(),
        circle_size=circle.size, circle_invited=circle.invited, circle_came=circle.came,
        both_sides=circle.both_sides, outcomes=outcomes,
        destroyed_in=(now or timezone.now()).year,
    )


# --- Destroying a case ----------------------------------------------------------------------


FOLLOWED = {models.CASCADE, models.PROTECT, models.RESTRICT}


def case_tree(case: Case) -> dict[type[models.Model], set]:
    """Every row that hangs under the case through CASCADE or PROTECT foreign keys.

    Rows linked with SET_NULL (a destruction request) outlive the case by design.
    """
    found: dict[type[models.Model], set] = defaultdict(set)
    stack: list[models.Model] = [case]
    while stack:
        obj = stack.pop()
        if obj.pk in found[type(obj)]:
            continue
        found[type(obj)].add(obj.pk)
        for rel in obj._meta.related_objects:
            if rel.related_model is User or rel.on_delete not in FOLLOWED:
                continue
            if rel.one_to_many or rel.one_to_one:
                manager = rel.related_model._base_manager
                stack.extend(manager.filter(**{rel.field.name: obj}))
    return found


def _delete_tree(found: dict[type[models.Model], set]) -> None:
    """Delete every row of the tree; rows protected by other rows of the tree go after those.

    A PROTECT foreign key (a plan version naming a circle member as monitor)
    stops Django's cascade; we delete the protecting rows first, but only when
    they are in this case's tree — never another family's data.
    """
    pending = {model: pks for model, pks in found.items() if pks}
    while pending:
        progress = False
        for model, pks in list(pending.items()):
            try:
                with transaction.atomic():
                    model._base_manager.filter(pk__in=pks).delete()
            except ProtectedError as exc:
                for blocker in exc.protected_objects:
                    if blocker.pk not in found.get(type(blocker), ()):
                        raise
                continue
            del pending[model]
            progress = True
        if not progress:
            raise RuntimeError("destroying a case: rows protect each other")


@transaction.atomic
def case_destroy(*, case: Case, why: str, now: datetime | None = None) -> AnonymousCaseFigure:
    """Destroy a case file and everything in it, keeping only its anonymous figures.

    `why` is "retention" or "request"; it goes into the access log (by the worker).
    """
    now = now or timezone.now()
    case = Case.objects.select_for_update(of=("self",)).select_related("region", "municipality").get(pk=case.pk)
    figure = case_figures(case, now=now)
    figure.full_clean()
    figure.save()
    reference, case_pk = case.reference, case.pk
    DestructionRequest.objects.filter(case=case).update(case_reference=reference)
    _delete_tree(case_tree(case))
    AccessLogEntry.objects.create(
        action=Action.CHANGE, outcome=Outcome.SUCCESS, user=None, user_label="kring worker",
        role="system", on_behalf_of="Kring", client_address=None, object_type="case",
        object_id=str(case_pk), case_id=case_pk,
        purpose=f"case file destroyed ({why}); anonymous figures kept",
    )
    return figure


# --- A family's request to destroy their file -----------------------------------------------


@transaction.atomic
def destruction_request_record(*, case: Case, requested_by: str, by: User | None,
                               request=None) -> DestructionRequest:
    """Record that the family asked to destroy their file. The clock of 3 months starts now."""
    now = timezone.now()
    item = DestructionRequest(
        case=case, case_reference=case.reference, requested_at=now, requested_by=requested_by.strip(),
        recorded_by=by, due_at=add_months(now, settings.DESTRUCTION_REQUEST_MONTHS),
    )
    item.full_clean()
    item.save()
    log_access(request, user=by, action=Action.CREATE, obj=item, case_id=case.pk,
               purpose="family asks to destroy their file")
    return item


@transaction.atomic
def destruction_request_decide(*, item: DestructionRequest, approve: bool, exception: str = "",
                               reason: str, by: User, request=None) -> DestructionRequest:
    """The regional manager decides; refusing needs an exception and a reason. Logged."""
    item = DestructionRequest.objects.select_for_update().get(pk=item.pk)
    if by.role != Role.REGIONAL_MANAGER:
        raise ValidationError(_("Only the regional manager decides on destroying a file."),
                              code="not_allowed")
    if item.decision != Decision.PENDING:
        raise ValidationError(_("This request has already been decided."), code="decided")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the decision.")})
    if not approve and exception not in (DestructionException.OTHER_PERSON, DestructionException.LEGAL_DUTY):
        raise ValidationError({"exception": _("Say which exception applies.")})
    item.decision = Decision.APPROVED if approve else Decision.REFUSED
    item.exception = "" if approve else exception
    item.reason = reason
    item.decided_by = by
    item.decided_at = timezone.now()
    item.full_clean()
    item.save(update_fields=["decision", "exception", "reason", "decided_by", "decided_at"])
    log_access(request, user=by, action=Action.CHANGE, obj=item, case_id=item.case_id,
               purpose=(f"destruction {item.decision}: {item.exception or '-'}: {reason}")[:200])
    return item


# --- Corrections ---------------------------------------------------------------------------


@transaction.atomic
def correction_request_record(*, case: Case, requested_by: str, what: str, requested_change: str,
                              by: User | None = None, request=None) -> CorrectionRequest:
    """Record a family's request to correct their data (from the family portal or by staff)."""
    item = CorrectionRequest(case=case, requested_by=requested_by.strip(), what=what.strip(),
                             requested_change=requested_change.strip())
    item.full_clean()
    item.save()
    log_access(request, user=by, action=Action.CREATE, obj=item, case_id=case.pk,
               purpose="family asks for a correction")
    return item


@transaction.atomic
def correction_request_handle(*, item: CorrectionRequest, corrected: bool, response: str, by: User,
                              request=None) -> CorrectionRequest:
    """A coordinator or regional manager answers a correction request. Logged."""
    item = CorrectionRequest.objects.select_for_update().get(pk=item.pk)
    if by.role not in (Role.COORDINATOR, Role.REGIONAL_MANAGER):
        raise ValidationError(_("Only the coordinator or the regional manager handles corrections."),
                              code="not_allowed")
    if item.status != CorrectionStatus.OPEN:
        raise ValidationError(_("This request has already been handled."), code="handled")
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": _("Write an answer for the family.")})
    item.status = CorrectionStatus.CORRECTED if corrected else CorrectionStatus.REFUSED
    item.response = response
    item.handled_by = by
    item.handled_at = timezone.now()
    item.full_clean()
    item.save(update_fields=["status", "response", "handled_by", "handled_at"])
    log_access(request, user=by, action=Action.CHANGE, obj=item, case_id=item.case_id,
               purpose=f"correction request {item.status}")
    return item


# --- The worker's job ----------------------------------------------------------------------


@dataclass
class DestructionReport:
    expired: int = 0
    requested: int = 0
    access_log_rows: int = 0
    overdue_undecided: list[str] = field(default_factory=list)


def destroy_expired(now: datetime | None = None) -> DestructionReport:
    """Everything the retention rules ask for today. Safe to run again at any time."""
    from kring.audit.retention import access_log_purge

    now = now or timezone.now()
    report = DestructionReport()
    for case in expired_cases(now).only("pk").iterator():
        case_destroy(case=case, why="retention", now=now)
        report.expired += 1
    approved = DestructionRequest.objects.filter(decision=Decision.APPROVED, carried_out_at__isnull=True)
    for item in approved:
        with transaction.atomic():
            if item.case_id is not None:
                case_destroy(case=Case(pk=item.case_id), why="request", now=now)
            DestructionRequest.objects.filter(pk=item.pk).update(carried_out_at=now)
        report.requested += 1
    report.access_log_rows = access_log_purge(now=now)
    overdue = DestructionRequest.objects.filter(decision=Decision.PENDING, due_at__lt=now)
    report.overdue_undecided = [r.case_reference for r in overdue]
    if report.overdue_undecided:
        logger.warning("destruction requests past their 3-month deadline without a decision: %s",
                       ", ".join(report.overdue_undecided))
    return report
