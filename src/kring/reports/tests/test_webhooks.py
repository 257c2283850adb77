"""Webhooks against a real HTTP receiver on 127.0.0.1: signed, retried after a failure,
no event lost and none delivered twice."""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.db import transaction

from kring.cases.models import CaseEvent
from kring.cases.services import case_transition
from kring.reports.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscriber
from kring.reports.webhooks import case_state_changed, deliver, verify
from kring.testing import factories as f
from kring.testing.helpers import run_worker


class Receiver:
    """A local HTTP server that answers 500 to the first `fail_first` requests on a path."""

    def __init__(self, fail_first: dict[str, int]):
        self.received: list[dict] = []
        self.fail_first = dict(fail_first)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                failing = receiver.fail_first.get(self.path, 0) > 0
                if failing:
                    receiver.fail_first[self.path] -= 1
                status = 500 if failing else 200
                receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                          "status": status})
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"boom")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def transition(case, by, name="withdraw"):
    """What `case_transition` does with the one line the lead adds: the event is queued in its transaction."""
    with transaction.atomic():
        case = case_transition(case=case, name=name, by=by, reason="De familie regelt het zelf.")
        case_state_changed(case, CaseEvent.objects.filter(case=case).latest("id"))
    return case


@pytest.fixture
def receiver():
    with Receiver({"/flaky": 1}) as r:
        yield r


def test_events_are_signed_retried_and_delivered_exactly_once(world, receiver):
    steady = WebhookSubscriber.objects.create(name="Gemeente", url=receiver.url + "/steady", secret="s1")
    flaky = WebhookSubscriber.objects.create(name="Jeugdzorg", url=receiver.url + "/flaky", secret="s2")
    WebhookSubscriber.objects.create(name="Uit", url=receiver.url + "/off", active=False)
    WebhookSubscriber.objects.create(name="Alleen plannen", url=receiver.url + "/plans",
                                     states=["plan_accepted"])
    cases = [world.case, *(f.CaseFactory(referred_by=world.professional) for _ in range(2))]
    with time_machine.travel("2026-03-01 10:00 +01:00", tick=True) as traveller:
        for case in cases:
            transition(case, world.professional)
        assert WebhookDelivery.objects.count() == 6  # 3 events x 2 interested subscribers
        run_worker()
        first_round = Counter((r["path"], r["status"]) for r in receiver.received)
        assert first_round == {("/steady", 200): 3, ("/flaky", 500): 1, ("/flaky", 200): 2}
        waiting = WebhookDelivery.objects.get(status=DeliveryStatus.PENDING)
        assert waiting.subscriber == flaky and waiting.attempts == 1 and waiting.last_status_code == 500

        run_worker()  # the retry is not due yet: nothing is sent
        assert len(receiver.received) == 6
        traveller.shift(15 * 60)
        run_worker()
        run_worker()

    delivered = [r for r in receiver.received if r["status"] == 200]
    per_subscriber = Counter((r["path"], r["headers"]["X-Kring-Event-Id"]) for r in delivered)
    assert len(per_subscriber) == 6 and set(per_subscriber.values()) == {1}  # none lost, none twice
    assert len(receiver.received) == 7
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 6
    retried = WebhookDelivery.objects.get(pk=waiting.pk)
    assert retried.attempts == 2 and retried.delivered_at is not None
    assert [(a.number, a.status_code) for a in WebhookAttempt.objects.filter(delivery=retried)] == [
        (1, 500), (2, 200)]

    secrets = {"/steady": steady.secret, "/flaky": flaky.secret}
    for r in receiver.received:
        headers = r["headers"]
        assert headers["X-Kring-Signature"].startswith("sha256=")
        assert verify(secrets[r["path"]], headers["X-Kring-Timestamp"], r["body"], headers["X-Kring-Signature"])
        assert not verify("wrong", headers["X-Kring-Timestamp"], r["body"], headers["X-Kring-Signature"])
        payload = json.loads(r["body"])
        assert payload["id"] == headers["X-Kring-Event-Id"]
        assert payload["old_state"] == "request" and payload["new_state"] == "withdrawn"
        assert payload["region"] == "utrecht" and payload["case"]["reference"].startswith("K-")
        text = r["body"].decode()
        assert world.case.requester_name not in text and "situation" not in text


def test_the_same_event_is_queued_once_and_claimed_once(world, receiver):
    WebhookSubscriber.objects.create(name="Gemeente", url=receiver.url + "/steady")
    case = transition(world.case, world.professional)
    event = CaseEvent.objects.filter(case=case).latest("id")
    case_state_changed(case, event)  # called twice for one event: still one row
    delivery = WebhookDelivery.objects.get()
    assert deliver(delivery.pk) == DeliveryStatus.DELIVERED
    assert deliver(delivery.pk) == "skipped"
    assert len(receiver.received) == 1


def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_attempt(world, receiver, settings):
    receiver.fail_first["/down"] = 100
    WebhookSubscriber.objects.create(name="Stuk", url=receiver.url + "/down")
    with time_machine.travel("2026-03-01 10:00 +01:00", tick=True) as traveller:
        transition(world.case, world.professional)
        from kring.reports import webhooks

        for _ in range(webhooks.MAX_ATTEMPTS + 2):
            run_worker()
            traveller.shift(7 * 3600)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == webhooks.MAX_ATTEMPTS == len(receiver.received)


def test_no_subscriber_means_no_rows(world):
    transition(world.case, world.professional)
    assert not WebhookDelivery.objects.exists()
