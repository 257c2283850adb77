"""An accepted plan with its follow-up schedule; the clock stands on Monday 11 January 2027, 09:00.

Built with the plan tests' builders (`kring.plans.tests.builders`): the mother
(main person, e-mail, Arabic), the aunt (monitor, has agreement 1), the uncle
(convenor) and the neighbour (no e-mail, no phone). Agreement 1 is the aunt's,
agreement 2 the mother's. The conference was held at 09:00 today and the plan
accepted right after; `followup_schedule_create` ran as the lead's hook will.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from kring.cases.models import Case
from kring.core import sms
from kring.followup.services import followup_schedule_create
from kring.plans.models import PlanVersion
from kring.plans.services import plan_decide, plan_test_condition
from kring.plans.tests.builders import PlanWorld, held_case_with_form, presented_plan

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2027, 1, 11, 9, 0, tzinfo=AMS)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@dataclass
class Accepted:
    pw: PlanWorld
    version: PlanVersion

    @property
    def case(self) -> Case:
        return self.pw.case

    @property
    def circle(self):
        return self.pw.circle

    @property
    def world(self):
        return self.pw.world


def accept_plan(world) -> Accepted:
    pw = held_case_with_form(world)
    version = presented_plan(pw)
    for condition in pw.conditions():
        plan_test_condition(version=version, condition=condition, met=True, reason="Staat in afspraak 1.",
                            by=world.professional)
    version = plan_decide(case=pw.case, by=world.professional, accept=True)
    pw.case.refresh_from_db()
    followup_schedule_create(pw.case)  # the lead's one-line hook in plan_decide
    mail.outbox.clear()
    return Accepted(pw=pw, version=version)


@pytest.fixture
def accepted(world) -> Accepted:
    return accept_plan(world)
