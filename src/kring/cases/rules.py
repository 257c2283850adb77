"""Who may do what with a case: roles *and* relation to the case.

`django-rules` predicates; `Case.objects.visible_to` mirrors `view_case`.
"""

from __future__ import annotations

import rules

from kring.accounts.models import Role


@rules.predicate
def is_regional_manager_of_case(user, case) -> bool:
    if case is None or not user.has_role(Role.REGIONAL_MANAGER):
        return False
    from .models import manager_region_ids

    return case.region_id in manager_region_ids(user)


@rules.predicate
def is_coordinator_of_case(user, case) -> bool:
    return case is not None and user.has_role(Role.COORDINATOR) and case.coordinator_id == user.pk


@rules.predicate
def is_professional_of_case(user, case) -> bool:
    if case is None or not user.has_role(Role.PROFESSIONAL):
        return False
    return case.referred_by_id == user.pk or case.professionals.filter(user=user).exists()


related = is_regional_manager_of_case | is_coordinator_of_case | is_professional_of_case

rules.add_perm("cases.view_case", related)
rules.add_perm("cases.change_case", is_regional_manager_of_case | is_coordinator_of_case)
rules.add_perm("cases.transition_case", related)
rules.add_perm("cases.assign_case", is_regional_manager_of_case)
rules.add_perm("cases.contact_case", is_coordinator_of_case)
rules.add_perm("cases.view_log_case", is_regional_manager_of_case)


def can(user, action: str, case) -> bool:
    """Whether `user` may do `action` to `case`.

    Uses the rules registry directly: Django's `user.has_perm` lets superusers
    do everything, but the administrator must never see case content.
    """
    return rules.has_perm(f"cases.{action}_case", user, case)
