"""Ranking coordinators for one request: hard rules are never broken, wishes order the rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from kring.accounts.models import Absence, ConflictOfInterest
from kring.cases.models import Case
from kring.cases.services import case_assign
from kring.matching.ranking import rank_coordinators
from kring.testing import factories as f


@pytest.fixture
def pool(world):
    arabic_woman = f.CoordinatorFactory(profile__languages=["nl", "ar"], profile__gender="f",
                                        profile__cultural_background="Marokkaans", profile__max_cases=3)
    dutch_man = f.CoordinatorFactory(profile__languages=["nl"], profile__gender="m", profile__max_cases=3)
    full = f.CoordinatorFactory(profile__languages=["nl", "ar"], profile__gender="f", profile__max_cases=1)
    f.CaseFactory(coordinator=full, family=False)
    absent = f.CoordinatorFactory(profile__languages=["nl", "ar"], profile__gender="f")
    Absence.objects.create(coordinator=absent.coordinator_profile, starts_on=timezone.localdate(),
                           ends_on=timezone.localdate() + timedelta(days=7))
    conflicted = f.CoordinatorFactory(profile__languages=["nl", "ar"], profile__gender="f")
    ConflictOfInterest.objects.create(coordinator=conflicted.coordinator_profile, organisation="Samen Veilig Utrecht")
    elsewhere = f.CoordinatorFactory(profile__languages=["ar"], profile__regions=[f.region("limburg")])
    Case.objects.filter(pk=world.case.pk).update(pref_language="ar", pref_gender="f",
                                                 pref_culture="marokkaans", requester_organisation="Samen Veilig Utrecht")
    world.case.refresh_from_db()
    return {"arabic_woman": arabic_woman, "dutch_man": dutch_man, "full": full, "absent": absent,
            "conflicted": conflicted, "elsewhere": elsewhere}


def test_the_best_fit_comes_first_with_a_readable_reason(world, pool):
    with translation.override("en"):
        top = rank_coordinators(world.case)[0]
        assert top.coordinator == pool["arabic_woman"] and top.eligible
        assert top.reason == "speaks Arabic, woman, background Marokkaans, 3 of 3 places free"
    with translation.override("nl"):
        top = rank_coordinators(world.case)[0]
        assert top.reason == "spreekt Arabisch, vrouw, achtergrond Marokkaans, 3 van 3 plekken vrij"


def test_hard_rules_exclude_full_absent_conflicted_and_other_regions(world, pool):
    ranking = {s.coordinator.pk: s for s in rank_coordinators(world.case)}
    assert pool["elsewhere"].pk not in ranking
    for name in ["full", "absent", "conflicted"]:
        assert not ranking[pool[name].pk].eligible, name
    assert ranking[pool["dutch_man"].pk].eligible
    # Ineligible coordinators come after every eligible one.
    ordered = rank_coordinators(world.case)
    eligible_flags = [s.eligible for s in ordered]
    assert eligible_flags == sorted(eligible_flags, reverse=True)


def test_a_needed_language_is_a_hard_rule(world, pool):
    Case.objects.filter(pk=world.case.pk).update(language_required=True)
    world.case.refresh_from_db()
    ranking = {s.coordinator.pk: s for s in rank_coordinators(world.case)}
    assert not ranking[pool["dutch_man"].pk].eligible


@pytest.mark.parametrize("name", ["full", "absent", "conflicted"])
def test_assigning_an_ineligible_coordinator_is_refused_and_changes_nothing(world, pool, name):
    with pytest.raises(ValidationError):
        case_assign(case=world.case, coordinator=pool[name], by=world.manager)
    world.case.refresh_from_db()
    assert world.case.coordinator is None and world.case.assigned_at is None


def test_assigning_a_coordinator_of_another_region_is_refused(world, pool):
    with pytest.raises(ValidationError):
        case_assign(case=world.case, coordinator=pool["elsewhere"], by=world.manager)


def test_only_the_regional_manager_of_the_case_may_assign(world, pool):
    for user in [world.stranger_manager, world.professional, world.coordinator]:
        with pytest.raises(ValidationError):
            case_assign(case=world.case, coordinator=pool["arabic_woman"], by=user)
    case_assign(case=world.case, coordinator=pool["arabic_woman"], by=world.manager)
    world.case.refresh_from_db()
    assert world.case.coordinator == pool["arabic_woman"]
