"""Text messages through a pluggable backend: console by default, locmem in tests, any class by path."""

from __future__ import annotations

import io
import os

import pytest

from kring.core import sms
from kring.core.sms import BaseSmsBackend, SmsError, SmsMessage, send_sms


class RecordingBackend(BaseSmsBackend):
    """A stand-in for a provider's backend, configured by dotted path."""

    sent: list[SmsMessage] = []

    def send(self, message: SmsMessage) -> None:
        if message.to.endswith("0000000"):
            raise SmsError("provider refused")
        RecordingBackend.sent.append(message)


@pytest.fixture(autouse=True)
def empty_outboxes():
    sms.outbox.clear()
    RecordingBackend.sent.clear()
    yield
    sms.outbox.clear()


@pytest.mark.skipif(bool(os.environ.get("KRING_SMS_BACKEND")), reason="KRING_SMS_BACKEND is set")
def test_the_default_backend_is_the_console():
    from django.conf import settings

    assert settings.SMS_BACKEND == "console"
    assert isinstance(sms.get_backend(), sms.ConsoleBackend)


def test_the_console_backend_prints_and_sends_nothing(settings):
    stream = io.StringIO()
    message = send_sms("06 12345678", "Hallo Ans", backend=sms.ConsoleBackend(stream=stream))
    assert message == SmsMessage("+31612345678", "Hallo Ans")
    assert "SMS to +31612345678" in stream.getvalue() and "Hallo Ans" in stream.getvalue()
    assert sms.outbox == []


def test_the_console_backend_writes_to_stdout_by_default(settings, capsys):
    settings.SMS_BACKEND = "console"
    send_sms("0612345678", "Tot morgen")
    assert "Tot morgen" in capsys.readouterr().out


def test_the_locmem_backend_keeps_messages_for_tests(settings):
    settings.SMS_BACKEND = "locmem"
    send_sms("+31 6 12345678", "  Hallo  ")
    send_sms("0031612345679", "Tweede")
    assert sms.outbox == [SmsMessage("+31612345678", "Hallo"), SmsMessage("+31612345679", "Tweede")]


def test_a_backend_is_chosen_by_dotted_path(settings):
    settings.SMS_BACKEND = "kring.core.tests.test_sms.RecordingBackend"
    send_sms("+32 470 12 34 56", "Hallo uit België")
    assert RecordingBackend.sent == [SmsMessage("+32470123456", "Hallo uit België")]


def test_a_provider_refusal_reaches_the_caller(settings):
    settings.SMS_BACKEND = "kring.core.tests.test_sms.RecordingBackend"
    with pytest.raises(SmsError):
        send_sms("+31 6 10000000", "x")


def test_something_that_is_not_a_backend_is_refused(settings):
    settings.SMS_BACKEND = "kring.core.sms.SmsMessage"
    with pytest.raises(TypeError):
        send_sms("0612345678", "x")


@pytest.mark.parametrize("number", ["", "hallo", "12", "06 1234", "+31 20 1234 567 890 12"])
def test_a_bad_number_is_refused_and_nothing_is_sent(settings, number):
    settings.SMS_BACKEND = "locmem"
    with pytest.raises(SmsError):
        send_sms(number, "Hallo")
    assert sms.outbox == []


@pytest.mark.parametrize("text", ["", "   ", "x" * (sms.MAX_LENGTH + 1)])
def test_an_empty_or_too_long_message_is_refused(settings, text):
    settings.SMS_BACKEND = "locmem"
    with pytest.raises(SmsError):
        send_sms("0612345678", text)
    assert sms.outbox == []


def test_the_base_class_must_be_implemented():
    with pytest.raises(NotImplementedError):
        BaseSmsBackend().send(SmsMessage("+31612345678", "x"))
