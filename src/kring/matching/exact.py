"""Exact optima by other means than the min-cost flow, to check the optimiser.

Both expand every free place of a coordinator into a column (its balance points depend on
which place it is) and add one "no coordinator" column per request, then solve the
assignment problem with SciPy: a different formulation and a different algorithm from
OR-Tools' cost-scaling flow, on the same objective (`optimize.objective`).
"""

from __future__ import annotations

import time

import numpy as np

from .criteria import Pool, has_blocker, wish_score
from .optimize import BALANCE_CAP, WISH_UNIT, Plan, eligible_edges, priority_order, tier_gap


def _priorities(pool: Pool) -> np.ndarray:
    n = len(pool.requests)
    rank = np.empty(n, dtype=np.int64)
    rank[priority_order(pool.requests)] = np.arange(n, dtype=np.int64)
    return (n - rank) * tier_gap(pool)


def exact_dense(pool: Pool) -> Plan:
    """`linear_sum_assignment` on a dense requests x places matrix.

    Fully independent of the optimiser: every pair is checked on its own with
    `criteria.has_blocker` and `criteria.wish_score`. For small pools only.
    """
    from scipy.optimize import linear_sum_assignment

    started = time.perf_counter()
    n = len(pool.requests)
    slots = [(j, k) for j, c in enumerate(pool.coordinators) for k in range(1, max(c.free, 0) + 1)]
    if n == 0 or not slots:
        return Plan({}, time.perf_counter() - started, "exact_dense")
    priority = _priorities(pool).tolist()
    value = np.full((n, len(slots) + n), -np.inf)
    value[:, len(slots):] = 0.0
    for i, request in enumerate(pool.requests):
        for s, (j, k) in enumerate(slots):
            coordinator = pool.coordinators[j]
            if not has_blocker(request, coordinator):
                wish = wish_score(request, coordinator)[0]
                value[i, s] = priority[i] + WISH_UNIT * wish + min(coordinator.free - k, BALANCE_CAP)
    rows, cols = linear_sum_assignment(value, maximize=True)
    assignment = {pool.requests[i].id: pool.coordinators[slots[s][0]].id
                  for i, s in zip(rows.tolist(), cols.tolist(), strict=True) if s < len(slots)}
    return Plan(assignment, time.perf_counter() - started, "exact_dense")


def exact_sparse(pool: Pool) -> Plan:
    """`min_weight_full_bipartite_matching` (LAPJVsp) on a sparse requests x places matrix.

    Uses the optimiser's vectorised eligible pairs (checked against `criteria` by the tests)
    but nothing of its solver; fast enough for the largest benchmark size.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    started = time.perf_counter()
    n = len(pool.requests)
    edges = eligible_edges(pool)
    free = np.array([max(c.free, 0) for c in pool.coordinators], dtype=np.int64)
    if n == 0 or len(edges.req) == 0:
        return Plan({}, time.perf_counter() - started, "exact_sparse")
    first_slot = np.concatenate([[0], np.cumsum(free)])
    places = int(first_slot[-1])
    priority = _priorities(pool)
    rows, cols, values = [np.arange(n)], [places + np.arange(n)], [np.zeros(n, dtype=np.int64)]
    for k in range(1, int(free.max()) + 1):
        has_place = free[edges.coord] >= k
        i, j = edges.req[has_place], edges.coord[has_place]
        rows.append(i)
        cols.append(first_slot[j] + k - 1)
        values.append(priority[i] + WISH_UNIT * edges.score[has_place].astype(np.int64)
                      + np.minimum(free[j] - k, BALANCE_CAP))
    value = np.concatenate(values)
    # Positive costs (a stored zero would still be an edge, but keep it simple): cost = top - value.
    cost = csr_matrix(((value.max() + 1 - value).astype(float),
                       (np.concatenate(rows), np.concatenate(cols))), shape=(n, places + n))
    matched_rows, matched_cols = min_weight_full_bipartite_matching(cost)
    owner = np.repeat(np.arange(len(pool.coordinators)), free)
    assignment = {pool.requests[i].id: pool.coordinators[owner[s]].id
                  for i, s in zip(matched_rows.tolist(), matched_cols.tolist(), strict=True)
                  if s < places}
    return Plan(assignment, time.perf_counter() - started, "exact_sparse")
