"""The circle page reads its people once for the three lists of the arrangement form, and a
visit does not seed the circle again when everyone is in it."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kring.network.forms import ArrangementForm
from kring.network.services import circle_seed


def test_the_three_person_lists_come_from_one_query(circle):
    with CaptureQueriesContext(connection) as made:
        form = ArrangementForm(case=circle.case)
    with CaptureQueriesContext(connection) as rendered:
        html = "".join(str(form[name]) for name in ("person", "other", "present"))
    assert len(made) == 1 and len(rendered) == 0
    for member in (circle.mother, circle.aunt, circle.neighbour):
        assert html.count(f'value="{member.pk}"') == 3


def test_a_posted_arrangement_still_checks_the_person_belongs_to_the_case(circle):
    form = ArrangementForm({"kind": "must_not_meet", "person": circle.aunt.pk, "other": 999999},
                           case=circle.case)
    assert not form.is_valid() and "other" in form.errors and "person" not in form.errors


def test_seeding_a_full_circle_reads_once_and_opens_no_transaction(circle):
    with CaptureQueriesContext(connection) as queries:
        assert circle_seed(case=circle.case) == []
    assert len(queries) == 1
    assert not any(q["sql"].upper().startswith(("BEGIN", "SAVEPOINT")) for q in queries.captured_queries)
