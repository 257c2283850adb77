"""Properties over random pools (hypothesis): hard rules hold, the optimum is exact."""

from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kring.matching.criteria import (
    Conflict,
    Coordinator,
    Pool,
    Request,
    evaluate,
    has_blocker,
    wish_score,
)
from kring.matching.exact import exact_dense, exact_sparse
from kring.matching.explain import Why, explain_unmatched
from kring.matching.optimize import (
    BALANCE_CAP,
    WISH_UNIT,
    eligible_edges,
    greedy,
    objective,
    one_by_one,
    optimize,
    priority_order,
)

# Small vocabularies with case and space variants, so that equal-but-differently-written
# values meet (and empty ones never do).
LANGUAGES = ["nl", "ar", "AR", "tr", "so"]
GENDERS = ["", "f", "m", "x"]
CULTURES = ["", "Turks", " turks ", "Marokkaans", "  "]
RELIGIONS = ["", "islam", "Islam", "christelijk"]
NAMES = ["Ana Bos", "ana bos", "Bo Smit"]
ORGANISATIONS = ["Samen Veilig", "samen veilig", "Jeugdzorg Oost"]

conflicts = st.one_of(
    st.builds(Conflict, person=st.sampled_from(NAMES)),
    st.builds(Conflict, organisation=st.sampled_from(ORGANISATIONS)),
)


@st.composite
def pools(draw, max_requests: int = 10, max_coordinators: int = 6, max_free: int = 3) -> Pool:
    regions = st.sampled_from([1, 2, 3])
    coordinators = tuple(
        Coordinator(
            id=100 + j,
            regions=frozenset(draw(st.sets(regions, max_size=2))),
            free=(free := draw(st.integers(0, max_free))),
            max_cases=free + draw(st.integers(0, 2)),
            languages=frozenset(draw(st.sets(st.sampled_from(LANGUAGES), max_size=3))),
            gender=draw(st.sampled_from(GENDERS)),
            culture=draw(st.sampled_from(CULTURES)),
            religion=draw(st.sampled_from(RELIGIONS)),
            active=draw(st.booleans().map(lambda b: b or draw(st.booleans()))),
            absent=draw(st.sampled_from([False, False, False, True])),
            conflicts=tuple(draw(st.lists(conflicts, max_size=2))),
        )
        for j in range(draw(st.integers(0, max_coordinators)))
    )
    requests = tuple(
        Request(
            id=i + 1,
            region=draw(regions),
            urgent=draw(st.sampled_from([False, False, True])),
            arrival=float(draw(st.integers(0, 5))),  # ties are broken by id
            pref_gender=draw(st.sampled_from(GENDERS)),
            pref_language=draw(st.sampled_from(["", *LANGUAGES])),
            language_required=draw(st.booleans()),
            pref_culture=draw(st.sampled_from(CULTURES)),
            pref_religion=draw(st.sampled_from(RELIGIONS)),
            persons=frozenset(draw(st.sets(st.sampled_from(NAMES), max_size=1))),
            organisations=frozenset(draw(st.sets(st.sampled_from(ORGANISATIONS), max_size=1))),
        )
        for i in range(draw(st.integers(0, max_requests)))
    )
    return Pool(requests=requests, coordinators=coordinators)


@st.composite
def look_alike_pools(draw) -> Pool:
    """Coordinators that are copies of one template with one thing changed, and families
    whose wishes tell them apart: puts the optimiser's grouping of look-alikes to the test."""
    template = dict(regions=frozenset({1}), free=2, max_cases=3, languages=frozenset({"nl"}),
                    gender="f", culture="Turks", religion="islam")
    variations = {
        "gender": st.sampled_from(["m", "m", "x", ""]), "culture": st.sampled_from(["Pools", " turks", ""]),
        "religion": st.sampled_from(["katholiek", "Islam", ""]), "free": st.integers(0, 3),
        "languages": st.sampled_from([frozenset({"nl", "ar"}), frozenset({"AR"}), frozenset()]),
        "regions": st.sampled_from([frozenset({2}), frozenset({1, 2})]),
        "conflicts": st.lists(conflicts, min_size=1, max_size=1).map(tuple),
        "absent": st.just(True),
    }
    coordinators = []
    for j in range(draw(st.integers(2, 5))):
        changed = draw(st.sampled_from([None, "gender", *sorted(variations)]))
        attrs = dict(template) if changed is None else {**template, changed: draw(variations[changed])}
        attrs["max_cases"] = max(attrs["max_cases"], attrs["free"])
        coordinators.append(Coordinator(id=100 + j, **attrs))
    requests = tuple(
        Request(id=i + 1, region=draw(st.sampled_from([1, 1, 2])),
                urgent=draw(st.sampled_from([False, False, True])),
                pref_gender=draw(st.sampled_from(["", "f", "m", "m"])),
                pref_language=draw(st.sampled_from(["", "ar"])),
                language_required=draw(st.booleans()),
                pref_culture=draw(st.sampled_from(["", "Turks", "Pools"])),
                pref_religion=draw(st.sampled_from(["", "islam", "katholiek"])),
                persons=frozenset(draw(st.sets(st.sampled_from(NAMES), max_size=1))),
                organisations=frozenset(draw(st.sets(st.sampled_from(ORGANISATIONS), max_size=1))))
        for i in range(draw(st.integers(1, 8))))
    return Pool(requests=requests, coordinators=tuple(coordinators))


FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_respects_hard_rules(pool: Pool, assignment: dict[int, int]) -> None:
    requests = {r.id: r for r in pool.requests}
    coordinators = {c.id: c for c in pool.coordinators}
    assert set(assignment) <= set(requests)  # a dict: no request twice
    for rid, cid in assignment.items():
        fit = evaluate(requests[rid], coordinators[cid])
        assert fit.eligible, (rid, cid, fit.blockers)
    for cid, taken in Counter(assignment.values()).items():
        assert taken <= coordinators[cid].free, cid


@FAST
@given(st.one_of(pools(), look_alike_pools()))
def test_no_plan_ever_breaks_a_hard_rule_or_overfills_a_coordinator(pool):
    for solve in (optimize, greedy, one_by_one):
        assert_respects_hard_rules(pool, solve(pool).assignment)


@FAST
@given(pools())
def test_the_vectorised_pairs_are_exactly_the_pairs_the_rules_allow(pool):
    edges = eligible_edges(pool)
    found = {(pool.requests[i].id, pool.coordinators[j].id): s
             for i, j, s in zip(edges.req.tolist(), edges.coord.tolist(), edges.score.tolist(), strict=True)}
    expected = {(r.id, c.id): wish_score(r, c)[0]
                for r in pool.requests for c in pool.coordinators if not has_blocker(r, c)}
    assert found == expected
    for r in pool.requests:
        for c in pool.coordinators:
            fit = evaluate(r, c)
            assert fit.eligible == (not has_blocker(r, c))
            assert (fit.score, fit.wishes_met) == wish_score(r, c)


@FAST
@given(st.one_of(pools(), look_alike_pools()))
def test_the_optimiser_reaches_the_exact_optimum_of_two_independent_methods(pool):
    best = objective(pool, optimize(pool).assignment)
    assert objective(pool, exact_dense(pool).assignment) == best
    assert objective(pool, exact_sparse(pool).assignment) == best
    assert objective(pool, greedy(pool).assignment) <= best
    assert objective(pool, one_by_one(pool).assignment) <= best


def _lexicographic_key(pool: Pool, assignment: dict[int, int]) -> tuple:
    """Served flags in queue order, then wish and balance points: the order the plan promises."""
    order = priority_order(pool.requests)
    served = tuple(pool.requests[i].id in assignment for i in order)
    coordinators = {c.id: c for c in pool.coordinators}
    points = sum(WISH_UNIT * wish_score(r, coordinators[assignment[r.id]])[0]
                 for r in pool.requests if r.id in assignment)
    for cid, taken in Counter(assignment.values()).items():
        points += sum(min(coordinators[cid].free - k, BALANCE_CAP) for k in range(1, taken + 1))
    return (served, points)


def _brute_force_best(pool: Pool) -> tuple:
    options = [[None, *(c.id for c in pool.coordinators if not has_blocker(r, c))] for r in pool.requests]
    free = {c.id: c.free for c in pool.coordinators}
    best = None
    for choice in itertools.product(*options):
        taken = Counter(c for c in choice if c is not None)
        if any(taken[cid] > free[cid] for cid in taken):
            continue
        key = _lexicographic_key(pool, {r.id: c for r, c in zip(pool.requests, choice, strict=True)
                                        if c is not None})
        best = key if best is None or key > best else best
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(max_requests=5, max_coordinators=3, max_free=2))
def test_urgent_then_oldest_first_then_wishes_then_balance_by_brute_force(pool):
    assert _lexicographic_key(pool, optimize(pool).assignment) == _brute_force_best(pool)


@FAST
@given(pools())
def test_every_request_left_over_has_a_reason_and_none_is_left_with_a_free_coordinator(pool):
    assignment = optimize(pool).assignment
    reasons = explain_unmatched(pool, assignment)
    assert set(reasons) == {r.id for r in pool.requests} - set(assignment)
    for reason in reasons.values():
        # The optimum leaves nobody behind who could still be placed, and whoever holds a
        # place they could have had goes first.
        assert reason.why not in (Why.PLACES_LEFT, Why.FULL, Why.DROPPED)
        assert reason.text
