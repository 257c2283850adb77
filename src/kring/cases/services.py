"""Workflows on a case. Each runs in one transaction and takes a row lock."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import CoordinatorProfile, User
from kring.core.tasks import send_email
from kring.reports.webhooks import case_state_changed

from .lifecycle import TRANSITIONS, actor_relation
from .models import Case, CaseEvent, State
from .rules import can

MILESTONES = {
    "first_contact": "first_contact_at",
    "hold": "held_at",
    "accept_plan": "plan_accepted_at",
    "close": "closed_at",
}


class TransitionRefused(ValidationError):
    """A transition that the lifecycle does not allow; nothing was changed."""


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("region").get(pk=case.pk)


@transaction.atomic
def case_transition(*, case: Case, name: str, by: User, reason: str = "") -> Case:
    """Move a case along its lifecycle, or refuse with a clear message and change nothing."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionRefused(_("This step does not exist."), code="unknown")
    case = _locked(case)
    reason = (reason or "").strip()
    if case.state not in transition.sources:
        raise TransitionRefused(
            _("This step is not possible now: the case is '%(state)s'.")
            % {"state": case.get_state_display()},
            code="wrong_state",
        )
    if actor_relation(by, case) not in transition.actors:
        raise TransitionRefused(_("You may not take this step for this case."), code="not_allowed")
    if transition.needs_coordinator and not case.coordinator_id:
        raise TransitionRefused(_("Assign a coordinator first."), code="no_coordinator")
    if transition.reason_required and not reason:
        raise TransitionRefused(_("Give a reason for this step."), code="reason_required")

    now = timezone.now()
    from_state = case.state
    case.state = transition.target
    case.state_changed_at = now
    fields = ["state", "state_changed_at", "next_deadline_at"]
    milestone = MILESTONES.get(name)
    if milestone and getattr(case, milestone) is None:
        setattr(case, milestone, now)
        fields.append(milestone)
    case.refresh_deadline()
    case.full_clean(validate_unique=False, validate_constraints=False)
    case.save(update_fields=fields)
    event = CaseEvent.objects.create(
        case=case, name=name, from_state=from_state, to_state=case.state,
        actor=by, actor_role=by.role, at=now, reason=reason,
    )
    # Subscribed systems hear of the change; queued in this transaction.
    case_state_changed(case, event)
    return case


@transaction.atomic
def case_assign(*, case: Case, coordinator: User, by: User) -> Case:
    """Assign a coordinator after checking the hard rules; e-mail the coordinator."""
    from kring.matching.ranking import rank_coordinators

    case = _locked(case)
    if not can(by, "assign", case):
        raise TransitionRefused(_("You may not assign coordinators for this case."), code="not_allowed")
    if case.state != State.REQUEST:
        raise TransitionRefused(
            _("A coordinator can only be assigned while the case is a request."), code="wrong_state"
        )
    if case.coordinator_id == coordinator.pk:
        raise TransitionRefused(_("This coordinator is already assigned."), code="same")
    # Lock the coordinator's profile before counting their places: two managers assigning
    # this coordinator to two cases at once (each holding only its own case lock) would
    # otherwise both see the last free place. The second waits here and then counts the
    # first one's case. Lock order is always case, then profile.
    list(CoordinatorProfile.objects.select_for_update().filter(user=coordinator).values_list("pk", flat=True))
    suggestion = next(
        (s for s in rank_coordinators(case) if s.coordinator.pk == coordinator.pk), None
    )
    if suggestion is None or not suggestion.eligible:
        why = "; ".join(str(b) for b in suggestion.blockers) if suggestion else _("not in this region")
        raise TransitionRefused(
            _("This coordinator cannot take the case: %(why)s.") % {"why": why}, code="ineligible"
        )
    now = timezone.now()
    previous = case.coordinator
    case.coordinator = coordinator
    if case.assigned_at is None:
        case.assigned_at = now
    case.refresh_deadline()
    case.save(update_fields=["coordinator", "assigned_at", "next_deadline_at"])
    CaseEvent.objects.create(
        case=case, name="assign", from_state=case.state, to_state=case.state, actor=by,
        actor_role=by.role, at=now,
        reason=(_("Reassigned from %(name)s") % {"name": previous.display_name}) if previous else "",
    )
    if coordinator.email:
        send_email.enqueue(
            template="cases/email/assigned",
            to=[coordinator.email],
            context={"case_id": case.pk, "reference": case.reference,
                     "region": case.region.name, "urgent": case.is_urgent},
            language="nl",
        )
    return case
