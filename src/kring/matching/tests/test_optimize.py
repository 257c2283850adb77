"""The optimiser on hand-made pools: exact answers, and cases where greedy is provably worse."""

from __future__ import annotations

import pytest

from kring.matching.criteria import Conflict, Coordinator, Pool, Request
from kring.matching.exact import exact_dense, exact_sparse
from kring.matching.optimize import (
    BALANCE_CAP,
    WISH_UNIT,
    greedy,
    objective,
    one_by_one,
    optimize,
    tier_gap,
)

UTRECHT, LIMBURG = 1, 2


def coordinator(id: int, free: int = 1, **kwargs) -> Coordinator:
    kwargs.setdefault("regions", frozenset({UTRECHT}))
    kwargs.setdefault("languages", frozenset({"nl"}))
    return Coordinator(id=id, free=free, max_cases=max(free, 1), **kwargs)


def request(id: int, **kwargs) -> Request:
    kwargs.setdefault("region", UTRECHT)
    kwargs.setdefault("arrival", float(id))
    return Request(id=id, **kwargs)


def test_greedy_gives_the_first_coordinator_away_and_the_family_with_wishes_loses():
    # Coordinator 10 (a man, Dutch only) comes first in the list; the second family asks
    # for a woman who speaks Arabic. Greedy gives 10's colleague away to the first family.
    woman = coordinator(10, gender="f", languages=frozenset({"nl", "ar"}))
    man = coordinator(11, gender="m")
    pool = Pool(requests=(request(1), request(2, pref_gender="f", pref_language="ar")),
                coordinators=(woman, man))
    plan = optimize(pool)
    assert plan.assignment == {1: 11, 2: 10}
    assert greedy(pool).assignment == {1: 10, 2: 11}
    # gap = (5 * 11 + 4) * 2 places + 1 = 119; priorities 2 * 119 and 1 * 119; wishes 3 + 4 = 7.
    assert tier_gap(pool) == 119
    assert objective(pool, plan.assignment) == 2 * 119 + 1 * 119 + WISH_UNIT * 7
    assert objective(pool, greedy(pool).assignment) == 2 * 119 + 1 * 119
    assert objective(pool, exact_dense(pool).assignment) == objective(pool, plan.assignment)


def test_greedy_leaves_a_family_without_a_coordinator_where_the_optimum_serves_both():
    # The second family needs Arabic; greedy hands the only Arabic speaker to the first.
    arabic = coordinator(10, languages=frozenset({"nl", "ar"}))
    dutch = coordinator(11)
    pool = Pool(requests=(request(1), request(2, pref_language="ar", language_required=True)),
                coordinators=(arabic, dutch))
    assert greedy(pool).assignment == {1: 10}
    assert optimize(pool).assignment == {1: 11, 2: 10}


def test_urgent_requests_get_the_scarce_places_first():
    only = coordinator(10, free=2)
    pool = Pool(requests=(request(1), request(2), request(3, urgent=True), request(4, urgent=True)),
                coordinators=(only,))
    assert optimize(pool).assignment == {3: 10, 4: 10}
    assert greedy(pool).assignment == {1: 10, 2: 10}


def test_an_urgent_request_is_served_even_when_a_normal_one_would_meet_more_wishes():
    woman = coordinator(10, gender="f", culture="Turks", religion="islam",
                        languages=frozenset({"nl", "tr"}))
    pool = Pool(requests=(request(1, pref_gender="f", pref_language="tr", pref_culture="turks",
                                  pref_religion="Islam"),
                          request(2, urgent=True)),
                coordinators=(woman,))
    assert optimize(pool).assignment == {2: 10}


def test_among_equals_the_one_waiting_longest_is_served_not_the_one_with_more_wishes_met():
    woman = coordinator(10, gender="f")
    pool = Pool(requests=(request(1), request(2, pref_gender="f")), coordinators=(woman,))
    assert optimize(pool).assignment == {1: 10}


def test_wishes_decide_who_goes_where_once_it_is_clear_who_is_served():
    # Three families, three coordinators: each family's wish fits exactly one of them,
    # in the opposite order of the coordinator list.
    coordinators = (coordinator(10, gender="m"), coordinator(11, religion="islam"),
                    coordinator(12, gender="f", culture="Marokkaans"))
    requests = (request(1, pref_gender="f", pref_culture="Marokkaans"),
                request(2, pref_religion="islam"), request(3, pref_gender="m"))
    pool = Pool(requests=requests, coordinators=coordinators)
    plan = optimize(pool)
    assert plan.assignment == {1: 12, 2: 11, 3: 10}
    assert greedy(pool).assignment == {1: 10, 2: 11, 3: 12}
    assert objective(pool, plan.assignment) > objective(pool, greedy(pool).assignment)


