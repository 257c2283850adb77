"""What a reminder says, by e-mail or text message, in the reader's language.

Messages to people of the circle name only their own first name, a date and
their personal link: never the family, the child or the reason. Messages to
staff name the case's reference. Every e-mail carries a Message-ID made from
the reminder's id (`message_id`), the same on every attempt, so that a
reminder sent twice after a crash is recognisably the same message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kring.accounts.models import Role, User
from kring.conferences.messages import invitation_email, invitation_sms
from kring.conferences.services import first_name
from kring.plans.services import reader_language

from .models import Reminder, ReminderKind


class NoAddress(Exception):
    """Nobody to send to: no e-mail address and no phone number. Retrying does not help."""


@dataclass
class Outgoing:
    """One reminder, ready to go: an e-mail, a text message, or only the coordinator's list."""

    channel: str  # "email", "sms" or "task"
    email: EmailMultiAlternatives | None = None
    sms_to: str = ""
    sms_text: str = ""
    recipients: list[str] = field(default_factory=list)


def message_id(reminder: Reminder | int) -> str:
    """The same Message-ID on every attempt of one reminder."""
    pk = reminder if isinstance(reminder, int) else reminder.pk
    host = urlsplit(settings.SITE_URL).hostname or "kring"
    return f"<reminder-{pk}@{host}>"


def _url(name: str, *args) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def _day(value) -> str:
    return formats.date_format(value, "l j F Y") if value else ""


def _evaluation_date(reminder: Reminder, cache: dict | None):
    key = ("evaluation_date", reminder.case_id)
    if cache is not None and key in cache:
        return cache[key]
    from kring.plans.models import PlanVersion

    value = (PlanVersion.objects.filter(plan__case_id=reminder.case_id).order_by("-number")
             .values_list("evaluation_date", flat=True).first())
    if cache is not None:
        cache[key] = value
    return value


def _member_text(reminder: Reminder, url: str, valid_until: str, cache: dict | None = None
                 ) -> tuple[str, str, str]:
    """(subject, e-mail body, text message) for a person of the circle."""
    member = reminder.member
    name = first_name(member.name)
    kind = reminder.kind
    link = ""
    if url:
        link = "\n\n" + _("Your personal link:") + f"\n{url}\n" + (
            _("This link is only for you. It works until %(date)s.") % {"date": valid_until})
    if kind == ReminderKind.MONITOR:
        subject = _("How is the plan going?")
        text = _("You keep an eye on the plan. How are the agreements going? Tell us in two minutes.")
    elif kind == ReminderKind.CONVENOR:
        subject = _("How is the plan going?")
        text = _("You call the circle together when the plan must change. How are your agreements "
                 "going? Does the circle need to meet again?")
    elif kind == ReminderKind.CHECK_IN:
        subject = _("How are your agreements going?")
        text = _("You made agreements in the family group plan. How are they going? Tell us in two minutes.")
    elif kind == ReminderKind.ALERT:
        subject = _("Some agreements are not going well")
        text = _("Several people say that agreements are not going well. Think about calling the "
                 "circle together. You can do that through your link.")
    elif kind == ReminderKind.EVALUATION:
        day = _day(_evaluation_date(reminder, cache))
        subject = _("The circle evaluates the plan soon")
        text = (_("On %(date)s the circle looks back on the plan together.") % {"date": day} if day
                else _("The circle will soon look back on the plan together.")) + " " + _(
            "Think about what went well and what must change.")
    else:  # pragma: no cover - every member kind is above
        raise ValueError(f"no message for {kind}")
    greeting = _("Hello %(name)s,") % {"name": name}
    body = f"{greeting}\n\n{text}{link}\n"
    sms = f"{greeting} {text}" + (f" {url}" if url else "")
    return subject, body, sms


def _staff_text(reminder: Reminder) -> tuple[str, str, list[str]]:
    """(subject, body, reply-to) for a coordinator or a professional."""
    case = reminder.case
    values = {"reference": case.reference}
    if reminder.kind == ReminderKind.COORDINATOR_CALL:
        subject = _("Follow-up call for case %(reference)s") % values
        body = _("Call the family of case %(reference)s to hear how the plan is going. Then tick the "
                 "task off on your list:") % values + f"\n{_url('followup_tasks')}\n"
        return subject, body, []
    if reminder.kind == ReminderKind.OUTCOME:
        months = int(reminder.note or 3)
        values["months"] = months
        subject = _("Record the outcome of case %(reference)s") % values
        body = _("It is %(months)s months since the conference of case %(reference)s. Record how it "
                 "goes now:") % values + f"\n{_url('followup_outcome', case.pk, months)}\n"
        return subject, body, []
    if reminder.kind == ReminderKind.FEEDBACK:
        managers = User.objects.filter(role=Role.REGIONAL_MANAGER, is_active=True, regions=case.region_id)
        reply_to = [m.email for m in managers if m.email]
        subject = _("How did the family group conference go for you? (%(reference)s)") % values
        body = _("The regional manager would like to hear about your experience with the family group "
                 "conference of case %(reference)s. What went well, and what could be better? Reply "
                 "to this e-mail.") % values + "\n"
        return subject, body, reply_to
    raise ValueError(f"no staff message for {reminder.kind}")  # pragma: no cover


def build(reminder: Reminder, *, url: str = "", valid_until=None, connection=None,
          cache: dict | None = None) -> Outgoing:
    """The message for `reminder`. `url` is the personal link, when the reminder carries one."""
    headers = {"Message-ID": message_id(reminder), "X-Kring-Reminder": str(reminder.pk)}
    if reminder.user_id is not None:
        user = reminder.user
        with translation.override(settings.LANGUAGE_CODE):
            subject, body, reply_to = _staff_text(reminder)
        if not user.email:
            if reminder.kind in (ReminderKind.COORDINATOR_CALL, ReminderKind.OUTCOME):
                return Outgoing(channel="task")
            raise NoAddress("staff member without e-mail")
        email = EmailMultiAlternatives(subject=subject, body=body, to=[user.email], reply_to=reply_to,
                                       headers=headers, connection=connection)
        return Outgoing(channel="email", email=email, recipients=[user.email])
    member = reminder.member
    if member is None:
        raise NoAddress("nobody to send to")
    if reminder.kind == ReminderKind.RECONVENE:
        invitation = reminder.invitation
        if member.email:
            email = invitation_email(invitation, url)
            email.extra_headers.update(headers)
            email.connection = connection
            return Outgoing(channel="email", email=email, recipients=[member.email])
        if member.phone:
            return Outgoing(channel="sms", sms_to=member.phone, sms_text=invitation_sms(invitation, url),
                            recipients=[member.phone])
        raise NoAddress("no e-mail address or phone number")
    with translation.override(reader_language(member.language)):
        until = formats.date_format(timezone.localtime(valid_until), "j F Y") if valid_until else ""
        subject, body, sms = _member_text(reminder, url, until, cache)
    if member.email:
        email = EmailMultiAlternatives(subject=subject, body=body, to=[member.email], headers=headers,
                                       connection=connection)
        return Outgoing(channel="email", email=email, recipients=[member.email])
    if member.phone:
        return Outgoing(channel="sms", sms_to=member.phone, sms_text=sms, recipients=[member.phone])
    raise NoAddress("no e-mail address or phone number")
