"""The reminder dispatcher: claim each due reminder once, send it, mark it sent.

Why not a django-tasks task that re-enqueues itself? django-tasks has no cron,
and a self-re-enqueueing chain breaks for good when the worker is killed while
the chain's task runs (the row stays "running" and nobody enqueues the next
one). So the schedule lives in our own table (`Reminder`, with its due time),
and a loop polls it: `kring worker` runs this loop in a thread next to
django-tasks' `db_worker` (see `start_in_thread` and `kring.cli.cmd_worker`);
`kring manage send_reminders [--loop]` runs it on its own. Any number of
loops may run at once, on any number of machines.

The steps for one reminder (healthchecks' `sendalerts` pattern, with the
mark moved inside the SMTP transaction):

1. *Claim* with one optimistic update: `filter(pk=…, status=scheduled,
   claimed_at=None) | filter(pk=…, status=sending, claimed_at < now - stale)`
   `.update(status=sending, claim_token=…, claimed_at=now, attempts+1)`.
   Only one loop's update matches; the others skip the row.
2. *Send and mark*: MAIL, RCPT, DATA and the message go to the server; then
   the row is marked `sent` (`filter(pk=…, claim_token=mine).update(…)`,
   committed); then the final dot that makes the server accept it
   (`kring.core.handover`). A failure before the mark goes back to
   `scheduled` with `next_attempt_at` = now + base x 2^(attempts-1); a server
   that refuses the message at the dot puts the row back the same way; after
   `FOLLOWUP_MAX_ATTEMPTS` it becomes `failed` and shows on the regional
   manager's page `/followup/failures/`.

The guarantee:

* Exactly once by e-mail, also when a worker is killed at any moment: a kill
  before the mark leaves a claimed row and a half message the server drops
  (the next worker sends it after `FOLLOWUP_STALE_CLAIM_SECONDS`); a kill
  after the mark leaves a sent row and a message the server has. The few
  microseconds between the commit and writing the dot are the one place a
  kill loses a message instead; `kring.core.handover` explains the choice.
* Never sent twice by two running workers (the claim); a worker that finds
  its claim taken over while it sends drops the connection before the dot.
* Every e-mail also carries a Message-ID made from the reminder's id.
* Text messages have no such commit point: they are sent, then marked, so a
  kill in between sends one again. An SMS provider with an idempotency key
  should get `reminder-<id>` as that key.
  `tests/test_worker_kill.py` kills a real worker mid-run and checks this.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.core.mail import get_connection
from django.db import close_old_connections
from django.db.models import F, Q
from django.utils import timezone

from kring.cases.models import FINAL_STATES
from kring.core.handover import (
    ClaimLost,
    HandoverRefused,
    HandoverUnconfirmed,
    send_with_commit_point,
)
from kring.core.sms import SmsError, send_sms

from . import conf
from .messages import NoAddress, build
from .models import Reminder, ReminderKind, ReminderStatus

logger = logging.getLogger("kring.followup")

#: Reminders claimed per optimistic update; each is marked sent on its own.
CLAIM_BATCH = 50


@dataclass
class Stats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    cancelled: int = 0
    skipped: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.retried + self.cancelled


def due(now=None):
    """Reminders that a loop may claim now: due and not waiting for a retry, or claimed by a dead worker."""
    now = now or timezone.now()
    waiting_done = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return Reminder.objects.filter(
        (Q(status=ReminderStatus.SCHEDULED, due_at__lte=now) & waiting_done)
        | Q(status=ReminderStatus.SENDING, claimed_at__lt=now - conf.stale_claim())
    )


def _claimable(now):
    return Q(status=ReminderStatus.SCHEDULED, claimed_at__isnull=True) | Q(
        status=ReminderStatus.SENDING, claimed_at__lt=now - conf.stale_claim())


def claim(pk: int, now=None) -> str | None:
    """Take one reminder for this loop (an optimistic update). The claim token, or None if another has it."""
    return claim_many([pk], now)[0]


def claim_many(pks: list[int], now=None) -> tuple[str | None, int]:
    """Take the reminders among `pks` that nobody holds, in one optimistic update.

    The update's condition is checked per row by the database, so each row
    goes to exactly one loop. Returns (token, how many are ours).
    """
    now = now or timezone.now()
    token = secrets.token_hex(16)
    updated = Reminder.objects.filter(pk__in=pks).filter(_claimable(now)).update(
        status=ReminderStatus.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
    return (token if updated else None), updated


def release(pks: list[int], token: str) -> None:
    """Give claimed reminders back unsent (the loop is stopping): due again at once, attempt not counted."""
    Reminder.objects.filter(pk__in=pks, claim_token=token, status=ReminderStatus.SENDING).update(
        status=ReminderStatus.SCHEDULED, claimed_at=None, claim_token="", attempts=F("attempts") - 1)


def _finish(pk: int, token: str, *, was: str = ReminderStatus.SENDING, **fields) -> bool:
    """Write the result, only while the claim is still ours (and the row is still `was`)."""
    return bool(Reminder.objects.filter(pk=pk, claim_token=token, status=was).update(**fields))


def _link(reminder: Reminder):
    """(url, valid until) of the personal link the reminder carries, or ("", None)."""
    from . import services

    if reminder.kind == ReminderKind.RECONVENE:
        return services.reconvene_url(reminder.invitation), reminder.invitation.expires_at
    if reminder.kind in services.LINK_KINDS and reminder.member_id:
        check_in = services.check_in_for_reminder(reminder)
        if check_in is not None:
            return services.check_in_url(check_in), check_in.expires_at
    return "", None


def deliver(reminder: Reminder, connection=None, *, cache: dict | None = None,
            commit: Callable[[str], bool] | None = None) -> str:
    """Send one reminder; returns how it went out ("email", "sms" or "task").

    `commit(channel)` records it as sent; for e-mail it runs inside the SMTP
    transaction, just before the server may accept the message (see
    `kring.core.handover`). It returns False when the claim is no longer ours,
    and then nothing is delivered and `ClaimLost` is raised.
    """
    url, valid_until = _link(reminder)
    outgoing = build(reminder, url=url, valid_until=valid_until, connection=connection, cache=cache)
    channel = outgoing.channel

    def mark() -> bool:
        return commit(channel) if commit is not None else True

    if channel == "email":
        own = connection is None
        connection = connection or get_connection()
        try:
            send_with_commit_point(outgoing.email, connection, mark)
        finally:
            if own:
                connection.close()
        return channel
    if channel == "sms":
        send_sms(outgoing.sms_to, outgoing.sms_text)
    if not mark():
        raise ClaimLost
    return channel


RELATED = ("case", "member", "user", "invitation__conference")


def process(pk: int, token: str, *, connection=None, stats: Stats | None = None) -> str:
    """Send one claimed reminder and record the result. Returns the new status."""
    reminder = Reminder.objects.select_related(*RELATED).get(pk=pk)
    return _process(reminder, token, connection=connection, stats=stats)


def _process(reminder: Reminder, token: str, *, connection=None, stats: Stats | None = None,
             cache: dict | None = None) -> str:
    stats = stats if stats is not None else Stats()
    pk = reminder.pk
    if reminder.case.state in FINAL_STATES:
        _finish(pk, token, status=ReminderStatus.CANCELLED, claimed_at=None,
                last_error="case closed before it was due")
        stats.cancelled += 1
        return ReminderStatus.CANCELLED
    def mark_sent(channel: str) -> bool:
        return _finish(pk, token, status=ReminderStatus.SENT, sent_at=timezone.now(),
                       delivered_via=channel, last_error="")

    try:
        deliver(reminder, connection, cache=cache, commit=mark_sent)
    except ClaimLost:
        logger.warning("reminder %s was taken over while it was being sent; left to the other worker", pk)
        stats.skipped += 1
        return ReminderStatus.SENDING
    except HandoverUnconfirmed as exc:
        # Marked sent and handed over, but the server's answer never came: no second copy.
        Reminder.objects.filter(pk=pk, claim_token=token, status=ReminderStatus.SENT).update(
            last_error=_error(exc))
        stats.sent += 1
        return ReminderStatus.SENT
    except HandoverRefused as exc:  # refused at the end: not delivered after all
        return _retry_or_fail(reminder, token, exc, stats, was=ReminderStatus.SENT)
    except (NoAddress, SmsError) as exc:  # retrying does not help
        _finish(pk, token, status=ReminderStatus.FAILED, claimed_at=None, last_error=_error(exc))
        stats.failed += 1
        return ReminderStatus.FAILED
    except Exception as exc:
        if connection is not None:
            connection.close()  # a broken SMTP session: the next message opens a new one
        return _retry_or_fail(reminder, token, exc, stats)
    stats.sent += 1
    return ReminderStatus.SENT


def _retry_or_fail(reminder: Reminder, token: str, exc: Exception, stats: Stats, *,
                   was: str = ReminderStatus.SENDING) -> str:
    """Back to `scheduled` with back-off, or `failed` after the last attempt."""
    undo = {"sent_at": None, "delivered_via": ""}
    if reminder.attempts >= conf.max_attempts():
        _finish(reminder.pk, token, was=was, status=ReminderStatus.FAILED, claimed_at=None,
                last_error=_error(exc), **undo)
        stats.failed += 1
        logger.warning("reminder %s failed for good after %s attempts", reminder.pk, reminder.attempts)
        return ReminderStatus.FAILED
    _finish(reminder.pk, token, was=was, status=ReminderStatus.SCHEDULED, claimed_at=None, claim_token="",
            next_attempt_at=timezone.now() + conf.retry_delay(reminder.attempts), last_error=_error(exc),
            **undo)
    stats.retried += 1
    return ReminderStatus.SCHEDULED


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def send_due_reminders(*, limit: int | None = None, connection=None,
                       stop: threading.Event | None = None) -> Stats:
    """Claim and send every due reminder (at most `limit`); returns what happened.

    Reminders are claimed `CLAIM_BATCH` at a time (one optimistic update) and
    each one is marked sent on its own, right after it went out. A loop that is
    stopped gives its unsent claims back; a killed one leaves them to be taken
    over after `FOLLOWUP_STALE_CLAIM_SECONDS` (late, never lost, never twice).
    """
    stats = Stats()
    own_connection = connection is None
    connection = connection or get_connection()
    cache: dict = {}
    try:
        while stop is None or not stop.is_set():
            now = timezone.now()
            size = CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - stats.handled)
            if size <= 0:
                break
            ids = list(due(now).order_by("due_at", "id").values_list("pk", flat=True)[:size])
            if not ids:
                break
            token, count = claim_many(ids, now)
            stats.skipped += len(ids) - count
            if token is None:
                continue
            claimed = list(Reminder.objects.filter(pk__in=ids, claim_token=token, status=ReminderStatus.SENDING)
                           .select_related(*RELATED).order_by("due_at", "id"))
            for index, reminder in enumerate(claimed):
                if stop is not None and stop.is_set():
                    release([r.pk for r in claimed[index:]], token)
                    break
                _process(reminder, token, connection=connection, stats=stats, cache=cache)
    finally:
        if own_connection:
            connection.close()
    return stats


def run_loop(stop: threading.Event, *, interval: float | None = None) -> None:
    """Send due reminders every `interval` seconds until `stop` is set. Survives database hiccups."""
    interval = conf.poll_seconds() if interval is None else interval
    logger.info("reminder loop started (every %ss)", interval)
    while not stop.is_set():
        close_old_connections()
        try:
            stats = send_due_reminders(stop=stop)
            if stats.handled:
                logger.info("reminders: %s sent, %s retried, %s failed, %s cancelled",
                            stats.sent, stats.retried, stats.failed, stats.cancelled)
        except Exception:  # a locked SQLite file, a lost connection: try again next round
            logger.exception("reminder loop: round failed; trying again")
        finally:
            close_old_connections()
        stop.wait(interval)
    logger.info("reminder loop stopped")


def start_in_thread(*, interval: float | None = None) -> tuple[threading.Thread, threading.Event]:
    """Run `run_loop` in a daemon thread (for `kring worker`). Set the event and join to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=run_loop, args=(stop,), kwargs={"interval": interval},
                              name="kring-reminders", daemon=True)
    thread.start()
    return thread, stop
