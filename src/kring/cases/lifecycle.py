"""The case lifecycle of DOMAIN §3: every transition and its rules, in one place.

A transition names the states it leaves from, the state it goes to, which
relation to the case the actor must have, and whether a reason is required.
`case_transition` in `services.py` applies them with a row lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import State
from .rules import can

MANAGER = "regional_manager"
COORDINATOR = "coordinator"
PROFESSIONAL = "professional"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    reason_required: bool = False
    needs_coordinator: bool = False


def _t(name, label, sources, target, actors, **kw) -> Transition:
    return Transition(name, label, frozenset(sources), target, frozenset(actors), **kw)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("first_contact", _("Record first contact with the family"), {State.REQUEST},
           State.INFORMING, {COORDINATOR}, needs_coordinator=True),
        _t("start_preparing", _("The family wants a conference: start preparing"), {State.INFORMING},
           State.PREPARING, {COORDINATOR, MANAGER}, needs_coordinator=True),
        _t("decline", _("The family does not want a conference"), {State.INFORMING},
           State.DECLINED, {COORDINATOR, MANAGER}, reason_required=True),
        _t("withdraw", _("Withdraw the request"), {State.REQUEST, State.INFORMING, State.PREPARING},
           State.WITHDRAWN, {COORDINATOR, MANAGER, PROFESSIONAL}, reason_required=True),
        _t("schedule", _("Conference date set"), {State.PREPARING}, State.SCHEDULED,
           {COORDINATOR, MANAGER}, needs_coordinator=True),
        _t("reschedule", _("Back to preparing (date off)"), {State.SCHEDULED}, State.PREPARING,
           {COORDINATOR, MANAGER}, reason_required=True),
        _t("cancel", _("Cancel the conference"), {State.PREPARING, State.SCHEDULED}, State.CANCELLED,
           {COORDINATOR, MANAGER}, reason_required=True),
        _t("hold", _("The conference took place"), {State.SCHEDULED}, State.HELD, {COORDINATOR}),
        _t("accept_plan", _("The plan is accepted"), {State.HELD}, State.PLAN_ACCEPTED,
           {COORDINATOR, PROFESSIONAL}),
        _t("reject_plan", _("The plan is not accepted"), {State.HELD}, State.PLAN_NOT_ACCEPTED,
           {COORDINATOR, PROFESSIONAL}, reason_required=True),
        _t("revise_plan", _("The circle revises the plan"), {State.PLAN_NOT_ACCEPTED}, State.HELD,
           {COORDINATOR}),
        _t("start_follow_up", _("Start follow-up"), {State.PLAN_ACCEPTED}, State.FOLLOW_UP,
           {COORDINATOR, MANAGER}),
        _t("close", _("Close the case"), {State.PLAN_ACCEPTED, State.PLAN_NOT_ACCEPTED, State.FOLLOW_UP},
           State.CLOSED, {COORDINATOR, MANAGER}, reason_required=True),
        _t("reopen", _("Reopen the case"), {State.CLOSED}, State.FOLLOW_UP, {COORDINATOR, MANAGER},
           reason_required=True),
    ]
}


def actor_relation(user, case) -> str | None:
    """The relation that counts for transitions: the user's role, if related."""
    if can(user, "view", case):
        return user.role
    return None


def available_transitions(user, case) -> list[Transition]:
    relation = actor_relation(user, case)
    return [
        t for t in TRANSITIONS.values()
        if case.state in t.sources and relation in t.actors
        and (not t.needs_coordinator or case.coordinator_id)
    ]
