"""What an invited person receives: the e-mail with its calendar invitation, and the text message.

Built in the worker (`tasks.py`), in the person's language when Kring speaks
it. Messages name only the person's own first name, the date and the place:
never the family, the child or the reason for the meeting.
"""

from __future__ import annotations

from datetime import UTC
from email.mime.text import MIMEText
from email.utils import parseaddr
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .models import Invitation, Response
from .services import first_name

ICS_FILENAME = "invitation.ics"
PARTSTAT = {Response.CONFIRMED: "ACCEPTED", Response.REMOTE: "ACCEPTED", Response.DECLINED: "DECLINED"}


def language_for(invitation: Invitation) -> str:
    """The person's language if the site speaks it; Dutch otherwise."""
    wanted = (invitation.member.language or "").lower()[:2]
    return wanted if wanted in {code for code, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE


def _when(conference) -> dict[str, str]:
    start = timezone.localtime(conference.starts_at)
    end = timezone.localtime(conference.end)
    return {
        "date": formats.date_format(start, "l j F Y"),
        "start": formats.time_format(start, "H:i"),
        "end": formats.time_format(end, "H:i") if conference.ends_at else "",
    }


def _context(invitation: Invitation, url: str) -> dict:
    conference = invitation.conference
    coordinator = conference.case.coordinator
    return {
        "first_name": first_name(invitation.member.name),
        **_when(conference),
        "venue": conference.venue,
        "address": conference.address,
        "remote_link": conference.remote_link,
        "url": url,
        "coordinator": coordinator.display_name if coordinator else "",
        "coordinator_email": coordinator.email if coordinator else "",
        "valid_until": formats.date_format(timezone.localtime(invitation.expires_at), "j F Y"),
    }


def _organizer_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@localhost"


def conference_calendar(invitation: Invitation, url: str) -> bytes:
    """An RFC 5545 calendar with one VEVENT, METHOD:REQUEST, for the invited person only.

    The UID is the conference's, so a later invitation (SEQUENCE = the
    conference's version) updates the event in the person's calendar.
    """
    conference = invitation.conference
    host = urlsplit(settings.SITE_URL).hostname or "kring"
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Kring//Family group conference//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    calendar.add("calscale", "GREGORIAN")
    event = icalendar.Event()
    event.add("uid", f"conference-{conference.pk}@{host}")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", conference.starts_at.astimezone(UTC))
    event.add("dtend", conference.end.astimezone(UTC))
    event.add("sequence", conference.version)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("summary", _("Family group meeting"))
    event.add("location", ", ".join(x for x in (conference.venue, conference.address) if x))
    description = [_("Let us know whether you will come: %(url)s") % {"url": url}]
    if conference.remote_link:
        description.append(_("Taking part from a distance: %(link)s") % {"link": conference.remote_link})
    event.add("description", "\n".join(description))
    organizer = icalendar.vCalAddress(f"mailto:{_organizer_address()}")
    organizer.params["cn"] = icalendar.vText("Kring")
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{invitation.member.email}")
    attendee.params["cn"] = icalendar.vText(first_name(invitation.member.name))
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = icalendar.vText(PARTSTAT.get(invitation.response, "NEEDS-ACTION"))
    attendee.params["rsvp"] = icalendar.vText("FALSE")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def invitation_email(invitation: Invitation, url: str, *, reminder: bool = False) -> EmailMultiAlternatives:
    """The invitation (with the calendar file) or the reminder, in the person's language."""
    template = "conferences/email/reminder" if reminder else "conferences/email/invitation"
    with translation.override(language_for(invitation)):
        context = _context(invitation, url)
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
        calendar = None if reminder else conference_calendar(invitation, url)
    reply_to = [context["coordinator_email"]] if context["coordinator_email"] else []
    message = EmailMultiAlternatives(subject=subject, body=body, to=[invitation.member.email],
                                     reply_to=reply_to)
    if calendar is not None:
        part = MIMEText(calendar.decode("utf-8"), "calendar", "utf-8")
        part.set_param("method", "REQUEST")
        part.add_header("Content-Disposition", "attachment", filename=ICS_FILENAME)
        message.attach(part)
    return message


def invitation_sms(invitation: Invitation, url: str, *, reminder: bool = False) -> str:
    """A short text: first name, date, time, place, and the personal link."""
    with translation.override(language_for(invitation)):
        context = _context(invitation, url)
        values = {"name": context["first_name"], "date": context["date"], "time": context["start"],
                  "venue": invitation.conference.venue, "url": url}
        if reminder:
            return _("Hello %(name)s, a reminder: tomorrow, %(date)s at %(time)s, is the family group "
                     "meeting at %(venue)s. Your answer or a change: %(url)s") % values
        return _("Hello %(name)s, you are invited to a family group meeting on %(date)s at %(time)s at "
                 "%(venue)s. Let us know if you will come: %(url)s") % values
