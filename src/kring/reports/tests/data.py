"""A hand-made region with known answers for every dashboard figure (see test_figures.py).

Sixteen requests in Utrecht in January to March 2025:

- per month: January 7, February 3, March 6;
- all 16 got a coordinator: 11 after 2 hours, 3 after 10 hours, 2 after 30 hours;
- 12 had first contact: 8 after 20 hours, 2 after 40 hours, 2 after 72 hours;
- those 12 held a conference: 10 after 30 days, 2 (the first two of March) after 50 days;
- 9 of them got a plan: 6 on the day of the conference, 3 ten days later;
- the circle at the 12 conferences: 6 with 6 people (both sides, a neighbour), 4 with 3 people
  (mother's side only), 2 with 12 people (both sides, family only); each also has 2 invited
  people who did not come;
- evaluations of the 9 plans: 6 within 60 days, 1 after 120 days, 2 none;
- outcomes at 3 months for 8 plans, at 6 months for 3;
- 6 coordinators (maximum 3 cases each) with 3, 2, 1, 1, 0 and 0 running cases;
- offers: 6 at intake (5 yes, 1 no), 2 in a crisis (not now), 1 at the start of help (youth
  probation, not required).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from kring.cases.models import Case, State
from kring.followup.models import Evaluation, Outcome
from kring.network.models import CircleMember
from kring.regions.models import Region
from kring.reports.figures import Scope
from kring.reports.models import Offer
from kring.testing import factories as f

AMS = ZoneInfo("Europe/Amsterdam")
DAYS = [date(2025, 1, d) for d in (6, 7, 8, 9, 10, 13, 14)] + [date(2025, 2, d) for d in (3, 4, 5)] + [
    date(2025, 3, d) for d in (3, 4, 5, 6, 7, 10)]
NOW = datetime(2025, 12, 1, 12, 0, tzinfo=AMS)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=AMS)


def scope(**kwargs) -> Scope:
    values = {"regions": Region.objects.filter(code="utrecht"), "date_from": date(2025, 1, 1),
              "date_to": date(2025, 3, 31), "now": NOW}
    values.update(kwargs)
    return Scope(**values)


def member(case, side, kind="family", status="attended"):
    return CircleMember(case=case, name="x", role="network", side=side, kind=kind, status=status,
                        attendance="in_person" if status == "attended" else "")


def build() -> dict:
    coordinators = [f.CoordinatorFactory(username=f"coord{i}") for i in range(6)]
    professional = f.ProfessionalFactory(username="offerer", organisation="Samen Veilig Utrecht")
    cases = []
    assigned_hours = [2] * 11 + [10] * 3 + [30] * 2
    # The 12 held cases are the first 12 (all of January and February, the first two of March).
    contact_hours = [20] * 8 + [40] * 2 + [72] * 2 + [None] * 4
    held_days = [30] * 10 + [50] * 2 + [None] * 4
    plan_days = [0] * 6 + [10] * 3 + [None] * 7
    for i, day in enumerate(DAYS):
        submitted = at(day)
        held = submitted + timedelta(days=held_days[i]) if held_days[i] is not None else None
        case = f.CaseFactory(
            submitted_at=submitted, family=False,
            assigned_at=submitted + timedelta(hours=assigned_hours[i]),
            first_contact_at=submitted + timedelta(hours=contact_hours[i]) if contact_hours[i] else None,
            held_at=held,
            plan_accepted_at=held + timedelta(days=plan_days[i]) if plan_days[i] is not None else None,
        )
        cases.append(case)
    # States and coordinators: 9 plans in follow-up, 3 held without plan, 4 still informing.
    running = cases[9:16]  # 3 held without a plan (9, 10, 11) and 4 without contact (12..15)
    for case in cases[:9]:
        case.state, case.coordinator = State.FOLLOW_UP, coordinators[5]
    for case, state in zip(running, [State.HELD] * 3 + [State.INFORMING] * 4, strict=True):
        case.state = state
    for case, c in zip(running, [0, 0, 0, 1, 1, 2, 3], strict=True):
        case.coordinator = coordinators[c]
    Case.objects.bulk_update(cases, ["state", "coordinator"])

    members = []
    for case in cases[:6]:
        members += [member(case, "mother") for _ in range(3)] + [member(case, "father") for _ in range(2)]
        members.append(member(case, "none", kind="neighbour"))
    for case in cases[6:10]:
        members += [member(case, "mother") for _ in range(3)]
    for case in cases[10:12]:
        members += [member(case, "mother") for _ in range(6)] + [member(case, "father") for _ in range(6)]
    for case in cases[:12]:
        members += [member(case, "father", status="invited"), member(case, "none", "friend", "declined")]
    CircleMember.objects.bulk_create(members)

    plans = cases[:9]
    for case, days in zip(plans, [60] * 6 + [120], strict=False):
        Evaluation.objects.create(case=case, held_on=(case.plan_accepted_at + timedelta(days=days)).date(),
                                  recorded_by=professional)
    recorded = NOW - timedelta(days=10)
    sat = [8, 8, 8, 8, 7, 7, 9, 9]
    for i, case in enumerate(plans[:8]):
        Outcome.objects.create(
            case=case, months=3, due_on=date(2025, 6, 1), recorded_at=recorded,
            plan_running=(["yes"] * 6 + ["partly", "no"])[i],
            child_lives="home" if i < 6 else "foster", professional_help="less" if i < 6 else "same",
            family_satisfaction=sat[i], professional_satisfaction=7 if i < 4 else None)
    for case in plans[:3]:
        Outcome.objects.create(case=case, months=6, due_on=date(2025, 9, 1), recorded_at=recorded,
                               plan_running="yes", child_lives="home")
    Outcome.objects.create(case=plans[5], months=12, due_on=date(2026, 3, 1))  # due, not recorded

    def offer(case, moment, answer, reason="", exemption=""):
        return Offer(case=case, moment=moment, answer=answer, reason=reason, exemption=exemption,
                     offered_on=case.submitted_at.date(), offered_by=professional,
                     organisation=professional.organisation, municipality=case.municipality,
                     region=case.region)

    Offer.objects.bulk_create(
        [offer(c, "intake", "yes") for c in plans[:5]] + [offer(cases[12], "intake", "no", "nobody")]
        + [offer(cases[13], "crisis", "not_now", "bad_timing"), offer(cases[14], "crisis", "not_now")]
        + [offer(cases[15], "start_help", "no", "other", exemption="jr")])
    return {"cases": cases, "coordinators": coordinators, "professional": professional}
