"""Made-up pools for the benchmark: requests and coordinators that look like the real ones.

Fourteen regions of different sizes; families and coordinators from a few backgrounds in which
language, culture and religion go together (as they do); capacities 1-5 with some places
already taken; absences, conflicts of interest and about 15% urgent requests.
"""

from __future__ import annotations

import random

from .criteria import Conflict, Coordinator, Pool, Request

# Region id → relative number of requests (the 14 regions of DOMAIN §2).
REGION_WEIGHTS = {1: 9, 2: 7, 3: 7, 4: 3, 5: 9, 6: 5, 7: 3, 8: 3, 9: 3, 10: 6, 11: 9, 12: 6,
                  13: 7, 14: 2}

# (culture, languages, religions, share of families, share of coordinators)
BACKGROUNDS = [
    ("Nederlands", [], ["christelijk", "katholiek", "humanistisch"], 45, 55),
    ("Marokkaans", ["ar", "ber"], ["islam"], 12, 10),
    ("Turks", ["tr"], ["islam"], 10, 9),
    ("Surinaams", ["srn"], ["hindoeïsme", "christelijk"], 8, 8),
    ("Antilliaans", ["pap"], ["christelijk"], 5, 4),
    ("Pools", ["pl"], ["katholiek"], 6, 4),
    ("Somalisch", ["so"], ["islam"], 4, 2),
    ("Eritrees", ["ti"], ["christelijk"], 4, 2),
    ("Oekraïens", ["uk"], ["christelijk"], 6, 6),
]
ORGANISATIONS = [f"Organisatie {n}" for n in range(1, 31)]


def make_pool(n_requests: int, n_coordinators: int, seed: int = 1) -> Pool:
    """A reproducible synthetic pool of the given size."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
    regions = list(REGION_WEIGHTS)
    region_weights = list(REGION_WEIGHTS.values())
    coordinators = [_coordinator(rng, j, regions, region_weights) for j in range(n_coordinators)]
    requests = [_request(rng, i, regions, region_weights) for i in range(n_requests)]
    # A few coordinators know a family (by name) or work for an organisation involved.
    for j in rng.sample(range(n_coordinators), k=max(1, n_coordinators // 25)) if n_coordinators else []:
        if rng.random() < 0.5 and requests:
            person = rng.choice(sorted(rng.choice(requests).persons))
            conflict = Conflict(person=person)
        else:
            conflict = Conflict(organisation=rng.choice(ORGANISATIONS))
        c = coordinators[j]
        coordinators[j] = Coordinator(**{**c.__dict__, "conflicts": (conflict,)})
    return Pool(requests=tuple(requests), coordinators=tuple(coordinators))


def _background(rng: random.Random, column: int) -> tuple:
    return rng.choices(BACKGROUNDS, weights=[b[column] for b in BACKGROUNDS])[0]


def _coordinator(rng: random.Random, j: int, regions: list[int], weights: list[int]) -> Coordinator:
    culture, languages, religions, _, _ = _background(rng, 4)
    spoken = {"nl"} | {lang for lang in languages if rng.random() < 0.8}
    if rng.random() < 0.3:
        spoken.add("en")
    served = {rng.choices(regions, weights=weights)[0]}
    if rng.random() < 0.2:
        served.add(rng.choice(regions))
    max_cases = rng.randint(1, 5)
    busy = sum(rng.random() < 0.3 for _ in range(max_cases))
    return Coordinator(
        id=100_000 + j,
        regions=frozenset(served),
        free=max_cases - busy,
        max_cases=max_cases,
        languages=frozenset(spoken),
        gender=rng.choices(["f", "m", "x"], weights=[70, 28, 2])[0],
        culture=culture if rng.random() < 0.9 else "",
        religion=rng.choice(religions) if rng.random() < 0.5 else "",
        active=rng.random() >= 0.05,
        absent=rng.random() < 0.08,
        name=f"Coordinator {j}",
    )


def _request(rng: random.Random, i: int, regions: list[int], weights: list[int]) -> Request:
    culture, languages, religions, _, _ = _background(rng, 3)
    language = rng.choice(languages) if languages and rng.random() < 0.45 else ""
    return Request(
        id=i + 1,
        region=rng.choices(regions, weights=weights)[0],
        urgent=rng.random() < 0.15,
        arrival=float(i),
        pref_gender=rng.choice(["f", "f", "m"]) if rng.random() < 0.25 else "",
        pref_language=language,
        language_required=bool(language) and rng.random() < 0.4,
        pref_culture=culture if rng.random() < (0.25 if languages else 0.05) else "",
        pref_religion=rng.choice(religions) if rng.random() < 0.15 else "",
        persons=frozenset({f"Ouder {i}", f"Kind {i}"}),
        organisations=frozenset({rng.choice(ORGANISATIONS)}) if rng.random() < 0.7 else frozenset(),
        reference=f"S-{i + 1:05d}",
    )
