"""Hand an e-mail to the mail server with a commit point inside the SMTP transaction.

Why: a reminder must reach its addressee exactly once, also when the worker is
killed (kill -9) at any moment. With "send, then mark sent" a kill between the
server's acceptance and the mark makes the next worker send it again. With
"mark sent, then send" a kill in between loses the message.

SMTP itself gives the way out (RFC 5321, section 4.1.1.4): the server takes
responsibility for a message only when it receives the final `<CRLF>.<CRLF>`
of the DATA command; a connection that drops before that line leaves nothing
behind. So `send_with_commit_point` sends MAIL, RCPT, DATA and the whole
message, then calls `commit()` (which marks the row sent in the database and
commits), and only then writes the final dot:

* killed before `commit()` returned: the row is still claimed, the server
  throws the half message away; the claim goes stale and the next worker
  sends it: delivered once.
* killed after `commit()`: the row says sent and the server has the whole
  message once the dot is out: delivered once. The one moment left is the
  few microseconds between the commit returning and five bytes leaving for
  the socket; a kill there loses that one message (it is recorded sent). We
  chose that over a duplicate because it is rarer by orders of magnitude
  (a commit takes milliseconds, the write microseconds).
* the server answers the dot with an error: nothing was delivered; the
  caller gets `HandoverRefused` and puts the row back for a retry.
* the connection breaks after the dot without an answer: unknown whether the
  server kept it; the caller gets `HandoverUnconfirmed` and keeps it as sent
  (no second copy), with the doubt written down for the regional manager.

Backends that are not SMTP (the test outbox, the console) have no network in
between; there the message is sent first and then committed.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address

_LINE_START_DOT = re.compile(rb"(?m)^\.")
_BARE_EOL = re.compile(rb"\r\n|\n|\r")


class HandoverRefused(smtplib.SMTPException):
    """The server refused the message at the end: it was not delivered."""


class HandoverUnconfirmed(smtplib.SMTPException):
    """The message was handed over but the server's answer never came."""


class ClaimLost(Exception):
    """`commit()` said the row is no longer ours: the message was abandoned unsent."""


def _dot_stuffed(data: bytes) -> bytes:
    body = _LINE_START_DOT.sub(b"..", _BARE_EOL.sub(b"\r\n", data))
    return body if body.endswith(b"\r\n") else body + b"\r\n"


def send_with_commit_point(message: EmailMessage, connection, commit: Callable[[], bool]) -> None:
    """Send `message` through `connection`, calling `commit()` just before the server may accept it.

    `commit()` must record the message as sent durably and return True, or
    return False when the sender no longer owns it (then nothing is delivered
    and `ClaimLost` is raised). Raises `HandoverRefused`, `HandoverUnconfirmed`
    or an SMTP/OS error from before the commit point (nothing delivered).
    """
    if not isinstance(connection, SmtpBackend):
        message.connection = connection
        message.send()
        if not commit():
            raise ClaimLost
        return
    connection.open()
    smtp = connection.connection
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    data = message.message().as_bytes(linesep="\r\n")

    smtp.ehlo_or_helo_if_needed()
    options = [f"size={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
    code, reply = smtp.mail(sender, options)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if len(refused) == len(recipients):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.docmd("data")
    if code != 354:
        smtp.rset()
        raise smtplib.SMTPDataError(code, reply)
    smtp.send(_dot_stuffed(data))

    if not commit():
        # Drop the connection without the final dot: the server discards the message.
        connection.close()
        raise ClaimLost

    try:
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
    except (OSError, smtplib.SMTPException) as exc:
        connection.close()
        raise HandoverUnconfirmed(f"no answer after the message: {exc}") from exc
    if code != 250:
        raise HandoverRefused(code, reply)
