"""The schedule table of the follow-up page, built in Python.

A case has dozens of reminders; rendering each row through the template engine cost more than
the rest of the page. The rows are the same HTML the template printed, every value escaped.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import Reminder, ReminderKind, ReminderStatus

ROW = ('<tr><td><time datetime="{}">{}</time></td><td>{}{}</td><td>{}</td><td>{}{}</td>\n'
       '{}</tr>')
CHANGE = ('<td><form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
          '<input type="hidden" name="reminder" value="{}">\n'
          '<label for="due-{}" class="visually-hidden">{}</label>'
          '<input type="datetime-local" id="due-{}" name="due_at">\n'
          '<button type="submit" name="action" value="move" class="secondary">{}</button>\n'
          '<button type="submit" name="action" value="cancel" class="secondary">{}</button></form></td>')
NO_CHANGE = mark_safe("<td></td>")


def moment(value) -> tuple[str, str]:
    """A due moment as the template's ``|date:'c'`` and ``|date:"j F Y H:i"`` print it."""
    local = timezone.localtime(value)
    return (local.isoformat(),
            f"{local.day} {MONTHS[local.month]} {local.year:04d} {local.hour:02d}:{local.minute:02d}")


def schedule_html(reminders: Iterable[Reminder], *, change_url: str | None = None,
                  csrf_token: str = "") -> SafeString:
    """The rows of the schedule table. With `change_url` (who may change the schedule) every
    reminder that has not gone out yet gets the form to move or cancel it."""
    kinds = {value: str(label) for value, label in ReminderKind.choices}
    statuses = {value: str(label) for value, label in ReminderStatus.choices}
    if change_url is not None:
        new_moment, move, cancel = _("New moment"), _("Move"), _("Cancel")
    rows = []
    for r in reminders:
        due_iso, due_label = moment(r.due_at)
        who = r.member.name if r.member else (r.user.display_name if r.user else "")
        change = ""
        if change_url is not None:
            change = (format_html(CHANGE, change_url, csrf_token, r.pk, r.pk, new_moment, r.pk, move, cancel)
                      if r.status == ReminderStatus.SCHEDULED else NO_CHANGE)
        rows.append(format_html(
            ROW, due_iso, due_label, kinds.get(r.kind, r.kind), format_html(" ({})", r.note) if r.note else "",
            who, statuses.get(r.status, r.status),
            format_html(": {}", r.last_error) if r.status == ReminderStatus.FAILED else "", change))
    return mark_safe("".join(rows))  # noqa: S308 - every part is escaped by format_html
