"""The family session: a `CasePerson` id in the Django session, never a `User`.

`family_view` is the one way a portal view reaches a case: the case is always the
signed-in person's own case (no case id comes from the URL), the person must still
be allowed to sign in, and 30 minutes without activity end the session.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.shortcuts import redirect

from kring.audit.log import append_entry, client_address
from kring.audit.models import Action, Outcome
from kring.cases.models import Case, CasePerson, PersonRole

from .models import SelfPlan
from .signin import eligible

SESSION_KEY = "kring_family"


#: What a portal page reads of the signed-in person (the sign-in rules and the name) and of
#: their case, in the one query of every portal request. Other fields load when read.
PERSON_FIELDS = ("case_id", "role", "name", "birth_date", "is_main_person")
CASE_FIELDS = ("reference", "state", "region_id", "municipality_id", "coordinator_id",
               "phone_consent", "phone_consent_at")
SELF_PLAN_FIELDS = ("case_id", "step", "finished_at")


@dataclass(frozen=True)
class Family:
    person: CasePerson
    case: Case

    @property
    def role(self) -> str:
        return "parent" if self.person.role == PersonRole.PARENT else "young_person"

    @property
    def self_plan(self) -> SelfPlan | None:
        """The plan the family makes itself, if it makes one (read with the person by `current_family`)."""
        try:
            return self.case.self_plan
        except SelfPlan.DoesNotExist:
            return None


def family_login(request, person_ids: list[int]) -> None:
    """Start a family session (a new session key) for the persons one code signed in."""
    request.session.cycle_key()
    now = time.time()
    request.session[SESSION_KEY] = {"persons": person_ids, "person": person_ids[0] if len(person_ids) == 1 else None,
                                    "started": now, "last_seen": now}


def family_choose(request, person_id: int) -> bool:
    state = request.session.get(SESSION_KEY)
    if not state or person_id not in state["persons"]:
        return False
    request.session[SESSION_KEY] = {**state, "person": person_id}
    return True


def family_logout(request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def signed_in_persons(request) -> list[int]:
    state = request.session.get(SESSION_KEY) or {}
    return list(state.get("persons") or [])


def current_family(request) -> Family | None:
    """The signed-in person and their case, or None (not signed in, idle too long, no longer allowed)."""
    state = request.session.get(SESSION_KEY)
    if not state or not state.get("person"):
        return None
    now = time.time()
    idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
    absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
    if now - state["last_seen"] > idle or now - state["started"] > absolute:
        family_logout(request)
        request.family_expired = True
        return None
    person = family_person(state["person"])
    if person is None or not eligible(person):
        family_logout(request)
        return None
    request.session[SESSION_KEY] = {**state, "last_seen": now}
    return Family(person=person, case=person.case)


def family_person(person_id: int) -> CasePerson | None:
    """The person with the fields a portal page needs, their case and its self-made plan, in one query."""
    person = (
        CasePerson.objects.select_related("case", "case__self_plan")
        .only(*PERSON_FIELDS, *(f"case__{name}" for name in CASE_FIELDS),
              *(f"case__self_plan__{name}" for name in SELF_PLAN_FIELDS))
        .filter(pk=person_id)
        .order_by()[:1]  # the key finds one row: no ORDER BY to compile, as `first()` would add
    )
    return next(iter(person), None)


def family_view(view):
    """Views get `family` (person and own case); others go to the sign-in page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        family = current_family(request)
        if family is None:
            if signed_in_persons(request):
                return redirect("family_choose")
            # The sign-in form in place (no redirect): the page asks to sign in first.
            from .views import sign_in_page

            return sign_in_page(request, expired=getattr(request, "family_expired", False))
        request.family = family
        return view(request, family, *args, **kwargs)

    return wrapper


def log_family(request, family: Family, *, action: str = Action.READ, purpose: str,
               object_type: str = "case", object_id=None, outcome: str = Outcome.SUCCESS) -> None:
    """The family's own views go in their case's access log too, under their own name."""
    append_entry(
        action=str(action), outcome=str(outcome), user_id=None, user_label=family.person.name,
        role=family.role, on_behalf_of="self", client_address=client_address(request),
        object_type=object_type, object_id=str(object_id if object_id is not None else family.case.pk),
        case_id=family.case.pk, purpose=purpose,
    )
