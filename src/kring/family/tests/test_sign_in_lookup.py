"""The sign-in finds a person by an indexed key of their address, however the number was typed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kring.cases.models import CasePerson, PersonRole
from kring.family.signin import parse_address, persons_for
from kring.testing import factories as f


def _parent(case, **address) -> CasePerson:
    return CasePerson.objects.create(case=case, role=PersonRole.PARENT, name="Fatima", is_main_person=True,
                                     **address)


@pytest.mark.parametrize("typed", ["06-12 34 56 78", "06 12345678", "+31612345678", "+31 (0)6 1234 5678",
                                   "0031 6 12 34 56 78", "06.12.34.56.78", "06/12345678"])
def test_a_number_typed_in_any_usual_way_is_found(db, typed):
    parent = _parent(f.CaseFactory(family=False), phone=typed)
    _parent(f.CaseFactory(family=False), phone="06-87654321")  # someone else
    assert persons_for(parse_address("0612345678")) == [parent]
    parent.refresh_from_db()
    assert parent.phone_key == "612345678"


def test_an_address_in_capitals_is_found_and_the_lookup_uses_the_key(db):
    parent = _parent(f.CaseFactory(family=False), email="Fatima.El@Example.org")
    _parent(f.CaseFactory(family=False), email="someone@example.org")
    with CaptureQueriesContext(connection) as queries:
        assert persons_for(parse_address("fatima.el@example.org")) == [parent]
    assert "email_key" in queries.captured_queries[0]["sql"]


def test_a_person_without_a_phone_number_is_never_found_by_one(db):
    _parent(f.CaseFactory(family=False), phone="")
    assert persons_for(parse_address("0612345678")) == []
