"""The circle's reads are compiled once and still give what the ORM gives: the same people with the
same loaded (and deferred) fields, the arrangements with their people, each case its own circle."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kring.cases.models import CasePerson, PersonRole
from kring.network.ecomap import MAP_FIELDS, read_circle
from kring.network.models import ArrangementKind, CircleMember, SafetyArrangement
from kring.network.services import arrangement_add, circle_seed
from kring.testing import factories as f

from .conftest import add_member

#: The fewest fields a caller may ask for: the page order sorts by these.
FEWEST = ("id", "role", "name", "closeness")


def _loaded(member: CircleMember) -> dict[str, object]:
    return {name: value for name, value in member.__dict__.items() if not name.startswith("_")}


def test_members_are_the_orms_members_with_the_same_fields_loaded(circle):
    for fields in ((), MAP_FIELDS, FEWEST):
        expected = CircleMember.objects.filter(case=circle.case).order_by("role", "name", "id")
        if fields:
            expected = expected.only(*fields)
        read = read_circle(circle.case, fields=fields, arrangements=False)
        assert [_loaded(m) for m in read.listed] == [_loaded(m) for m in expected]
        assert [m.get_deferred_fields() for m in read.listed] == [m.get_deferred_fields() for m in expected]
        assert all(not m._state.adding and m._state.db == "default" for m in read.listed)


def test_a_deferred_field_is_still_read_when_used(circle):
    aunt = next(m for m in read_circle(circle.case, fields=FEWEST, arrangements=False).listed
                if m.pk == circle.aunt.pk)
    assert "phone" in aunt.get_deferred_fields()
    assert aunt.phone == "+31612345678"


def test_arrangements_are_the_orms_with_their_people_from_the_circle(circle, world):
    arrangement_add(case=circle.case, kind=ArrangementKind.ONLY_WITH_PERSON, person=circle.child,
                    other=circle.neighbour, present=circle.aunt, by=world.coordinator)
    arrangement_add(case=circle.case, kind=ArrangementKind.REMOTE_ONLY, person=circle.uncle, by=world.coordinator)
    read = read_circle(circle.case, fields=MAP_FIELDS)
    expected = sorted(SafetyArrangement.objects.filter(case=circle.case), key=lambda a: (a.created_at, a.pk))
    assert [_loaded(a) for a in read.arrangements] == [_loaded(a) for a in expected]
    by_id = {m.pk: m for m in read.members}
    with CaptureQueriesContext(connection) as used:
        people = [(a.person, a.other, a.present) for a in read.arrangements]
    assert len(used) == 0
    assert people == [(by_id[circle.child.pk], by_id[circle.neighbour.pk], by_id[circle.aunt.pk]),
                      (by_id[circle.uncle.pk], None, None)]
    assert people[0][0] is by_id[circle.child.pk]


def test_each_case_reads_its_own_circle_with_the_same_compiled_query(circle, world):
    other = f.CaseFactory(referred_by=world.professional)
    stranger = add_member(other, "Piet Jansen")
    assert [m.pk for m in read_circle(other).members] == [stranger.pk]
    assert stranger.pk not in {m.pk for m in read_circle(circle.case).members}
    with CaptureQueriesContext(connection) as queries:
        read_circle(other)
        read_circle(circle.case)
    assert len(queries) == 4


def test_the_seed_check_looks_at_the_case_asked_about(circle, world):
    other = f.CaseFactory(referred_by=world.professional)
    circle_seed(case=other)
    CasePerson.objects.create(case=other, role=PersonRole.PARENT, name="Anna de Vries")
    assert circle_seed(case=circle.case) == []
    assert [m.name for m in circle_seed(case=other)] == ["Anna de Vries"]
    assert circle_seed(case=other) == []
