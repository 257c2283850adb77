"""The matching benchmark: the optimiser against the ways it is done by hand.

Pure (no database): synthetic pools from `synthetic.make_pool`. The figures are printed by
`manage.py bench_matching` (`kring bench matching`); tests never assert times.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from .criteria import Pool, wish_score
from .exact import exact_dense, exact_sparse
from .optimize import Plan, eligible_edges, greedy, objective, one_by_one, optimize

METHODS: list[tuple[str, str, Callable[[Pool], Plan]]] = [
    ("optimal", "optimiser (min-cost flow)", optimize),
    ("greedy", "greedy, first come first served", greedy),
    ("one_by_one", "one by one, top of the ranking", one_by_one),
]


@dataclass
class Figures:
    """One method on one pool."""

    label: str
    ms: float
    cpu_ms: float
    objective: int
    share_of_optimum: float
    matched: float
    urgent_matched: float
    wishes_met: float  # of all wishes stated by all families
    wishes_met_matched: float  # of the wishes of the families that got a coordinator
    wishes_met_count: int


@dataclass
class SizeResult:
    n: int
    m: int
    urgent: int
    places: int
    pairs: int
    wishes: int
    optimum: int
    checks: list[tuple[str, float, bool]]  # (independent method, ms, same objective)
    figures: dict[str, Figures]


def figures(pool: Pool, plan: Plan, label: str, optimum: int, ms: float, cpu_ms: float) -> Figures:
    """The benchmark's measures of one plan."""
    coordinators = {c.id: c for c in pool.coordinators}
    urgent = [r for r in pool.requests if r.urgent]
    stated = sum(r.wish_count for r in pool.requests)
    stated_matched = sum(r.wish_count for r in pool.requests if r.id in plan.assignment)
    met = sum(wish_score(r, coordinators[plan.assignment[r.id]])[1]
              for r in pool.requests if r.id in plan.assignment)
    value = objective(pool, plan.assignment)
    n = len(pool.requests)
    return Figures(
        label=label, ms=ms, cpu_ms=cpu_ms, objective=value,
        share_of_optimum=value / optimum if optimum else 1.0,
        matched=len(plan.assignment) / n if n else 1.0,
        urgent_matched=sum(r.id in plan.assignment for r in urgent) / len(urgent) if urgent else 1.0,
        wishes_met=met / stated if stated else 1.0,
        wishes_met_matched=met / stated_matched if stated_matched else 1.0,
        wishes_met_count=met,
    )


def _timed(solve: Callable[[Pool], Plan], pool: Pool, repeat: int) -> tuple[Plan, float, float]:
    """The plan and the median wall-clock and CPU times in ms over `repeat` runs."""
    plans, cpu = [], []
    for _ in range(max(1, repeat)):
        started = time.process_time()
        plans.append(solve(pool))
        cpu.append(time.process_time() - started)
    return (plans[0], statistics.median(p.seconds for p in plans) * 1000,
            statistics.median(cpu) * 1000)


def run_size(pool: Pool, *, repeat: int = 3, dense_max: int = 1000) -> SizeResult:
    """Solve one pool every way, check the optimum independently, measure."""
    plans = {key: _timed(solve, pool, repeat) for key, _, solve in METHODS}
    optimum = objective(pool, plans["optimal"][0].assignment)
    checks = []
    if len(pool.requests) <= dense_max:
        plan = exact_dense(pool)
        checks.append(("SciPy linear_sum_assignment, dense", plan.seconds * 1000,
                       objective(pool, plan.assignment) == optimum))
    plan = exact_sparse(pool)
    checks.append(("SciPy LAPJVsp, sparse", plan.seconds * 1000,
                   objective(pool, plan.assignment) == optimum))
    return SizeResult(
        n=len(pool.requests), m=len(pool.coordinators),
        urgent=sum(r.urgent for r in pool.requests),
        places=sum(c.free for c in pool.coordinators if c.active and not c.absent and c.free > 0),
        pairs=len(eligible_edges(pool).req),
        wishes=sum(r.wish_count for r in pool.requests),
        optimum=optimum, checks=checks,
        figures={key: figures(pool, plans[key][0], label, optimum, plans[key][1], plans[key][2])
                 for key, label, _ in METHODS},
    )


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def report(results: list[SizeResult], *, seed: int, repeat: int) -> str:
    """The printed report: one block per size, then a table of ratios."""
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    lines = [f"Matching benchmark: seed {seed}, times are the median of {repeat} run(s) and "
             f"include finding the eligible pairs; {os.cpu_count()} CPU(s){load}.", ""]
    header = (f"  {'method':<33}{'time ms':>9}{'cpu ms':>8}{'objective':>11}{'matched':>9}{'urgent':>8}"
              f"{'wishes met':>12}{'of matched':>12}")
    for r in results:
        lines.append(f"{r.n} requests x {r.m} coordinators: {r.urgent} urgent, {r.places} places "
                     f"free, {r.pairs} eligible pairs, {r.wishes} wishes stated")
        for name, ms, same in r.checks:
            lines.append(f"  optimum checked with {name}: {'same objective' if same else 'DIFFERENT'}"
                         f" ({ms:.0f} ms)")
        lines.append(header)
        for f in r.figures.values():
            lines.append(f"  {f.label:<33}{f.ms:>9.1f}{f.cpu_ms:>8.1f}{_pct(f.share_of_optimum):>11}{_pct(f.matched):>9}"
                         f"{_pct(f.urgent_matched):>8}{_pct(f.wishes_met):>12}{_pct(f.wishes_met_matched):>12}")
        lines.append("")
    lines.append("Optimiser compared with greedy (first come, first served) and one by one:")
    lines.append(f"  {'size':<14}{'opt ms':>8}{'greedy ms':>10}{'wishes met opt/greedy':>24}"
                 f"{'ratio':>7}{'matched opt/greedy':>21}{'wishes opt/one-by-one':>23}"
                 f"{'optimal':>9}")
    for r in results:
        o, g, b = r.figures["optimal"], r.figures["greedy"], r.figures["one_by_one"]
        ratio = o.wishes_met_count / g.wishes_met_count if g.wishes_met_count else float("inf")
        ratio_b = o.wishes_met_count / b.wishes_met_count if b.wishes_met_count else float("inf")
        optimal = "yes" if all(same for _, _, same in r.checks) else "NO"
        lines.append(f"  {f'{r.n}x{r.m}':<14}{o.ms:>8.0f}{g.ms:>10.0f}"
                     f"{f'{o.wishes_met_count}/{g.wishes_met_count}':>24}{ratio:>7.2f}"
                     f"{f'{_pct(o.matched)}/{_pct(g.matched)}':>21}{ratio_b:>23.2f}{optimal:>9}")
    return "\n".join(lines)
