"""A real `kring worker` killed with kill -9 in the middle of 1,000 due reminders, then restarted.

The worker runs as its own process against its own database (a SQLite file in
tmp_path, or a fresh PostgreSQL database when DATABASE_URL is PostgreSQL), and
sends through SMTP to an aiosmtpd server in this test. The server is a mailbox
that counts every message it accepted by Message-ID (`<reminder-<id>@host>`).

What it shows: every reminder reached its own addressee, each reminder is one
distinct message, all are recorded as sent once, and no reminder was lost with
the killed worker. The only duplicate that may occur is the one the dispatcher
documents (killed after the server accepted a message and before the row was
marked sent): at most one per kill, and with the same Message-ID. The number
of duplicates seen is printed.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

COUNT = 1000
KILL_AFTER = 300
SEED = f"""
import django; django.setup()
from datetime import timedelta
from django.utils import timezone
from kring.cases.models import Case
from kring.followup.models import Reminder
from kring.network.models import CircleMember
from kring.regions.models import Municipality
m = Municipality.objects.select_related("region").order_by("pk").first()
case = Case.objects.create(region=m.region, municipality=m, legal_frame="voluntary", trigger_moment="crisis",
    situation="kill test", channel="demo", requester_kind="other", requester_name="t",
    requester_email="t@example.org", state="follow_up")
members = CircleMember.objects.bulk_create(
    [CircleMember(case=case, name=f"Lid {{i}}", email=f"lid{{i:04d}}@example.org") for i in range({COUNT})])
due = timezone.now() - timedelta(minutes=5)
Reminder.objects.bulk_create([Reminder(case=case, kind="evaluation", member=mb, due_at=due) for mb in members])
print(case.pk)
"""


class Mailbox:
    """Keeps (Message-ID, reminder id, recipient) of every message the server accepted."""

    def __init__(self):
        self.accepted: list[tuple[str, int, str]] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        self.accepted.append((message["Message-ID"], int(message["X-Kring-Reminder"]), envelope.rcpt_tos[0]))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """The worker's own database, and plain SQL to watch it from the test."""

    def __init__(self, tmp_path):
        base = os.environ.get("DATABASE_URL", "")
        self.postgres = base.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            import psycopg

            self.name = f"kring_kill_{uuid.uuid4().hex[:10]}"
            self.admin = base.rsplit("/", 1)[0] + "/postgres"
            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = base.rsplit("/", 1)[0] + f"/{self.name}"
        else:
            self.path = tmp_path / "worker.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def statuses(self) -> Counter:
        sql = "SELECT status, COUNT(*) FROM followup_reminder GROUP BY status"
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return Counter(dict(conn.execute(sql).fetchall()))
        conn = sqlite3.connect(self.path, timeout=20)
        try:
            return Counter(dict(conn.execute(sql).fetchall()))
        finally:
            conn.close()

    def drop(self):
        if self.postgres:
            import psycopg

            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def database(tmp_path):
    db = Database(tmp_path)
    yield db
    db.drop()


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(tmp_path, database):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kring.settings", "DATABASE_URL": database.url,
           "KRING_DATA_DIR": str(tmp_path), "KRING_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
           "KRING_EMAIL_HOST": "127.0.0.1", "KRING_EMAIL_PORT": str(controller.port), "KRING_DEBUG": "0",
           "KRING_FOLLOWUP_STALE_CLAIM_SECONDS": "3", "KRING_FOLLOWUP_POLL_SECONDS": "1"}
    worker = [sys.executable, "-m", "kring.cli", "worker", "--interval", "0.2"]
    try:
        subprocess.run([sys.executable, "-m", "kring.cli", "migrate"], env=env, check=True, timeout=300)
        subprocess.run([sys.executable, "-c", SEED], env=env, check=True, timeout=120, capture_output=True)
        assert database.statuses() == {"scheduled": COUNT}

        first = subprocess.Popen(worker, env=env)
        _wait(lambda: len(mailbox.accepted) >= KILL_AFTER, 120, f"{KILL_AFTER} messages")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        at_kill = database.statuses()
        accepted_at_kill = len(mailbox.accepted)
        assert at_kill.get("sent", 0) < COUNT, "the worker finished before it was killed"

        second = subprocess.Popen(worker, env=env)
        try:
            _wait(lambda: database.statuses() == {"sent": COUNT}, 180, "every reminder marked sent")
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
    finally:
        controller.stop()

    by_id = Counter(message_id for message_id, _pk, _to in mailbox.accepted)
    reminders = {pk for _id, pk, _to in mailbox.accepted}
    duplicates = sum(by_id.values()) - len(by_id)
    print(f"\nkilled after {accepted_at_kill} accepted messages; rows then: {dict(at_kill)}; "
          f"messages accepted in all: {len(mailbox.accepted)}; distinct: {len(by_id)}; duplicates: {duplicates}")
    assert len(reminders) == COUNT  # none lost
    assert len(by_id) == COUNT  # one Message-ID per reminder
    assert all(message_id.startswith(f"<reminder-{pk}@") for message_id, pk, _to in mailbox.accepted)
    assert duplicates <= 1  # at most the one in flight at the kill, and then with the same Message-ID
    # Every message went to its own addressee: reminder n (in creation order) to lid n.
    first_pk = min(reminders)
    assert all(to == f"lid{pk - first_pk:04d}@example.org" for _id, pk, to in mailbox.accepted)
