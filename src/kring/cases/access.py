"""The one way a view or API operation reaches a case.

Strangers get 404 (they must not learn that the case exists); people related
to the case who lack the right for this action get 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kring.audit.log import log_access
from kring.audit.models import Action, Outcome

from .models import Case
from .prepared import PreparedModels
from .rules import can

ACTIONS = {"view", "change", "transition", "assign", "contact", "view_log"}


def _related(cases):
    # Not `referred_by`: the rules need only its id, and no page shows that user.
    return cases.select_related("region", "municipality", "coordinator")


#: The case with what every case page shows of it, by id: compiled once (this runs on every case
#: page and building the query cost more CPU than running it). `[:1]`, not `first()`: no ORDER BY.
_CASE = PreparedModels(lambda pk: _related(Case.objects).filter(pk=pk).order_by()[:1])


def get_case_for(user, case_id, action: str = "view", *, request=None, for_update: bool = False) -> Case:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    try:
        case_pk = int(case_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if for_update:
        case = next(iter(_related(Case.objects).select_for_update(of=("self",)).filter(pk=case_pk)
                         .order_by()[:1]), None)
    else:
        case = next(iter(_CASE(case_pk)), None)
    if case is None or not can(user, "view", case):
        if request is not None and user.is_authenticated:
            log_access(request, action=Action.READ, object_type="case", object_id=case_pk,
                       outcome=Outcome.DENIED, purpose="refused: not related to the case")
        raise Http404
    if action != "view" and not can(user, action, case):
        if request is not None:
            log_access(request, action=Action.READ, obj=case, outcome=Outcome.DENIED,
                       purpose=f"refused: no right to {action}")
        raise PermissionDenied
    return case
