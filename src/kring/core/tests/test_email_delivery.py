"""E-mail leaves through the worker and reaches a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from kring.cases.services import case_assign
from kring.testing.helpers import run_worker


def test_the_assigned_coordinator_gets_an_email_through_the_worker(world, smtp_server):
    case_assign(case=world.case, coordinator=world.coordinator, by=world.manager)
    assert smtp_server.messages == []  # nothing is sent in the request itself
    run_worker()
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == world.coordinator.email
    assert world.case.reference in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert f"/cases/{world.case.pk}/" in body
    # Only ids and the reference travel through the queue: no names of the family.
    assert "el Amrani" not in body


def test_a_queued_email_is_sent_once_even_if_the_worker_runs_twice(world, smtp_server):
    case_assign(case=world.case, coordinator=world.coordinator, by=world.manager)
    run_worker()
    run_worker()
    assert len(smtp_server.messages) == 1
