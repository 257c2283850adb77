"""A real local SMTP server for tests (aiosmtpd): the `smtp_server` fixture.

Registered for every test through `pytest_plugins` in `kring/conftest.py`.
"""

from __future__ import annotations

import email
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message


class Inbox(Message):
    """Keeps every message the server received, parsed."""

    def __init__(self):
        super().__init__()
        self.messages: list[email.message.Message] = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """Django sends through SMTP to a server on 127.0.0.1; yields its inbox."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    yield handler
    controller.stop()
