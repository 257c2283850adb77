"""`manage.py bench_matching` (`kring bench matching`): the optimiser against greedy matching."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kring.matching.bench import report, run_size
from kring.matching.synthetic import make_pool


def parse_sizes(value: str) -> list[tuple[int, int]]:
    """'100x40,1000x200' -> [(100, 40), (1000, 200)]."""
    sizes = []
    for part in value.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", part)
        if not match:
            raise CommandError(f"size {part!r} is not REQUESTSxCOORDINATORS, e.g. 1000x200")
        sizes.append((int(match[1]), int(match[2])))
    return sizes


class Command(BaseCommand):
    help = ("Match synthetic pools of open requests to coordinators with the optimiser, greedily "
            "(first come, first served) and one by one; check the optimum with SciPy; print figures.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sizes", default="100x40,1000x200,10000x2000",
                            help="comma-separated REQUESTSxCOORDINATORS (default: %(default)s)")
        parser.add_argument("--seed", type=int, default=1, help="random seed of the pools")
        parser.add_argument("--repeat", type=int, default=3, help="runs per method; the median counts")
        parser.add_argument("--dense-max", type=int, default=1000,
                            help="also check with a dense assignment up to this many requests")

    def handle(self, *args: Any, **options: Any) -> None:
        results = []
        for n, m in parse_sizes(options["sizes"]):
            pool = make_pool(n, m, seed=options["seed"])
            results.append(run_size(pool, repeat=options["repeat"], dense_max=options["dense_max"]))
        self.stdout.write(report(results, seed=options["seed"], repeat=options["repeat"]))
        if not all(same for r in results for _, _, same in r.checks):
            raise CommandError("the optimiser's objective differs from an independent exact method")
