"""Who may do what with the information form and the plan, on top of `get_case_for`.

`get_case_for(..., "view")` answers 404 to strangers; people related to the
case in another role than the step needs get 403 here, logged once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kring.audit.log import log_access
from kring.audit.models import Action, Outcome
from kring.cases.access import get_case_for
from kring.cases.models import Case
from kring.cases.rules import (
    is_coordinator_of_case,
    is_professional_of_case,
    is_regional_manager_of_case,
)

MANAGER = "regional_manager"
COORDINATOR = "coordinator"
PROFESSIONAL = "professional"

RELATIONS = {
    MANAGER: is_regional_manager_of_case,
    COORDINATOR: is_coordinator_of_case,
    PROFESSIONAL: is_professional_of_case,
}


def relation_of(user, case: Case) -> set[str]:
    """The relations `user` has to `case` ('coordinator', 'professional', 'regional_manager')."""
    return {name for name, predicate in RELATIONS.items() if predicate(user, case)}


def plan_case_for(request, case_id, *, allowed: Iterable[str], action: str = Action.READ,
                  purpose: str) -> Case:
    """The case, for someone with one of the `allowed` relations: 404 to strangers, 403 to the others."""
    case = get_case_for(request.user, case_id, "view", request=request)
    if not relation_of(request.user, case) & set(allowed):
        log_access(request, action=action, obj=case, outcome=Outcome.DENIED, purpose=f"refused: {purpose}")
        raise PermissionDenied(_("Your role in this case does not allow this."))
    return case
