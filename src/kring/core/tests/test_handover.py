"""The commit point inside the SMTP transaction, against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage, get_connection

from kring.core.handover import ClaimLost, HandoverRefused, _dot_stuffed, send_with_commit_point
from kring.testing.smtp import Inbox, free_port


class Refusing(Inbox):
    """Refuses every message at the final dot."""

    async def handle_DATA(self, server, session, envelope):
        return "554 5.6.0 refused for the test"


@pytest.fixture
def refusing_server(settings):
    controller = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    yield controller.handler
    controller.stop()


def _message(body: str = "Hallo,\n.\nregel met een punt\n") -> EmailMessage:
    return EmailMessage(subject="Herinnering", body=body, from_email="kring@example.org",
                        to=["lid@example.org"], headers={"Message-ID": "<reminder-7@kring.test>"})


def test_the_commit_runs_before_the_server_has_the_message_and_it_arrives_once(smtp_server):
    seen_at_commit = []
    connection = get_connection()

    def commit() -> bool:
        seen_at_commit.append(len(smtp_server.messages))
        return True

    send_with_commit_point(_message(), connection, commit)
    connection.close()
    assert seen_at_commit == [0]
    (received,) = smtp_server.messages
    assert received["Message-ID"] == "<reminder-7@kring.test>"
    # Dot-stuffing is undone by the server: the lone dot line arrives as it was written.
    assert received.get_payload().splitlines() == ["Hallo,", ".", "regel met een punt"]


def test_a_lost_claim_abandons_the_message_before_the_dot(smtp_server):
    connection = get_connection()
    with pytest.raises(ClaimLost):
        send_with_commit_point(_message(), connection, lambda: False)
    assert smtp_server.messages == []
    # The backend opens a fresh connection for the next message.
    send_with_commit_point(_message(), connection, lambda: True)
    connection.close()
    assert len(smtp_server.messages) == 1


def test_a_refusal_at_the_dot_is_reported_as_not_delivered(refusing_server):
    connection = get_connection()
    committed = []
    with pytest.raises(HandoverRefused):
        send_with_commit_point(_message(), connection, lambda: committed.append(1) or True)
    connection.close()
    assert committed == [1]


def test_local_backends_send_first_and_then_commit(mailoutbox):
    order = []

    def commit() -> bool:
        order.append(len(mailoutbox))
        return True

    send_with_commit_point(_message(), get_connection(), commit)
    assert order == [1]


def test_dot_stuffing_doubles_leading_dots_and_normalises_line_ends():
    assert _dot_stuffed(b"a\n.b\r\n..c\rd") == b"a\r\n..b\r\n...c\r\nd\r\n"
