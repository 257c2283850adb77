"""Webhooks: signed JSON events on case state changes, for municipal and youth-care systems.

`case_state_changed(case, event)` is called by `kring.cases.services.case_transition`
inside its transaction: it writes one `WebhookDelivery` row per subscriber (the
unique (event, subscriber) pair means one row, never two) and enqueues the
delivery task in the same transaction (the database task queue), so a state
change and its events are saved together or not at all.

The worker claims a row with an optimistic update before it sends, so two
workers never send the same row at the same time. A failure is retried with
exponential back-off until `MAX_ATTEMPTS`; every try is written to the
delivery log. A receiver can still see an event twice when the worker stops
between sending and saving the result: receivers deduplicate on the event id
(header X-Kring-Event-Id), which never changes between retries.

The body holds ids, codes and times only: no names, no situation.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscriber

EVENT_TYPE = "case.state_changed"
MAX_ATTEMPTS = getattr(settings, "KRING_WEBHOOK_MAX_ATTEMPTS", 8)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=6)
TIMEOUT_SECONDS = 10
#: A claim older than this is taken to belong to a worker that stopped.
STALE_CLAIM = timedelta(minutes=5)
SIGNATURE_HEADER = "X-Kring-Signature"


def backoff(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min, … at most 6 hours, plus up to 10% jitter."""
    delay = min(BACKOFF_BASE * (2 ** max(attempt - 1, 0)), BACKOFF_MAX)
    return delay + timedelta(seconds=secrets.randbelow(max(int(delay.total_seconds() / 10), 1)))


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over "<timestamp>.<body>"."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def payload_for(case, event, event_id: uuid.UUID) -> dict:
    return {
        "id": str(event_id),
        "type": EVENT_TYPE,
        "occurred_at": event.at,
        "case": {"id": case.pk, "reference": case.reference},
        "region": case.region.code if case.region_id else None,
        "municipality": case.municipality.cbs_code if case.municipality_id else None,
        "step": event.name,
        "old_state": event.from_state,
        "new_state": event.to_state,
    }


def subscribers_for(case, new_state: str):
    subs = (WebhookSubscriber.objects.filter(active=True)
            .filter(Q(regions__isnull=True) | Q(regions=case.region_id)).distinct())
    return [s for s in subs if not s.states or new_state in s.states]


def case_state_changed(case, event) -> list[WebhookDelivery]:
    """Queue the event for every interested subscriber. Call inside the transition's transaction."""
    subscribers = subscribers_for(case, event.to_state)
    if not subscribers:
        return []
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"kring:case-event:{event.pk}") if event.pk else uuid.uuid4()
    payload = json.loads(json.dumps(payload_for(case, event, event_id), cls=DjangoJSONEncoder))
    rows = [WebhookDelivery(event_id=event_id, event_type=EVENT_TYPE, subscriber=s, payload=payload)
            for s in subscribers]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(WebhookDelivery.objects.filter(event_id=event_id, subscriber__in=subscribers))
    from .tasks import deliver_webhook

    for delivery in created:
        deliver_webhook.enqueue(delivery_id=delivery.pk)
    return created


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take the row for this worker, or None when it is delivered, given up, or in other hands."""
    now = timezone.now()
    token = secrets.token_hex(16)
    claimable = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
    taken = WebhookDelivery.objects.filter(claimable, pk=delivery_id).update(
        status=DeliveryStatus.SENDING, claimed_at=now, claim_token=token)
    if not taken:
        return None
    return WebhookDelivery.objects.select_related("subscriber").get(pk=delivery_id, claim_token=token)


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST the body; (status code, error text)."""
    if not url.lower().startswith(("http://", "https://")):
        return None, "only http and https addresses are allowed"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:500]


def deliver(delivery_id: int) -> str:
    """Try one delivery once; schedule the next try on failure. Returns the new status."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    subscriber = delivery.subscriber
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Kring-Webhooks/1",
        SIGNATURE_HEADER: sign(subscriber.secret, timestamp, body),
        "X-Kring-Timestamp": timestamp,
        "X-Kring-Event-Id": str(delivery.event_id),
        "X-Kring-Event": delivery.event_type,
    }
    started = time.monotonic()
    if subscriber.active:
        code, error = post(subscriber.url, body, headers)
    else:
        code, error = None, "subscriber is not active"
    duration = int((time.monotonic() - started) * 1000)
    number = delivery.attempts + 1
    now = timezone.now()
    ok = code is not None and 200 <= code < 300
    with transaction.atomic():
        WebhookAttempt.objects.create(delivery=delivery, number=number, at=now, status_code=code,
                                      error=error, duration_ms=duration)
        mine = WebhookDelivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token)
        if ok:
            mine.update(status=DeliveryStatus.DELIVERED, attempts=number, delivered_at=now,
                        last_status_code=code, last_error="", claim_token="")
            return DeliveryStatus.DELIVERED
        if number >= MAX_ATTEMPTS or not subscriber.active:
            mine.update(status=DeliveryStatus.FAILED, attempts=number, last_status_code=code,
                        last_error=error, claim_token="")
            return DeliveryStatus.FAILED
        next_at = now + backoff(number)
        mine.update(status=DeliveryStatus.PENDING, attempts=number, last_status_code=code, last_error=error,
                    next_attempt_at=next_at, claim_token="")
        from .tasks import deliver_webhook

        deliver_webhook.using(run_after=next_at).enqueue(delivery_id=delivery.pk)
    return DeliveryStatus.PENDING


def redeliver_due(now=None) -> int:
    """Enqueue every delivery that is due but has no task (a lost task, a stale claim). For a timer."""
    now = now or timezone.now()
    from .tasks import deliver_webhook

    due = WebhookDelivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now - STALE_CLAIM)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)).values_list("pk", flat=True)
    count = 0
    for pk in due:
        deliver_webhook.enqueue(delivery_id=pk)
        count += 1
    return count
