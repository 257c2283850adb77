"""A coordinator's last free place: two managers assign it at once, exactly one wins.

Each assignment locks its own case, so two different cases do not wait for each other;
`case_assign` also locks the coordinator's profile before it counts the places. Runs on
PostgreSQL (two real connections, `SELECT ... FOR UPDATE`). SQLite has no row locks; there
every write transaction starts with BEGIN IMMEDIATE, which serialises the writers for the
whole database, so the race cannot be staged there.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import translation

from kring.accounts.models import CoordinatorProfile
from kring.cases.models import Case, CaseEvent, State
from kring.cases.services import TransitionRefused, case_assign
from kring.testing import factories as f


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks need PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE")
def test_two_managers_cannot_both_take_the_last_free_place(committed_db, world):
    coordinator = world.coordinator
    CoordinatorProfile.objects.filter(user=coordinator).update(max_cases=2)
    busy = f.CaseFactory()
    Case.objects.filter(pk=busy.pk).update(coordinator=coordinator, state=State.INFORMING)
    first_case, second_case = f.CaseFactory(), f.CaseFactory()  # two requests, one place left
    other_manager = f.ManagerFactory(username="other_manager", in_regions=[world.utrecht])

    first_has_lock = threading.Event()
    results: dict[str, str] = {}

    def first():
        try:
            with translation.override("nl"), transaction.atomic():
                case_assign(case=Case(pk=first_case.pk), coordinator=coordinator, by=world.manager)
                first_has_lock.set()
                time.sleep(0.5)  # the second manager now waits on the profile lock
            results["first"] = "ok"
        except TransitionRefused as exc:
            results["first"] = "refused:" + exc.code
        finally:
            first_has_lock.set()
            connection.close()

    def second():
        first_has_lock.wait(5)
        try:
            with translation.override("nl"):
                case_assign(case=Case(pk=second_case.pk), coordinator=coordinator, by=other_manager)
            results["second"] = "ok"
        except TransitionRefused as exc:
            results["second"] = "refused:" + exc.code
            results["message"] = " ".join(exc.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)

    assert results["first"] == "ok"
    assert results["second"] == "refused:ineligible"
    assert results["message"] == "Deze coördinator kan het dossier niet aannemen: geen plek vrij."
    assert Case.objects.get(pk=first_case.pk).coordinator_id == coordinator.pk
    assert Case.objects.get(pk=second_case.pk).coordinator_id is None
    assert Case.objects.filter(coordinator=coordinator, state__in=[State.REQUEST, State.INFORMING]).count() == 2
    assert CaseEvent.objects.filter(case_id__in=[first_case.pk, second_case.pk], name="assign").count() == 1
