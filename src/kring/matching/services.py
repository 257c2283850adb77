"""Carrying out a matching proposal: every pair through `case_assign`, all or nothing."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from kring.accounts.models import CoordinatorProfile, Role, User
from kring.cases.access import get_case_for
from kring.cases.models import Case
from kring.cases.services import case_assign


class ProposalRefused(ValidationError):
    """One pair could not be assigned; nothing of the proposal was assigned."""

    def __init__(self, message: str, *, case_id: int, reference: str = "", visible: bool = True):
        super().__init__(message, code="proposal_refused")
        self.case_id = case_id
        self.reference = reference
        self.visible = visible  # False when the user may not know that the case exists


@transaction.atomic
def proposal_assign(*, pairs: Sequence[tuple[int, int]], by: User) -> list[Case]:
    """Assign each (case id, coordinator id) pair in one transaction.

    Every case is reached through `get_case_for` and assigned by `case_assign`, which
    checks the hard rules again under a row lock and queues the e-mail to the
    coordinator. The first pair that fails raises `ProposalRefused` and rolls back all.

    Locks are taken in one global order before any assignment: every case by
    id, then every coordinator's profile by id. `case_assign` takes a case and
    then a profile; taking them pair by pair here would interleave the two and
    let two overlapping proposals wait for each other for ever.
    """
    pairs = sorted(pairs)
    list(Case.objects.select_for_update(of=("self",)).filter(pk__in=[c for c, _u in pairs])
         .order_by("pk").values_list("pk", flat=True))
    list(CoordinatorProfile.objects.select_for_update().filter(user_id__in=[u for _c, u in pairs])
         .order_by("pk").values_list("pk", flat=True))
    assigned = []
    for case_id, coordinator_id in pairs:
        try:
            case = get_case_for(by, case_id, "assign", for_update=True)
        except (Http404, PermissionDenied):
            raise ProposalRefused(_("You may not assign a coordinator to this request."),
                                  case_id=case_id, visible=False) from None
        if case.coordinator_id is not None:
            raise ProposalRefused(_("It already has a coordinator."), case_id=case.pk,
                                  reference=case.reference)
        coordinator = User.objects.filter(pk=coordinator_id, role=Role.COORDINATOR,
                                          is_active=True).first()
        if coordinator is None:
            raise ProposalRefused(_("This coordinator can no longer be chosen."), case_id=case.pk,
                                  reference=case.reference)
        try:
            assigned.append(case_assign(case=case, coordinator=coordinator, by=by))
        except ValidationError as exc:
            raise ProposalRefused(" ".join(exc.messages), case_id=case.pk,
                                  reference=case.reference) from exc
    return assigned
