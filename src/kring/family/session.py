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
from django.db import DEFAULT_DB_ALIAS
from django.shortcuts import redirect

from kring.audit.log import append_entry, client_address
from kring.audit.models import Action, Outcome
from kring.cases.models import Case, CasePerson, PersonRole
from kring.cases.prepared import PreparedValues

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


def _attnames(model, names: tuple[str, ...]) -> list[str]:
    """The columns `only(*names)` loads of `model` (with its key), in the model's order of fields.

    That is the order the ORM selects a model's columns in, and the order `Model.from_db` expects.
    """
    wanted = {model._meta.pk.attname, *(model._meta.get_field(name).attname for name in names)}
    return [f.attname for f in model._meta.concrete_fields if f.attname in wanted]


_PERSON_COLUMNS = _attnames(CasePerson, PERSON_FIELDS)
_CASE_COLUMNS = _attnames(Case, CASE_FIELDS)
_SELF_PLAN_COLUMNS = _attnames(SelfPlan, SELF_PLAN_FIELDS)

#: The person, their case and its self-made plan (NULLs when there is none) in one row, compiled once
#: (see `kring.cases.prepared`): the joins of `select_related("case", "case__self_plan")`.
_PERSON_ROW = PreparedValues(lambda person_id: CasePerson.objects.filter(pk=person_id).order_by().values_list(
    *_PERSON_COLUMNS, *(f"case__{name}" for name in _CASE_COLUMNS),
    *(f"case__self_plan__{name}" for name in _SELF_PLAN_COLUMNS))[:1])


def family_person(person_id: int, using: str = DEFAULT_DB_ALIAS) -> CasePerson | None:
    """The person with the fields a portal page needs, their case and its self-made plan, in one query.

    Made as `select_related("case", "case__self_plan").only(...)` makes them: the loaded fields
    (the others deferred), the case cached on the person, the plan (or None) on the case.
    """
    rows = _PERSON_ROW(person_id, using)
    if not rows:
        return None
    row = rows[0]
    a, b = len(_PERSON_COLUMNS), len(_PERSON_COLUMNS) + len(_CASE_COLUMNS)
    person = CasePerson.from_db(using, _PERSON_COLUMNS, row[:a])
    case = Case.from_db(using, _CASE_COLUMNS, row[a:b])
    self_plan = None
    if row[b] is not None:
        self_plan = SelfPlan.from_db(using, _SELF_PLAN_COLUMNS, row[b:])
        SelfPlan.case.field.set_cached_value(self_plan, case)
    Case.self_plan.related.set_cached_value(case, self_plan)
    CasePerson.case.field.set_cached_value(person, case)
    return person


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