def test_work_goes_to_the_coordinator_with_more_places_free():
    pool = Pool(requests=(request(1),), coordinators=(coordinator(10, free=1), coordinator(11, free=4)))
    assert optimize(pool).assignment == {1: 11}


def test_balance_never_outweighs_a_wish():
    pool = Pool(requests=(request(1, pref_religion="islam"),),
                coordinators=(coordinator(10, free=1, religion="islam"), coordinator(11, free=5)))
    assert optimize(pool).assignment == {1: 10}
    assert WISH_UNIT * 2 > BALANCE_CAP


@pytest.mark.parametrize(("wish", "fits", "other"), [
    ({"pref_gender": "f"}, {"gender": "f"}, {"gender": "m"}),
    ({"pref_language": "ar"}, {"languages": frozenset({"ar"})}, {}),
    ({"pref_culture": "Turks"}, {"culture": " turks"}, {"culture": "Pools"}),
    ({"pref_religion": "islam"}, {"religion": "Islam"}, {"religion": "katholiek"}),
])
def test_look_alike_coordinators_are_not_mixed_up(wish, fits, other):
    # Same region and places; they differ in one thing only. The misfit comes first in
    # the list, and so does the family with the wish.
    pool = Pool(requests=(request(1, **wish), request(2)),
                coordinators=(coordinator(10, **other), coordinator(11, **fits)))
    assert optimize(pool).assignment == {1: 11, 2: 10}


def test_places_of_look_alike_coordinators_are_shared_out_for_balance():
    pool = Pool(requests=tuple(request(i) for i in range(1, 5)),
                coordinators=(coordinator(10, free=1), coordinator(11, free=5), coordinator(12, free=3)))
    plan = optimize(pool)
    # 4 requests: the fullest-free first (5 then 3 places), never the one with 1 place.
    assert sorted(plan.assignment.values()) == [11, 11, 11, 12]
    assert objective(pool, plan.assignment) == objective(pool, exact_dense(pool).assignment)


def test_hard_rules_are_never_broken_even_when_nobody_else_is_there():
    conflicted = coordinator(10, conflicts=(Conflict(organisation="Samen Veilig"),))
    absent = coordinator(11, absent=True)
    inactive = coordinator(12, active=False)
    full = coordinator(13, free=0)
    elsewhere = coordinator(14, regions=frozenset({LIMBURG}))
    dutch_only = coordinator(15)
    pool = Pool(
        requests=(request(1, organisations=frozenset({"samen veilig"})),
                  request(2, pref_language="so", language_required=True)),
        coordinators=(conflicted, absent, inactive, full, elsewhere, dutch_only),
    )
    plan = optimize(pool)
    assert plan.assignment == {1: 15}


def test_a_conflict_with_a_person_of_the_family_blocks_only_that_family():
    knows = coordinator(10, free=2, conflicts=(Conflict(person="Fatima el Amrani"),))
    pool = Pool(requests=(request(1, persons=frozenset({"FATIMA EL AMRANI"})), request(2)),
                coordinators=(knows,))
    assert optimize(pool).assignment == {2: 10}


@pytest.mark.parametrize("solve", [optimize, greedy, one_by_one, exact_dense, exact_sparse])
def test_empty_pools_give_empty_plans(solve):
    assert solve(Pool(requests=(), coordinators=())).assignment == {}
    assert solve(Pool(requests=(request(1),), coordinators=())).assignment == {}
    assert solve(Pool(requests=(), coordinators=(coordinator(10),))).assignment == {}


def test_the_whole_country_at_once_keeps_regions_apart():
    utrecht = coordinator(10, free=3)
    limburg = coordinator(11, free=3, regions=frozenset({LIMBURG}))
    both = coordinator(12, free=1, regions=frozenset({UTRECHT, LIMBURG}))
    requests = tuple(request(i, region=UTRECHT if i % 2 else LIMBURG) for i in range(1, 9))
    plan = optimize(Pool(requests=requests, coordinators=(utrecht, limburg, both)))
    regions = {10: {UTRECHT}, 11: {LIMBURG}, 12: {UTRECHT, LIMBURG}}
    assert len(plan.assignment) == 7
    for rid, cid in plan.assignment.items():
        assert requests[rid - 1].region in regions[cid]
