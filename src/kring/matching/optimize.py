"""Assign all open requests to coordinators at once, with min-cost flows (OR-Tools).

The plan maximises, in strict order:

1. **who is served**: urgent requests first, then the ones that came in first. No amount
   of wishes ever costs an urgent or an older request its place. Which requests can be
   served together forms a transversal matroid, so this also serves as many as possible.
2. **the family's wishes**: `WISH_UNIT` points per point of `criteria.WEIGHTS`.
3. **workload balance**: a coordinator's k-th new case earns the places still free after
   it (at most `BALANCE_CAP`); concave in the load, so work is spread.

`objective()` puts the three on one scale (`tier_gap` keeps them apart) and evaluates any
plan, also greedy ones, so that plans compare; `exact.py` reaches the same optimum with
SciPy on that single scale. The optimiser takes the two steps separately, which is exact
and much smaller:

- *who* (`_who`): a maximum flow of minimum cost (cost = place in the queue) from the
  requests to groups of coordinators who are interchangeable for the hard rules;
- *where* (`_where`): every served request must be placed; a min-cost flow over the
  eligible pairs only (sparse), to groups of coordinators who look the same to every
  family's wishes, with one arc per balance level of their free places.

Coordinators with a conflict of interest in the pool never join a group. At 10,000
requests x 2,000 coordinators both networks together hold well under a million arcs.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from .criteria import MAX_SCORE, WEIGHTS, Coordinator, Pool, Request, text_key, wish_score

WISH_UNIT = 5  # one wish point weighs more than the largest balance difference of one pair
BALANCE_CAP = 4


@dataclass(frozen=True)
class Plan:
    """Request id → coordinator id, how long it took, and how it was made."""

    assignment: dict[int, int]
    seconds: float = 0.0
    method: str = "optimal"
    arcs: int = 0


@dataclass
class Edges:
    """The eligible pairs of a pool, as indices into `pool.requests` and `pool.coordinators`."""

    req: np.ndarray
    coord: np.ndarray
    score: np.ndarray


# --- weights -----------------------------------------------------------------------------


def priority_order(requests: tuple[Request, ...] | list[Request]) -> list[int]:
    """Indices of `requests`, first served first: urgent, then earliest arrival, then id."""
    return sorted(range(len(requests)),
                  key=lambda i: (not requests[i].urgent, requests[i].arrival, requests[i].id))


def tier_gap(pool: Pool) -> int:
    """Priority gap between two requests: more than wishes and balance can ever add up to."""
    places = sum(c.free for c in pool.coordinators if c.free > 0)
    most_pairs = max(1, min(len(pool.requests), places))
    return (WISH_UNIT * MAX_SCORE + BALANCE_CAP) * most_pairs + 1


def balance(free: int, taken: int) -> int:
    """Balance points of a coordinator with `free` places who gets `taken` new cases."""
    return sum(min(free - k, BALANCE_CAP) for k in range(1, taken + 1))


def objective(pool: Pool, assignment: Mapping[int, int]) -> int:
    """The value of a plan: priority of the served requests, then wishes, then balance."""
    n = len(pool.requests)
    gap = tier_gap(pool)
    coordinators = {c.id: c for c in pool.coordinators}
    rank = {pool.requests[i].id: r for r, i in enumerate(priority_order(pool.requests))}
    value = 0
    taken: dict[int, int] = defaultdict(int)
    for request in pool.requests:
        cid = assignment.get(request.id)
        if cid is None:
            continue
        value += (n - rank[request.id]) * gap + WISH_UNIT * wish_score(request, coordinators[cid])[0]
        taken[cid] += 1
    return value + sum(balance(coordinators[cid].free, k) for cid, k in taken.items())


# --- eligible pairs, vectorised -------------------------------------------------------------


def _codes(values: list[str], vocabulary: dict[str, int]) -> np.ndarray:
    """Integer codes; '' is 0 (no wish), new values get 1, 2, ..."""
    out = np.zeros(len(values), dtype=np.int32)
    for i, v in enumerate(values):
        if v:
            out[i] = vocabulary.setdefault(v, len(vocabulary) + 1)
    return out


def _coordinator_codes(values: list[str], vocabulary: dict[str, int]) -> np.ndarray:
    """Codes for coordinators; unknown or empty values get -1 so they never equal a wish."""
    return np.array([vocabulary.get(v, -1) if v else -1 for v in values], dtype=np.int32)


def eligible_edges(pool: Pool, only: np.ndarray | None = None, columns: list[int] | None = None,
                   conflicts: np.ndarray | None = None) -> Edges:
    """Every pair that breaks no hard rule, with its wish score (same rules as `criteria`).

    `only`: indices of the requests to consider, `columns`: of the coordinators (default:
    all); `conflicts`: `conflict_codes(pool)` when the caller has it already.
    """
    requests, coordinators = pool.requests, pool.coordinators
    n, m = len(requests), len(coordinators)
    empty = np.zeros(0, dtype=np.int32)
    if n == 0 or m == 0:
        return Edges(empty, empty, empty.astype(np.int16))

    gender_vocab: dict[str, int] = {}
    culture_vocab: dict[str, int] = {}
    religion_vocab: dict[str, int] = {}
    language_vocab: dict[str, int] = {}
    r_gender = _codes([r.pref_gender for r in requests], gender_vocab)
    r_culture = _codes([text_key(r.pref_culture) for r in requests], culture_vocab)
    r_religion = _codes([text_key(r.pref_religion) for r in requests], religion_vocab)
    r_language = _codes([r.pref_language.casefold() for r in requests], language_vocab) - 1
    r_required = np.array([r.language_required and bool(r.pref_language) for r in requests])
    c_gender = _coordinator_codes([c.gender for c in coordinators], gender_vocab)
    c_culture = _coordinator_codes([text_key(c.culture) for c in coordinators], culture_vocab)
    c_religion = _coordinator_codes([text_key(c.religion) for c in coordinators], religion_vocab)
    c_speaks = np.zeros((m, max(len(language_vocab), 1)), dtype=bool)
    for j, c in enumerate(coordinators):
        for lang in c.languages:
            code = language_vocab.get(lang.casefold())
            if code is not None:
                c_speaks[j, code - 1] = True

    by_region: dict[int, list[int]] = defaultdict(list)
    for i in range(n) if only is None else only.tolist():
        by_region[requests[i].region].append(i)
    serving = _serving(pool, columns)

    parts_i, parts_j, parts_s = [], [], []
    for region, req_list in by_region.items():
        coord_list = serving.get(region)
        if not coord_list:
            continue
        ri = np.array(req_list, dtype=np.int32)
        cj = np.array(coord_list, dtype=np.int32)
        lang = r_language[ri]
        has_lang = lang >= 0
        speaks = c_speaks[np.ix_(cj, np.where(has_lang, lang, 0))].T & has_lang[:, None]
        score = speaks * WEIGHTS["language"]
        g = r_gender[ri][:, None]
        score = score + (g == c_gender[cj][None, :]) * WEIGHTS["gender"]
        cu = r_culture[ri][:, None]
        score = score + (cu == c_culture[cj][None, :]) * WEIGHTS["culture"]
        re = r_religion[ri][:, None]
        score = score + (re == c_religion[cj][None, :]) * WEIGHTS["religion"]
        ok = ~(r_required[ri][:, None] & ~speaks)
        ii, jj = np.nonzero(ok)
        parts_i.append(ri[ii])
        parts_j.append(cj[jj])
        parts_s.append(score[ii, jj].astype(np.int16))
    if not parts_i:
        return Edges(empty, empty, empty.astype(np.int16))
    req = np.concatenate(parts_i)
    coord = np.concatenate(parts_j)
    score = np.concatenate(parts_s)

    conflicts = conflict_codes(pool) if conflicts is None else conflicts
    if len(conflicts):
        keep = ~np.isin(req.astype(np.int64) * m + coord, conflicts)
        req, coord, score = req[keep], coord[keep], score[keep]
    return Edges(req, coord, score)


def _available(pool: Pool) -> list[int]:
    """Coordinators who can take a new case at all: active, places free, not absent."""
    return [j for j, c in enumerate(pool.coordinators) if c.active and c.free > 0 and not c.absent]


def _serving(pool: Pool, columns: list[int] | None = None) -> dict[int, list[int]]:
    """Region → available coordinators serving it (among `columns`), in pool order."""
    serving: dict[int, list[int]] = defaultdict(list)
    allowed = None if columns is None else set(columns)
    for j in _available(pool):
        if allowed is not None and j not in allowed:
            continue
        for region in pool.coordinators[j].regions:
            serving[region].append(j)
    return serving


def conflict_codes(pool: Pool) -> np.ndarray:
    """Sorted `i * m + j` for every request i that coordinator j has a conflict of interest with."""
    m = len(pool.coordinators)
    persons: dict[str, list[int]] = defaultdict(list)
    organisations: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(pool.requests):
        for p in r.persons:
            persons[p.casefold()].append(i)
        for o in r.organisations:
            if o:
                organisations[o.casefold()].append(i)
    codes: set[int] = set()
    for j, c in enumerate(pool.coordinators):
        for conflict in c.conflicts:
            hits = (persons.get(conflict.person.casefold(), []) if conflict.person else []) + (
                organisations.get(conflict.organisation.casefold(), []) if conflict.organisation else [])
            codes.update(i * m + j for i in hits)
    return np.array(sorted(codes), dtype=np.int64)


# --- the optimiser --------------------------------------------------------------------------


class SolverError(RuntimeError):
    """OR-Tools did not report an optimal flow (should not happen for these networks)."""


def optimize(pool: Pool) -> Plan:
    """The optimal plan for `pool` (see the module docstring for the objective)."""
    started = time.perf_counter()
    conflicts = conflict_codes(pool)
    served, arcs_who = _who(pool, conflicts)
    if len(served) == 0:
        return Plan({}, time.perf_counter() - started, "optimal", arcs_who)
    assignment, arcs_where = _where(pool, served, conflicts)
    return Plan(assignment, time.perf_counter() - started, "optimal", arcs_who + arcs_where)


def _solve(flow: min_cost_flow.SimpleMinCostFlow, max_flow: bool) -> None:
    status = flow.solve_max_flow_with_min_cost() if max_flow else flow.solve()
    if status != flow.OPTIMAL:
        raise SolverError(f"min-cost flow ended with status {status}")


def _groups(pool: Pool, key: Callable[[Coordinator], Hashable],
            conflicts: np.ndarray) -> list[list[int]]:
    """Available coordinators who are interchangeable under `key`, in pool order.

    A coordinator with a conflict of interest in this pool always stands alone.
    """
    m = len(pool.coordinators)
    conflicted = set((conflicts % m).tolist()) if len(conflicts) else set()
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for j in _available(pool):
        groups[("alone", j) if j in conflicted else key(pool.coordinators[j])].append(j)
    return list(groups.values())


def _who(pool: Pool, conflicts: np.ndarray) -> tuple[np.ndarray, int]:
    """Indices of the requests served: the queue decides, as far as the places reach.

    A maximum flow whose cost is the sum of the queue places of the requests served, in a
    small layered network: request → its class (region, language it needs) → group of
    coordinators (same regions, same needed languages) → sink (their free places).
    Coordinators with a conflict of interest stand alone and are linked to each request
    they may take.
    """
    requests, coordinators = pool.requests, pool.coordinators
    n, m = len(requests), len(coordinators)
    needs = [r.pref_language.casefold() if r.language_required and r.pref_language else ""
             for r in requests]
    needed = {lang for lang in needs if lang}

    def key(c: Coordinator) -> Hashable:
        return (c.regions, frozenset(lang.casefold() for lang in c.languages) & needed)

    groups = _groups(pool, key, conflicts)
    classes: dict[tuple[int, str], int] = {}
    request_class = np.array([classes.setdefault((r.region, need), len(classes))
                              for r, need in zip(requests, needs, strict=True)], dtype=np.int32)
    first_class, first_group = n, n + len(classes)
    source, sink = first_group + len(groups), first_group + len(groups) + 1
    conflicted = set((conflicts % m).tolist()) if len(conflicts) else set()
    in_class: dict[int, list[int]] = defaultdict(list)
    for i, k in enumerate(request_class.tolist()):
        in_class[k].append(i)

    tails: list[np.ndarray] = [np.arange(n, dtype=np.int32)]
    heads: list[np.ndarray] = [first_class + request_class]
    capacities: list[np.ndarray] = [np.ones(n, dtype=np.int64)]
    places = []
    for g, members in enumerate(groups):
        c = coordinators[members[0]]
        spoken = {lang.casefold() for lang in c.languages}
        places.append(sum(coordinators[j].free for j in members))
        reachable = [k for (region, need), k in classes.items()
                     if region in c.regions and (not need or need in spoken)]
        if members[0] not in conflicted:
            tails.append(first_class + np.array(reachable, dtype=np.int32))
            heads.append(np.full(len(reachable), first_group + g, dtype=np.int32))
            capacities.append(np.full(len(reachable), n, dtype=np.int64))
            continue
        # Alone: linked to each request it may take, leaving out its conflicts.
        may = np.array([i for k in reachable for i in in_class[k]], dtype=np.int32)
        may = may[~np.isin(may.astype(np.int64) * m + members[0], conflicts)]
        tails.append(may)
        heads.append(np.full(len(may), first_group + g, dtype=np.int32))
        capacities.append(np.ones(len(may), dtype=np.int64))

    rank = np.empty(n, dtype=np.int64)
    rank[priority_order(requests)] = np.arange(n, dtype=np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    queue_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n, source, dtype=np.int32), np.arange(n, dtype=np.int32),
        np.ones(n, dtype=np.int64), rank)
    tail, head, capacity = np.concatenate(tails), np.concatenate(heads), np.concatenate(capacities)
    flow.add_arcs_with_capacity_and_unit_cost(tail, head, capacity, np.zeros(len(tail), dtype=np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(first_group, first_group + len(groups), dtype=np.int32),
        np.full(len(groups), sink, dtype=np.int32),
        np.array(places, dtype=np.int64), np.zeros(len(groups), dtype=np.int64))
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
    _solve(flow, max_flow=True)
    served = np.nonzero(flow.flows(queue_arcs) > 0)[0].astype(np.int32)
    return served, n + len(tail) + len(groups)


def _where(pool: Pool, served: np.ndarray, conflicts: np.ndarray) -> tuple[dict[int, int], int]:
    """Place every served request: most wishes met, then balance, as a min-cost flow.

    Coordinators who look the same to every request of the pool (same regions, and the same
    answer to every language, gender, background and religion asked for) form one node;
    its arcs to the sink are the free places of all members, cheapest first. Afterwards
    the node's requests are shared out over the members along those places.
    """
    requests, coordinators = pool.requests, pool.coordinators
    n = len(requests)
    languages = {r.pref_language.casefold() for r in requests if r.pref_language}
    genders = {r.pref_gender for r in requests if r.pref_gender}
    cultures = {text_key(r.pref_culture) for r in requests} - {""}
    religions = {text_key(r.pref_religion) for r in requests} - {""}

    def key(c: Coordinator) -> Hashable:
        return (c.regions, frozenset(lang.casefold() for lang in c.languages) & languages,
                c.gender if c.gender in genders else "",
                text_key(c.culture) if text_key(c.culture) in cultures else "",
                text_key(c.religion) if text_key(c.religion) in religions else "")

    groups = _groups(pool, key, conflicts)
    representatives = [members[0] for members in groups]
    group_of = np.full(len(coordinators), -1, dtype=np.int32)
    group_of[representatives] = np.arange(len(groups), dtype=np.int32)
    edges = eligible_edges(pool, only=served, columns=representatives, conflicts=conflicts)
    sink = n + len(groups)

    # Every free place of every member, as (cost, k, member); cost = cap - balance of that place.
    places = [sorted((BALANCE_CAP - min(coordinators[j].free - k, BALANCE_CAP), k, j)
                     for j in members for k in range(1, coordinators[j].free + 1))
              for members in groups]
    slot_tail, slot_cost, slot_capacity = [], [], []
    for g, group_places in enumerate(places):
        for cost, count in sorted(Counter(cost for cost, _, _ in group_places).items()):
            slot_tail.append(n + g)
            slot_cost.append(cost)
            slot_capacity.append(count)

    flow = min_cost_flow.SimpleMinCostFlow()
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        edges.req, (n + group_of[edges.coord]).astype(np.int32),
        np.ones(len(edges.req), dtype=np.int64),
        (MAX_SCORE - edges.score.astype(np.int64)) * WISH_UNIT)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array(slot_tail, dtype=np.int32), np.full(len(slot_tail), sink, dtype=np.int32),
        np.array(slot_capacity, dtype=np.int64), np.array(slot_cost, dtype=np.int64))
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[served] = 1
    supplies[sink] = -len(served)
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    _solve(flow, max_flow=False)

    chosen = flow.flows(pair_arcs) > 0
    placed: dict[int, list[int]] = defaultdict(list)
    for i, j in zip(edges.req[chosen].tolist(), edges.coord[chosen].tolist(), strict=True):
        placed[int(group_of[j])].append(i)
    assignment = {}
    for g, group_requests in placed.items():
        # The cheapest places first: per member that is always its first places.
        members = [j for _, _, j in places[g][:len(group_requests)]]
        for i, j in zip(group_requests, members, strict=True):
            assignment[requests[i].id] = coordinators[j].id
    return assignment, len(edges.req) + len(slot_tail)


# --- the ways it is done by hand ---------------------------------------------------------


def greedy(pool: Pool) -> Plan:
    """First come, first served: each request in arrival order takes the first eligible
    coordinator (in the pool's order) who still has a place. That is how it is done by hand."""
    started = time.perf_counter()
    candidates = _candidates(pool)
    left = [c.free for c in pool.coordinators]
    assignment: dict[int, int] = {}
    for i in sorted(range(len(pool.requests)), key=lambda i: (pool.requests[i].arrival,
                                                              pool.requests[i].id)):
        for j in candidates.get(i, ()):
            if left[j] > 0:
                left[j] -= 1
                assignment[pool.requests[i].id] = pool.coordinators[j].id
                break
    return Plan(assignment, time.perf_counter() - started, "greedy")


def one_by_one(pool: Pool) -> Plan:
    """The single-request ranking applied to one request after another, urgent first:
    each takes the top of its ranking (most wishes met, then most places left)."""
    started = time.perf_counter()
    edges = eligible_edges(pool)
    left = [c.free for c in pool.coordinators]
    per_request: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i, j, s in zip(edges.req.tolist(), edges.coord.tolist(), edges.score.tolist(), strict=True):
        per_request[i].append((j, s))
    assignment: dict[int, int] = {}
    for i in priority_order(pool.requests):
        best = None
        for j, s in per_request.get(i, ()):
            if left[j] > 0 and (best is None or (s, left[j]) > (best[1], left[best[0]])):
                best = (j, s)
        if best is not None:
            left[best[0]] -= 1
            assignment[pool.requests[i].id] = pool.coordinators[best[0]].id
    return Plan(assignment, time.perf_counter() - started, "one_by_one")


def _candidates(pool: Pool) -> dict[int, list[int]]:
    """Request index → eligible coordinator indices, in pool order."""
    edges = eligible_edges(pool)
    order = np.lexsort((edges.coord, edges.req))
    out: dict[int, list[int]] = defaultdict(list)
    for i, j in zip(edges.req[order].tolist(), edges.coord[order].tolist(), strict=True):
        out[i].append(j)
    return out
