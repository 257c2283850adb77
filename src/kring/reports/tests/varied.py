"""A varied data set for holding the summaries to the raw figures (test_summary.py).

Random (seeded) but with the awkward cases on purpose: requests just before and after local
midnight on the first of a month (also across the change to and from summer time), lead times of
exactly a norm, urgent requests, circles of every size and side, people who did not come or are
not network, late and missing evaluations, outcomes with and without satisfaction, the same family
offered a plan twice at the same moment or by the same organisation, offers without organisation,
coordinators serving one, two or no regions of a scope, some unavailable, some over their maximum.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from kring.cases.models import Case, State, Urgency
from kring.followup.models import Evaluation, Outcome
from kring.network.models import CircleMember
from kring.regions.models import Municipality
from kring.reports.models import Offer
from kring.testing import factories as f

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2025, 12, 1, 12, 0, tzinfo=AMS)
REGIONS = ("utrecht", "zuid-holland", "noord-brabant")
FIRST_DAY = date(2024, 7, 1)
#: Requests at awkward moments (local time): around midnight on the 1st, around summer time.
AWKWARD = [datetime(2025, 3, 31, 23, 59, tzinfo=AMS), datetime(2025, 4, 1, 0, 1, tzinfo=AMS),
           datetime(2025, 3, 30, 2, 30, tzinfo=AMS), datetime(2025, 10, 26, 2, 30, tzinfo=AMS),
           datetime(2025, 10, 31, 23, 30, tzinfo=AMS), datetime(2025, 11, 1, 0, 30, tzinfo=AMS),
           datetime(2025, 2, 14, 23, 59, tzinfo=AMS), datetime(2025, 2, 15, 0, 0, tzinfo=AMS),
           datetime(2024, 9, 14, 23, 59, 59, tzinfo=AMS), datetime(2024, 9, 15, 0, 0, tzinfo=AMS)]
SIDES = ["mother", "mother", "father", "father", "both", "none"]
KINDS = ["family", "family", "family", "friend", "neighbour", "professional"]
STATUSES = ["attended", "attended", "attended", "agreement", "invited", "declined", "confirmed"]


def _submitted(rng: random.Random, i: int) -> datetime:
    if i < len(AWKWARD):
        return AWKWARD[i]
    span = (NOW - datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=AMS)).total_seconds()
    return NOW - timedelta(seconds=rng.random() * span)


def _lead(rng: random.Random, norm_hours: float) -> timedelta:
    """Mostly random, sometimes exactly the norm or an edge of a bucket."""
    if rng.random() < 0.15:
        return timedelta(hours=rng.choice([norm_hours, 4, 24, 48, 24 * 7, 24 * 14]))
    return timedelta(hours=rng.expovariate(1 / norm_hours))


def build(seed: int = 11, cases: int = 240) -> dict:
    rng = random.Random(seed)
    regions = [f.region(code) for code in REGIONS]
    municipalities = {r.pk: list(Municipality.objects.filter(region=r).order_by("name")[:5]) for r in regions}
    groups = [[regions[0]], [regions[1]], [regions[0], regions[1]], [regions[2]], [regions[1], regions[2]]]
    coordinators = []
    for i in range(14):
        coordinators.append(f.CoordinatorFactory(
            username=f"vc{i}", totp=False, profile__regions=groups[i % len(groups)],
            profile__max_cases=rng.choice([1, 2, 3, 5]), profile__active=rng.random() < 0.8))
    lone = f.CoordinatorFactory(username="vc-lone", totp=False)  # serves Utrecht; cases anywhere
    coordinators.append(lone)
    professionals = [f.ProfessionalFactory(username=f"vp{i}", totp=False, organisation=org)
                     for i, org in enumerate(["Samen Veilig", "Jeugdbescherming West", "Wijkteam", ""])]

    made = []
    for i in range(cases):
        region = regions[i % 3] if i < len(AWKWARD) else rng.choice(regions)
        municipality = rng.choice(municipalities[region.pk])
        submitted = _submitted(rng, i)
        values: dict = {"urgency": Urgency.URGENT if rng.random() < 0.2 else Urgency.NORMAL}
        state = State.REQUEST
        if rng.random() < 0.92:
            values["assigned_at"] = submitted + _lead(rng, 12)
            values["coordinator"] = rng.choice(coordinators)
            state = State.INFORMING
            if rng.random() < 0.85:
                values["first_contact_at"] = values["assigned_at"] + _lead(rng, 24)
                state = State.PREPARING
                held = submitted + timedelta(days=rng.choice([2, 3, 7, 7, 14, 20, 28, 42, 50, 70, 90]),
                                             hours=rng.randint(0, 23))
                if held < NOW and rng.random() < 0.8:
                    values["held_at"] = held
                    state = State.HELD
                    if rng.random() < 0.8:
                        plan = held + timedelta(days=rng.choice([0, 0, 0, 1, 7, 14, 28, 40]))
                        if plan < NOW:
                            values["plan_accepted_at"] = plan
                            state = rng.choice([State.FOLLOW_UP, State.CLOSED, State.PLAN_ACCEPTED])
                    elif rng.random() < 0.5:
                        state = State.PLAN_NOT_ACCEPTED
            if rng.random() < 0.05:
                state = State.WITHDRAWN
        made.append(f.CaseFactory(region=region, municipality=municipality, submitted_at=submitted, state=state,
                                  family=False, **values))

    members, evaluations, outcomes, offers = [], [], [], []
    for case in made:
        if case.held_at is not None:
            for _ in range(rng.choice([0, 1, 3, 4, 5, 6, 9, 10, 12, 15, 18])):
                status = rng.choice(STATUSES)
                members.append(CircleMember(
                    case=case, name="x", role="network" if rng.random() < 0.9 else "main",
                    side=rng.choice(SIDES), kind=rng.choice(KINDS), status=status,
                    attendance="in_person" if status == "attended" else ""))
        if case.plan_accepted_at is not None:
            for _ in range(rng.choice([0, 1, 1, 2])):
                evaluations.append(Evaluation(case=case, recorded_by=professionals[0], held_on=(
                    case.plan_accepted_at + timedelta(days=rng.choice([30, 60, 91, 92, 93, 120]))).date()))
            for months in (3, 6, 12):
                if rng.random() < 0.6:
                    recorded = rng.random() < 0.85
                    outcomes.append(Outcome(
                        case=case, months=months, due_on=(case.plan_accepted_at + timedelta(days=30 * months)).date(),
                        recorded_at=NOW - timedelta(days=3) if recorded else None,
                        plan_running=rng.choice(["yes", "yes", "partly", "no"]) if recorded else "",
                        child_lives=rng.choice(["home", "network", "foster", "institution"]) if recorded else "",
                        professional_help=rng.choice(["less", "same", "more"]) if recorded else "",
                        family_satisfaction=rng.choice([None, 5, 7, 8, 9, 10]) if recorded else None,
                        professional_satisfaction=rng.choice([None, 6, 7, 8]) if recorded else None))
        count = rng.choice([0, 0, 1, 1, 1, 2, 3])
        moment = rng.choice(["intake", "crisis", "start_help", "waiting_list"])
        professional = rng.choice(professionals)
        day = case.submitted_at.astimezone(AMS).date() - timedelta(days=rng.randint(0, 20))
        for k in range(count):
            answer = rng.choice(["yes", "not_now", "no"]) if k == count - 1 else "not_now"
            offers.append(Offer(
                case=case, moment=moment if rng.random() < 0.7 else rng.choice(["intake", "crisis"]),
                answer=answer, reason="" if answer == "yes" else "other",
                exemption=rng.choice(["", "", "", "jr", "guardianship"]), offered_on=min(day, NOW.date()),
                offered_by=professional, organisation=professional.organisation if rng.random() < 0.8
                else rng.choice(professionals).organisation,
                municipality=case.municipality, region=case.region))
            day += timedelta(days=rng.choice([0, 10, 25, 45, 70]))
    CircleMember.objects.bulk_create(members)
    Evaluation.objects.bulk_create(evaluations)
    Outcome.objects.bulk_create(outcomes)
    Offer.objects.bulk_create(offers)
    return {"cases": made, "regions": regions, "municipalities": municipalities, "coordinators": coordinators,
            "professionals": professionals, "offers": Offer.objects.count(), "total": Case.objects.count()}
