"""Background work for invitations: the messages and the reminder of the day before.

Task arguments hold ids and time stamps only, never a name, an address or a
link. Each task re-reads the invitation and does nothing when it was sent
again in the meantime (the newer sending has its own tasks).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from kring.cases.models import State
from kring.core.sms import send_sms

from .messages import invitation_email, invitation_sms
from .models import Channel, Invitation, Response
from .services import invitation_url


def _invitation(invitation_id: int, sent_at: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("conference__case__coordinator", "member")
        .filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.sent_at != datetime.fromisoformat(sent_at):
        return None  # deleted, or sent again: the newer sending has its own tasks
    return invitation


def deliver(invitation: Invitation, channel: str, *, reminder: bool = False) -> None:
    url = invitation_url(invitation)
    if channel == Channel.EMAIL:
        invitation_email(invitation, url, reminder=reminder).send()
    elif channel == Channel.SMS:
        send_sms(invitation.member.phone, invitation_sms(invitation, url, reminder=reminder))
    else:
        raise ValueError(f"unknown channel {channel!r}")


@task()
def deliver_invitation(*, invitation_id: int, channel: str, sent_at: str) -> str:
    """Send one invitation by one channel: e-mail with a calendar file, or a text message."""
    invitation = _invitation(invitation_id, sent_at)
    if invitation is None:
        return "superseded"
    if channel not in invitation.channels:
        return "channel not chosen"
    deliver(invitation, channel)
    return "sent"


@task()
def send_invitation_reminder(*, invitation_id: int, starts_at: str, sent_at: str) -> str:
    """The reminder of the day before, sent at most once per invitation.

    Only while the link is still valid, the person has not declined, the case
    is still scheduled and the conference's date is the one invited for. The
    invitation is claimed with an optimistic update before anything is sent,
    so two workers (or a task that runs twice) never send it twice.
    """
    now = timezone.now()
    claimed = (
        Invitation.objects.filter(
            pk=invitation_id,
            reminder_sent_at__isnull=True,
            sent_at=datetime.fromisoformat(sent_at),
            expires_at__gt=now,
            conference__starts_at=datetime.fromisoformat(starts_at),
            conference__held_at__isnull=True,
            conference__case__state=State.SCHEDULED,
        )
        .filter(~Q(response=Response.DECLINED))
        .update(reminder_sent_at=now)
    )
    if not claimed:
        return "not due"
    invitation = _invitation(invitation_id, sent_at)
    if invitation is None:  # pragma: no cover - the update above saw it
        return "superseded"
    sent, failures = 0, []
    for channel in invitation.channels:
        try:
            deliver(invitation, channel, reminder=True)
            sent += 1
        except Exception as exc:
            failures.append(exc)
    if failures and not sent:
        # Nothing went out: release the claim so that a retry can send it.
        Invitation.objects.filter(pk=invitation_id, reminder_sent_at=now).update(reminder_sent_at=None)
    if failures:
        raise failures[0]
    return "sent"
