"""Explanations: wishes met per pair, and why a request is left without a coordinator."""

from __future__ import annotations

import pytest
from django.utils import translation

from kring.matching.criteria import Conflict, Pool
from kring.matching.explain import Why, explain_pairs, explain_unmatched
from kring.matching.optimize import optimize
from kring.matching.tests.test_optimize import LIMBURG, coordinator, request


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def reason(pool: Pool, request_id: int, assignment=None, dropped=()):
    assignment = optimize(pool).assignment if assignment is None else assignment
    return explain_unmatched(pool, assignment, dropped)[request_id]


def test_nobody_works_in_the_region():
    pool = Pool(requests=(request(1),), coordinators=(coordinator(10, regions=frozenset({LIMBURG})),))
    why = reason(pool, 1)
    assert why.why == Why.NO_COORDINATOR
    assert why.text == "No coordinator works in this region."


def test_nobody_speaks_the_language_the_family_needs():
    pool = Pool(requests=(request(1, pref_language="so", language_required=True),),
                coordinators=(coordinator(10),))
    why = reason(pool, 1)
    assert why.why == Why.NO_LANGUAGE
    assert why.text == "No coordinator in this region speaks Somali, which the family needs."


def test_nobody_has_places_free():
    pool = Pool(requests=(request(1),), coordinators=(coordinator(10, free=0), coordinator(11, active=False)))
    why = reason(pool, 1)
    assert why.why == Why.NO_PLACES
    assert why.text == "The coordinators who could take it have no places free."


def test_all_candidates_are_absent_or_conflicted():
    pool = Pool(requests=(request(1, persons=frozenset({"Ana Bos"})),),
                coordinators=(coordinator(10, absent=True),
                              coordinator(11, conflicts=(Conflict(person="ana bos"),))))
    assert reason(pool, 1).why == Why.ABSENT_OR_CONFLICT


def test_places_taken_by_requests_that_go_first():
    pool = Pool(requests=(request(1), request(2), request(3, urgent=True)),
                coordinators=(coordinator(10), coordinator(11)))
    why = reason(pool, 2)
    assert optimize(pool).assignment.keys() == {1, 3}
    assert why.why == Why.TAKEN
    assert why.text == ("All 2 coordinators who could take it are full with requests that go first "
                        "(urgent ones, then the ones waiting longest).")


def test_after_a_manual_change_the_reason_says_what_is_left():
    pool = Pool(requests=(request(1), request(2)), coordinators=(coordinator(10), coordinator(11)))
    # After changes by hand: request 1 lost its place although one is still free.
    assert reason(pool, 1, assignment={2: 10}).why == Why.PLACES_LEFT
    assert reason(pool, 1, assignment={2: 10}).text == "1 coordinator can still take it: choose one."
    assert reason(pool, 2, assignment={1: 10}, dropped={2}).why == Why.DROPPED
    # A later request holds the only place: full, but not with requests that go first.
    one = Pool(requests=(request(1), request(2)), coordinators=(coordinator(10),))
    assert reason(one, 1, assignment={2: 10}).why == Why.FULL


def test_pairs_say_which_wishes_are_met_in_the_rankings_words():
    pool = Pool(requests=(request(1, pref_gender="f", pref_language="ar", pref_religion="islam"),),
                coordinators=(coordinator(10, gender="f", languages=frozenset({"ar"})),))
    fit = explain_pairs(pool, optimize(pool).assignment)[1]
    assert fit.met == ["speaks Arabic", "woman"]
    assert fit.unmet == ["religion"]
    with translation.override("nl"):
        fit = explain_pairs(pool, {1: 10})[1]
        assert fit.met == ["spreekt Arabisch", "vrouw"]
