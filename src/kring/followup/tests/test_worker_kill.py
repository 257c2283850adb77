"""A real `kring worker` killed with kill -9 in the middle of 1,000 due reminders, then restarted.

The worker runs as its own process against its own database (a SQLite file in
tmp_path, or a fresh PostgreSQL database when DATABASE_URL is PostgreSQL), and
sends through SMTP to an aiosmtpd server in this test. The server is a mailbox
that counts every message it accepted by Message-ID (`<reminder-<id>@host>`).

What it shows: every reminder reached its own addressee exactly once, all are
recorded as sent once, and no reminder was lost with the killed worker; first
with kills at whatever moment the worker is in, then with a kill at the most
dangerous moment on purpose: while the server holds a complete message and has
not answered yet (the row must already say sent, so the next worker does not
send it again; see `kring.core.handover`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

COUNT = 1000
KILLS_AFTER = (250, 600)
SEED = """
import django; django.setup()
from datetime import timedelta
from django.utils import timezone
from kring.cases.models import Case
from kring.followup.models import Reminder
from kring.network.models import CircleMember
from kring.regions.models import Municipality
import sys
COUNT = int(sys.argv[1])
m = Municipality.objects.select_related("region").order_by("pk").first()
case = Case.objects.create(region=m.region, municipality=m, legal_frame="voluntary", trigger_moment="crisis",
    situation="kill test", channel="demo", requester_kind="other", requester_name="t",
    requester_email="t@example.org", state="follow_up")
members = CircleMember.objects.bulk_create(
    [CircleMember(case=case, name=f"Lid {i}", email=f"lid{i:04d}@example.org") for i in range(COUNT)])
due = timezone.now() - timedelta(minutes=5)
Reminder.objects.bulk_create([Reminder(case=case, kind="evaluation", member=mb, due_at=due) for mb in members])
print(case.pk)
"""


class Mailbox:
    """Keeps (Message-ID, reminder id, recipient) of every message the server accepted.

    With `hold_at=n` the server keeps the n-th message (complete, dot received)
    without answering until `release` is set: the moment a worker may be
    killed with the message handed over and no "250 OK" back.
    """

    def __init__(self, hold_at: int | None = None):
        self.accepted: list[tuple[str, int, str]] = []
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        self.accepted.append((message["Message-ID"], int(message["X-Kring-Reminder"]), envelope.rcpt_tos[0]))
        if len(self.accepted) == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
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

    def status_of(self, pk: int) -> str:
        sql = f"SELECT status FROM followup_reminder WHERE id = {int(pk)}"
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return conn.execute(sql).fetchone()[0]
        conn = sqlite3.connect(self.path, timeout=20)
        try:
            return conn.execute(sql).fetchone()[0]
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


class Run:
    """A mail server, a seeded database and the `kring worker` command line for one test."""

    def __init__(self, tmp_path, database, mailbox: Mailbox, count: int):
        self.database, self.mailbox, self.count = database, mailbox, count
        self.controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
        self.controller.start()
        self.env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "kring.settings", "DATABASE_URL": database.url,
            "KRING_DATA_DIR": str(tmp_path), "KRING_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "KRING_EMAIL_HOST": "127.0.0.1", "KRING_EMAIL_PORT": str(self.controller.port), "KRING_DEBUG": "0",
            "KRING_FOLLOWUP_STALE_CLAIM_SECONDS": "3", "KRING_FOLLOWUP_POLL_SECONDS": "1"}
        self.worker = [sys.executable, "-m", "kring.cli", "worker", "--interval", "0.2"]
        subprocess.run([sys.executable, "-m", "kring.cli", "migrate"], env=self.env, check=True, timeout=300)
        subprocess.run([sys.executable, "-c", SEED, str(count)], env=self.env, check=True, timeout=120,
                       capture_output=True)
        assert database.statuses() == {"scheduled": count}

    def start(self) -> subprocess.Popen:
        return subprocess.Popen(self.worker, env=self.env)

    def kill(self, worker: subprocess.Popen) -> None:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def finish(self) -> None:
        """A last worker sends whatever is left; stop it once every row is sent."""
        last = self.start()
        try:
            _wait(lambda: self.database.statuses() == {"sent": self.count}, 180, "every reminder marked sent")
        finally:
            last.send_signal(signal.SIGTERM)
            last.wait(timeout=30)

    def stop(self) -> None:
        self.controller.stop()

    def assert_each_delivered_once(self) -> None:
        accepted = self.mailbox.accepted
        by_id = Counter(message_id for message_id, _pk, _to in accepted)
        reminders = Counter(pk for _id, pk, _to in accepted)
        print(f"\nmessages accepted: {len(accepted)}; distinct reminders: {len(reminders)}; "
              f"duplicates: {len(accepted) - len(reminders)}")
        assert len(reminders) == self.count  # none lost
        assert set(reminders.values()) == {1}  # none twice
        assert set(by_id.values()) == {1}
        assert all(message_id.startswith(f"<reminder-{pk}@") for message_id, pk, _to in accepted)
        # Every message went to its own addressee: reminder n (in creation order) to lid n.
        first_pk = min(reminders)
        assert all(to == f"lid{pk - first_pk:04d}@example.org" for _id, pk, to in accepted)


def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(tmp_path, database):
    run = Run(tmp_path, database, Mailbox(), COUNT)
    try:
        for kill_after in KILLS_AFTER:
            worker = run.start()
            _wait(lambda n=kill_after: len(run.mailbox.accepted) >= n, 120, f"{kill_after} messages")
            run.kill(worker)
            print(f"\nkilled after {len(run.mailbox.accepted)} accepted messages; rows then: "
                  f"{dict(database.statuses())}")
        assert database.statuses().get("sent", 0) < COUNT, "the worker finished before it was killed"
        run.finish()
    finally:
        run.stop()
    run.assert_each_delivered_once()


def test_a_worker_killed_while_the_server_holds_a_whole_message_does_not_send_it_again(tmp_path, database):
    count, hold_at = 120, 40
    run = Run(tmp_path, database, Mailbox(hold_at=hold_at), count)
    try:
        worker = run.start()
        assert run.mailbox.holding.wait(120), "the server never got the message to hold"
        run.kill(worker)
        held_pk = run.mailbox.accepted[hold_at - 1][1]
        run.mailbox.release.set()
        # The row was marked sent before the final dot left the worker.
        assert database.status_of(held_pk) == "sent"
        run.finish()
    finally:
        run.stop()
    run.assert_each_delivered_once()
