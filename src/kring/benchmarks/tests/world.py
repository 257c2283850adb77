"""A small data set with everything the benchmarks open, which can be made larger.

`make_world()` makes the people of every role and one case with persons, a
circle, an accepted plan, a timeline, reminders and access-log rows;
`grow(world, n)` adds `n` more such cases for the same coordinator, referrer
and region *and* makes the measured case itself larger (more people in the
circle, agreements, events, log rows), so that a query per row shows up as a
different query count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.cases.models import Case, CaseEvent, CasePerson, PersonRole, State
from kring.followup.models import Reminder
from kring.network.models import CircleMember, MemberRole
from kring.network.services import circle_seed
from kring.plans.models import Agreement, Plan, PlanStatus, PlanVersion
from kring.testing import factories as f


@dataclass
class BenchWorld:
    manager: object
    coordinator: object
    professional: object
    policy: object
    case: Case


def make_world() -> BenchWorld:
    utrecht = f.region("utrecht")
    world = BenchWorld(
        manager=f.ManagerFactory(username="bench-manager", in_regions=[utrecht]),
        coordinator=f.CoordinatorFactory(username="bench-coordinator"),
        professional=f.ProfessionalFactory(username="bench-professional"),
        policy=f.PolicyFactory(username="bench-policy"),
        case=None,
    )
    world.case = add_case(world, index=0)
    return world


def add_case(world: BenchWorld, *, index: int, members: int = 3, agreements: int = 2) -> Case:
    now = timezone.now()
    case = f.CaseFactory(family=False, referred_by=world.professional, coordinator=world.coordinator,
                         state=State.FOLLOW_UP, submitted_at=now - timedelta(days=90 + index),
                         assigned_at=now - timedelta(days=89), first_contact_at=now - timedelta(days=88),
                         held_at=now - timedelta(days=40), plan_accepted_at=now - timedelta(days=40),
                         phone_consent=True, phone_consent_at=now)
    f.link_professional(case, f.ProfessionalFactory())
    today = timezone.localdate()
    CasePerson.objects.create(case=case, role=PersonRole.PARENT, name=f"Fatima el Amrani {index}",
                              email=f"ouder{index}@example.org", is_main_person=True)
    CasePerson.objects.create(case=case, role=PersonRole.CHILD, name=f"Yasmina el Amrani {index}",
                              birth_date=today.replace(year=today.year - 13))
    circle_seed(case=case)
    plan = Plan.objects.create(case=case)
    PlanVersion.objects.create(
        plan=plan, number=1, status=PlanStatus.ACCEPTED, concerns_answered="Wie brengt de kinderen naar school?",
        keep_informed="Een groepsapp", when_not_kept="We bellen elkaar",
        evaluation_date=today + timedelta(days=60))
    add_to_case(case, members=members, agreements=agreements, events=3, log_rows=3)
    return case


def add_to_case(case: Case, *, members: int, agreements: int, events: int, log_rows: int) -> None:
    """More of everything on one case: circle members, agreements, events, reminders, log rows."""
    version = PlanVersion.objects.filter(plan__case=case).order_by("-number").first()
    start = CircleMember.objects.filter(case=case).count()
    made = [CircleMember.objects.create(case=case, role=MemberRole.NETWORK, name=f"Lid {start + i}",
                                        relation="tante", email=f"lid{case.pk}-{start + i}@example.org",
                                        side="mother")
            for i in range(members)]
    network = made or list(CircleMember.objects.filter(case=case, role=MemberRole.NETWORK))
    order = Agreement.objects.filter(version=version).count()
    for i in range(agreements):
        Agreement.objects.create(version=version, order=order + i + 1, who=network[i % len(network)],
                                 what="Brengt de kinderen naar school", when="elke maandag")
    version.copy_recipients.add(*made)
    if version.monitor_id is None:
        PlanVersion.objects.filter(pk=version.pk).update(monitor=network[0])
    now = timezone.now()
    for i in range(events):
        CaseEvent.objects.create(case=case, name="note", from_state=State.FOLLOW_UP, to_state=State.FOLLOW_UP,
                                 actor=case.coordinator, actor_role="coordinator", at=now - timedelta(hours=i))
    for i, member in enumerate(made):
        Reminder.objects.create(case=case, kind="check_in", member=member, due_at=now + timedelta(days=7 + i))
    AccessLogEntry.objects.bulk_create([
        AccessLogEntry(action="read", outcome="success", user=case.coordinator, user_label="coordinator",
                       role="coordinator", object_type="case", object_id=str(case.pk), case_id=case.pk,
                       purpose="case page")
        for _ in range(log_rows)])


def grow(world: BenchWorld, more_cases: int) -> None:
    start = Case.objects.filter(coordinator=world.coordinator).count()
    for i in range(more_cases):
        add_case(world, index=start + i)
    add_to_case(world.case, members=12, agreements=8, events=10, log_rows=40)
