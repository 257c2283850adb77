"""Text messages (SMS) through a pluggable backend, like Django's e-mail backends.

    from kring.core.sms import send_sms
    send_sms("06 12345678", "Hallo Ans, ...")

`settings.SMS_BACKEND` (environment variable `KRING_SMS_BACKEND`) chooses the
backend: `console` (the default: prints the message, sends nothing), `locmem`
(tests: messages land in `kring.core.sms.outbox`) or the dotted path of a class
that implements `BaseSmsBackend` for a real provider.

Call `send_sms` from a background task, never in a request: a provider can be
slow or down, and the task row is what makes a failure visible and repeatable.

Writing a backend for a provider::

    class MessageBirdBackend(BaseSmsBackend):
        def __init__(self, **options):
            super().__init__(**options)
            self.key = settings.SMS_PROVIDER_KEY

        def send(self, message: SmsMessage) -> None:
            response = requests.post(URL, json={"to": message.to, "body": message.text},
                                     headers={"Authorization": f"Bearer {self.key}"}, timeout=10)
            if response.status_code != 200:
                raise SmsError(f"provider refused the message: {response.status_code}")

`message.to` is always in E.164 form (+31612345678). Raise `SmsError` when the
provider refuses; never log the text (it may name the person).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

import phonenumbers
from django.conf import settings
from django.utils.module_loading import import_string

#: Messages "sent" with the locmem backend, oldest first. Tests empty it.
outbox: list[SmsMessage] = []

ALIASES = {
    "console": "kring.core.sms.ConsoleBackend",
    "locmem": "kring.core.sms.LocmemBackend",
}
DEFAULT_REGION = "NL"
#: Longer texts are split into several SMS by the network; keep messages short.
MAX_LENGTH = 612


class SmsError(Exception):
    """A message that could not be sent: a bad number, or the provider refused it."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


def normalise_number(number: str, region: str = DEFAULT_REGION) -> str:
    """The number in E.164 form, or `SmsError` when it is not a valid phone number."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as exc:
        raise SmsError("not a phone number") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise SmsError("not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class BaseSmsBackend:
    """The base class of every SMS backend. Implement `send`."""

    def __init__(self, **options) -> None:
        self.options = options

    def send(self, message: SmsMessage) -> None:
        """Hand one message to the provider; raise `SmsError` when it is refused."""
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Prints every message; for development and demo sites. Sends nothing."""

    def __init__(self, stream: TextIO | None = None, **options) -> None:
        super().__init__(**options)
        self.stream = stream or sys.stdout

    def send(self, message: SmsMessage) -> None:
        self.stream.write(f"SMS to {message.to}:\n{message.text}\n{'-' * 40}\n")
        self.stream.flush()


class LocmemBackend(BaseSmsBackend):
    """Keeps messages in `kring.core.sms.outbox`; for tests."""

    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


def get_backend(name: str | None = None, **options) -> BaseSmsBackend:
    path = name or getattr(settings, "SMS_BACKEND", "console")
    backend_class = import_string(ALIASES.get(path, path))
    if not (isinstance(backend_class, type) and issubclass(backend_class, BaseSmsBackend)):
        raise TypeError(f"{path} is not an SMS backend")
    return backend_class(**options)


def send_sms(to: str, text: str, *, backend: BaseSmsBackend | None = None) -> SmsMessage:
    """Send one text message; returns what was sent. Raises `SmsError`."""
    text = text.strip()
    if not text:
        raise SmsError("empty message")
    if len(text) > MAX_LENGTH:
        raise SmsError("message too long")
    message = SmsMessage(to=normalise_number(to), text=text)
    (backend or get_backend()).send(message)
    return message
