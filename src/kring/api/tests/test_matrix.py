"""`kring.api.matrix.API_OPERATIONS` tells the truth, persona by persona."""

from __future__ import annotations

import pytest

from kring.api.matrix import API_OPERATIONS, PERSONAS, access_log_rows, expected_status
from kring.cases.models import Case


@pytest.mark.parametrize("assigned", [True, False], ids=["assigned", "unassigned"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", API_OPERATIONS, ids=lambda o: o["operation_id"])
def test_each_persona_gets_the_expected_status(world, api, access_log, operation, persona, assigned):
    if assigned:
        Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    client = api(None if persona == "anonymous" else world.by_name(persona))
    body = operation["body"](world) if operation["body"] else None
    path = operation["path"].format(case_id=world.case.pk)
    log = access_log()
    response = client.call(operation["method"], path, body)
    expected = expected_status(operation, persona, assigned=assigned)
    assert response.status_code == expected, response.content
    assert len(log.rows()) == access_log_rows(expected)
    if access_log_rows(expected):
        log.one()  # and every field of it is filled


def test_every_operation_names_every_persona():
    for operation in API_OPERATIONS:
        assert set(operation["expected"]) == set(PERSONAS), operation["operation_id"]
