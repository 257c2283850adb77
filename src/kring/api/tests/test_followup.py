"""The follow-up operations: same rules, same services, one access-log row per call.

Needs `api.add_router("", "kring.api.followup.router")` in `kring/api/api.py`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kring.api.followup import API_OPERATIONS, outcome_body
from kring.api.matrix import access_log_rows, expected_status
from kring.cases.models import Case
from kring.followup.models import Outcome
from kring.followup.services import sharing_record
from kring.followup.tests.conftest import accept_plan

PERSONAS = ("anonymous", "manager", "coordinator", "professional", "linked_professional", "policy",
            "admin", "stranger_manager", "stranger_coordinator", "stranger_professional")
AMS = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize("assigned", [True, False], ids=["assigned", "unassigned"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", API_OPERATIONS, ids=lambda o: o["operation_id"])
def test_each_persona_gets_the_expected_status(world, api, access_log, operation, persona, assigned):
    if assigned:
        Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    client = api(None if persona == "anonymous" else world.by_name(persona))
    body = operation["body"](world) if operation["body"] else None
    log = access_log()
    response = client.call(operation["method"], operation["path"].format(case_id=world.case.pk), body)
    expected = expected_status(operation, persona, assigned=assigned)
    assert response.status_code == expected, response.content
    assert len(log.rows()) == access_log_rows(expected)


@pytest.fixture
def accepted(world):
    with time_machine.travel(datetime(2027, 1, 11, 9, tzinfo=AMS), tick=False) as clock:
        yield accept_plan(world), clock


def test_the_follow_up_lists_the_schedule(accepted, api):
    plan, _clock = accepted
    body = api(plan.world.coordinator).get(f"/api/cases/{plan.case.pk}/followup").json()
    assert len(body["reminders"]) == 19
    assert [o["months"] for o in body["outcomes"]] == [3, 6, 12]
    assert body["check_ins"] == [
        {"agreement": a.what, "who": a.who.name, "good": 0, "partly": 0, "not_going_well": 0}
        for a in plan.version.agreements.order_by("order", "pk")]


def test_the_professional_sees_check_ins_only_with_consent(accepted, api):
    plan, _clock = accepted
    assert api(plan.world.professional).get(f"/api/cases/{plan.case.pk}/followup").json()["check_ins"] is None
    sharing_record(case=plan.case, allowed=True, recorded_by_label="family portal")
    assert api(plan.world.professional).get(f"/api/cases/{plan.case.pk}/followup").json()["check_ins"] is not None


def test_the_coordinator_records_an_outcome_when_it_is_due(accepted, api):
    plan, clock = accepted
    url = f"/api/cases/{plan.case.pk}/outcomes"
    assert api(plan.world.coordinator).post(url, outcome_body()).status_code == 409
    clock.move_to(datetime(2027, 4, 11, 10, tzinfo=AMS))
    client = api(plan.world.coordinator)
    assert client.post(url, {**outcome_body(), "family_satisfaction": 11}).status_code == 422
    response = client.post(url, outcome_body())
    assert response.status_code == 200, response.content
    assert response.json()["family_satisfaction"] == 8
    assert Outcome.objects.get(case=plan.case, months=3).recorded_at is not None
