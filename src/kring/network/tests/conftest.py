"""A small circle around the world's case (Fatima and her daughter Yasmina)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kring.audit.models import AccessLogEntry
from kring.cases.models import Case
from kring.network.models import CircleMember, Closeness, Kind, MemberRole, Side
from kring.network.services import circle_seed


def add_member(case, name: str, *, side=Side.NONE, kind=Kind.FAMILY, closeness=Closeness.NEAR,
               role=MemberRole.NETWORK, **extra) -> CircleMember:
    return CircleMember.objects.create(case=case, name=name, side=side, kind=kind, closeness=closeness,
                                       role=role, **extra)


@dataclass
class Circle:
    case: Case
    mother: CircleMember
    child: CircleMember
    aunt: CircleMember
    uncle: CircleMember
    neighbour: CircleMember


@pytest.fixture
def assigned(world):
    """The world, with its case coordinated by `world.coordinator`."""
    Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    world.case.refresh_from_db()
    return world


@pytest.fixture
def circle(assigned) -> Circle:
    case = assigned.case
    mother, child = circle_seed(case=case)
    return Circle(
        case=case,
        mother=mother,
        child=child,
        aunt=add_member(case, "Samira Bakker", side=Side.MOTHER, relation="tante (zus van moeder)",
                        closeness=Closeness.CLOSE, phone="+31612345678"),
        uncle=add_member(case, "Karim el Amrani", side=Side.FATHER, relation="oom"),
        neighbour=add_member(case, "Els de Boer", side=Side.NONE, kind=Kind.NEIGHBOUR,
                             closeness=Closeness.FAR),
    )


class LogCounter:
    """Access-log rows written since it was made."""

    def __init__(self) -> None:
        last = AccessLogEntry.objects.order_by("-id").first()
        self.after = last.pk if last else 0

    def rows(self) -> list[AccessLogEntry]:
        return list(AccessLogEntry.objects.filter(pk__gt=self.after).order_by("id"))

    def one(self) -> AccessLogEntry:
        rows = self.rows()
        assert len(rows) == 1, [str(r) for r in rows]
        return rows[0]


@pytest.fixture
def log(db):
    """`log()` starts counting access-log rows."""
    return LogCounter
