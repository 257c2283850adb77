"""A case being prepared, its circle, and a real SMTP server; the clock stands on 1 December 2026.

The conference is planned for Saturday 5 December 2026, 10:00-14:00 Dutch
time; the reminder is due on Friday 4 December at 10:00; the links work until
the end of Sunday 6 December.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kring.cases.models import Case, State
from kring.conferences import services
from kring.core import sms
from kring.network.models import CircleMember, MemberRole

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=AMS)
STARTS = datetime(2026, 12, 5, 10, 0, tzinfo=AMS)
ENDS = datetime(2026, 12, 5, 14, 0, tzinfo=AMS)
REMINDER_DUE = datetime(2026, 12, 4, 10, 0, tzinfo=AMS)
LINK_END = datetime(2026, 12, 7, 0, 0, tzinfo=AMS)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@dataclass
class Circle:
    fatima: CircleMember  # main person; e-mail and phone
    ans: CircleMember  # aunt; e-mail and phone
    bram: CircleMember  # neighbour; e-mail only
    cees: CircleMember  # uncle; phone only
    dina: CircleMember  # friend; no way to reach her

    def all(self) -> list[CircleMember]:
        return [self.fatima, self.ans, self.bram, self.cees, self.dina]


@pytest.fixture
def preparing(world) -> Case:
    """The world's case, assigned to the coordinator and being prepared."""
    Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator, state=State.PREPARING)
    world.case.refresh_from_db()
    return world.case


@pytest.fixture
def circle(preparing) -> Circle:
    person = preparing.persons.get(is_main_person=True)

    def member(name, **kw):
        return CircleMember.objects.create(case=preparing, name=name, **kw)

    return Circle(
        fatima=member("Fatima el Amrani", role=MemberRole.MAIN, case_person=person,
                      email="fatima@example.org", phone="0612345678"),
        ans=member("Ans de Boer", relation="tante (zus van moeder)", side="mother", email="ans@example.org",
                   phone="06 23456789"),
        bram=member("Bram Visser", relation="buurman", kind="neighbour", email="bram@example.org",
                    language="en"),
        cees=member("Cees el Amrani", relation="oom", side="father", phone="+31 6 34567890"),
        dina=member("Dina Smit", relation="vriendin", kind="friend"),
    )


@pytest.fixture
def conference(world, preparing, circle):
    """Planned by the coordinator: the case is now scheduled."""
    conference, _created = services.conference_save(
        case=preparing, by=world.coordinator, starts_at=STARTS, ends_at=ENDS, venue="Buurthuis De Linde",
        address="Lindelaan 3, Utrecht", remote_link="https://meet.example.org/kring-123")
    preparing.refresh_from_db()
    return conference


class LogWatcher:
    """The access-log rows written since it was made."""

    def __init__(self) -> None:
        from kring.audit.models import AccessLogEntry

        last = AccessLogEntry.objects.order_by("-id").first()
        self.after = last.pk if last else 0

    def rows(self):
        from kring.audit.models import AccessLogEntry

        return list(AccessLogEntry.objects.filter(pk__gt=self.after).order_by("id"))

    def one(self, **expected):
        rows = self.rows()
        assert len(rows) == 1, [str(r) for r in rows]
        for name, value in expected.items():
            assert getattr(rows[0], name) == value, (name, getattr(rows[0], name), value)
        return rows[0]


@pytest.fixture
def access_log(db):
    return LogWatcher
