"""State changes take a row lock: two people pressing the same button at once, one wins.

Runs on PostgreSQL (two real connections, `SELECT ... FOR UPDATE`). SQLite has no row
locks; there Kring opens every write transaction with BEGIN IMMEDIATE (settings), which
serialises writers for the whole database, so this race cannot be staged there.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from kring.cases.models import Case, CaseEvent, State
from kring.cases.services import TransitionRefused, case_transition


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks need PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE")
def test_two_concurrent_transitions_give_exactly_one_success(committed_db, world):
    case_pk = world.case.pk
    first_has_lock = threading.Event()
    results: dict[str, str] = {}

    def first():
        try:
            with transaction.atomic():
                case_transition(case=Case(pk=case_pk), name="withdraw", by=world.professional,
                                reason="De familie wil niet meer.")
                first_has_lock.set()
                time.sleep(0.5)  # the second caller now waits on the row lock
            results["first"] = "ok"
        except TransitionRefused:
            results["first"] = "refused"
        finally:
            first_has_lock.set()
            connection.close()

    def second():
        first_has_lock.wait(5)
        try:
            case_transition(case=Case(pk=case_pk), name="withdraw", by=world.manager,
                            reason="Dubbel ingediend.")
            results["second"] = "ok"
        except TransitionRefused as exc:
            results["second"] = "refused:" + exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert results == {"first": "ok", "second": "refused:wrong_state"}
    assert time.monotonic() - started >= 0.5  # the second really waited for the first
    assert Case.objects.get(pk=case_pk).state == State.WITHDRAWN
    assert CaseEvent.objects.filter(case_id=case_pk, name="withdraw").count() == 1
