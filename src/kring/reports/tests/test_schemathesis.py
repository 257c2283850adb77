"""Schemathesis against the whole OpenAPI spec, with a bearer token of each role: 0 server errors.

Runs in-process on the Django WSGI application (no network, no server), a bounded number of
generated requests per operation (positive and negative data) so that it stays well under 2 minutes.
`KRING_SCHEMATHESIS_EXAMPLES` raises the number for a longer run.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from kring.accounts.models import ApiToken

EXAMPLES = int(os.environ.get("KRING_SCHEMATHESIS_EXAMPLES", "4"))


@pytest.fixture
def wsgi_app():
    """The real WSGI app, kept on the test's database connection (as Django's test client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_no_operation_gives_a_server_error_to_any_role(world, wsgi_app):
    from kring.reports.tests import data

    data.build()
    tokens = {name: ApiToken.issue(user=world.by_name(name), name="schemathesis")[1]
              for name in ("manager", "coordinator", "professional", "policy", "admin")}
    tokens["anonymous"] = ""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    failures: list[str] = []
    calls = 0

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            def run(case):
                nonlocal calls
                for role, token in tokens.items():
                    headers = {"Authorization": f"Bearer {token}"} if token else {}
                    response = case.call(headers=headers)
                    calls += 1
                    if response.status_code >= 500:
                        failures.append(f"{role} {case.method} {case.formatted_path} {case.query} "
                                        f"-> {response.status_code}")

            run()
    assert calls > 100
    assert failures == []
