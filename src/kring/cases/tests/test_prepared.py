"""A query compiled once gives what the ORM gives, for every case id, and runs one query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kring.cases.models import CaseEvent, CasePerson
from kring.cases.prepared import PreparedValues
from kring.testing import factories as f


def _events(case_id):
    return CaseEvent.objects.filter(case_id=case_id).values_list(
        "name", "at", "reason", "actor__first_name", "actor__username")


def test_the_rows_are_the_orms_for_each_case(world):
    other = f.CaseFactory(family=False)
    at = datetime(2026, 3, 1, 23, 30, 15, 123456, tzinfo=UTC)
    for case, actor in ((world.case, world.coordinator), (other, None), (world.case, None)):
        CaseEvent.objects.create(case=case, name="submitted", from_state="request", to_state="request",
                                 actor=actor, actor_role="", at=at, reason="r")
        at += timedelta(hours=1)
    prepared = PreparedValues(_events)
    for case in (world.case, other, world.case):
        rows = prepared(case.pk)
        assert rows == list(_events(case.pk)) and rows
        assert all(isinstance(row, tuple) for row in rows)
    moment = prepared(other.pk)[0][1]
    assert moment == datetime(2026, 3, 2, 0, 30, 15, 123456, tzinfo=UTC) and moment.tzinfo is not None
    assert prepared(0) == []


def test_dates_and_booleans_convert_as_in_the_orm(world):
    world.case.persons.create(role="child", name="Bo", birth_date="2020-02-29", is_main_person=True)
    prepared = PreparedValues(lambda case_id: CasePerson.objects.filter(case_id=case_id)
                              .values_list("birth_date", "is_main_person", "name"))
    assert prepared(world.case.pk) == list(CasePerson.objects.filter(case_id=world.case.pk)
                                           .values_list("birth_date", "is_main_person", "name"))


def test_it_runs_one_query_each_time(world):
    prepared = PreparedValues(_events)
    prepared(world.case.pk)
    with CaptureQueriesContext(connection) as queries:
        prepared(world.case.pk)
    assert len(queries) == 1 and str(world.case.pk) in queries[0]["sql"]


def test_the_value_must_be_one_parameter_of_the_query(db):
    prepared = PreparedValues(lambda case_id: CasePerson.objects.filter(case_id=7).values_list("name"))
    with pytest.raises(ValueError, match="one parameter"):
        prepared(3)


def test_a_prepared_model_read_fills_in_its_related_rows_as_the_orm_does(world):
    """The case read of every case page: the case, its region, municipality and coordinator in one
    query, the same values as the ORM's, and a case without a coordinator gets None."""
    from kring.cases.models import Case
    from kring.cases.prepared import PreparedModels

    unassigned = f.CaseFactory(family=False, coordinator=None)
    read = PreparedModels(lambda pk: Case.objects.select_related("region", "municipality", "coordinator")
                          .filter(pk=pk).order_by()[:1])
    for case in (world.case, unassigned, world.case):
        expected = Case.objects.select_related("region", "municipality", "coordinator").get(pk=case.pk)
        with CaptureQueriesContext(connection) as queries:
            (found,) = read(case.pk)
            shown = (found.region.name, found.municipality.name,
                     found.coordinator.display_name if found.coordinator else None)
        assert len(queries) == 1
        assert {f.attname: getattr(found, f.attname) for f in Case._meta.concrete_fields} == {
            f.attname: getattr(expected, f.attname) for f in Case._meta.concrete_fields}
        assert shown == (expected.region.name, expected.municipality.name,
                         expected.coordinator.display_name if expected.coordinator else None)
        assert not found._state.adding and found._state.db == "default"
    assert read(-5) == []
