"""A family with a plan: a parent who may sign in, a young person of 13, a child of 8,
a circle with an aunt (copy recipient, one agreement) and a neighbour, and a second
family whose file must never show."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from kring.cases.models import CasePerson, PersonRole, State
from kring.core import sms
from kring.network.models import CircleMember, MemberRole
from kring.network.services import circle_seed
from kring.plans.models import Agreement, Plan, PlanStatus, PlanVersion
from kring.testing import factories as f
from kring.testing.helpers import run_worker

PARENT_EMAIL = "fatima@example.org"
PARENT_PHONE = "06 12345678"
YOUNG_EMAIL = "yasmina@example.org"


@dataclass
class FamilyWorld:
    case: object
    parent: object
    young: object
    little: object
    aunt: object
    neighbour: object
    version: object
    other_case: object


def ensure_regions() -> None:
    """Put the regions back when an earlier transactional test in this module flushed them
    (serialized_rollback restores them for the first test of a module only)."""
    from kring.regions.loading import load_regions
    from kring.regions.models import Municipality, Region

    if not Municipality.objects.exists():
        load_regions(Region, Municipality)


def make_family(*, email: str = PARENT_EMAIL, phone: str = PARENT_PHONE) -> FamilyWorld:
    today = timezone.localdate()
    case = f.CaseFactory(family=False, state=State.PLAN_ACCEPTED, phone_consent=True,
                         phone_consent_at=timezone.now())
    parent = CasePerson.objects.create(case=case, role=PersonRole.PARENT, name="Fatima el Amrani",
                                       email=email, phone=phone, is_main_person=True)
    young = CasePerson.objects.create(case=case, role=PersonRole.CHILD, name="Yasmina el Amrani",
                                      email=YOUNG_EMAIL, birth_date=today.replace(year=today.year - 13))
    little = CasePerson.objects.create(case=case, role=PersonRole.CHILD, name="Adam el Amrani",
                                       email="adam@example.org", birth_date=today.replace(year=today.year - 8))
    circle_seed(case=case)
    aunt = CircleMember.objects.create(case=case, role=MemberRole.NETWORK, name="Khadija Bakr",
                                       relation="tante", email="khadija@example.org", side="mother")
    neighbour = CircleMember.objects.create(case=case, role=MemberRole.NETWORK, name="Henk de Buur",
                                            relation="buurman", email="henk@example.org")
    plan = Plan.objects.create(case=case)
    version = PlanVersion.objects.create(
        plan=plan, number=1, status=PlanStatus.ACCEPTED, concerns_answered="Wie brengt de kinderen naar school?",
        keep_informed="Een groepsapp", when_not_kept="We bellen elkaar", evaluation_date=today + timedelta(days=60),
        monitor=aunt)
    version.copy_recipients.set([aunt])
    Agreement.objects.create(version=version, order=1, who=aunt, what="Brengt Adam op maandag naar school",
                             when="elke maandag")
    Agreement.objects.create(version=version, order=2, who=neighbour, what="Haalt de boodschappen",
                             when="op vrijdag")
    other = f.CaseFactory()  # another family; its log rows must never show
    return FamilyWorld(case, parent, young, little, aunt, neighbour, version, other)


@pytest.fixture
def family_world(db, settings) -> FamilyWorld:
    settings.SMS_BACKEND = "locmem"
    cache.clear()
    sms.outbox.clear()
    return make_family()


def latest_code() -> str:
    """Run the worker and read the newest code from the e-mail or text message."""
    run_worker()
    texts = [m.body for m in mail.outbox] + [m.text for m in sms.outbox]
    assert texts, "no code was sent"
    return re.search(r"\b(\d{6})\b", texts[-1])[1]


def date_today() -> date:
    return timezone.localdate()
