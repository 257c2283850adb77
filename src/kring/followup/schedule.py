"""The schedule table of the follow-up page, built in Python.

A case has dozens of reminders; rendering each row through the template engine cost more than
the rest of the page. The rows are the same HTML the template printed, every value escaped
(`html.escape`, which is what Django's `escape` does).
"""

from __future__ import annotations

from html import escape

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kring.accounts.models import User
from kring.cases.models import Case
from kring.cases.prepared import PreparedValues

from .models import ReminderKind, ReminderStatus

#: What a row needs of a reminder, in this order.
COLUMNS = ("pk", "due_at", "kind", "note", "status", "last_error", "member_id", "member__name",
           "user_id", "user__first_name", "user__last_name", "user__username")

#: The case's reminders (by case id), by due moment, compiled once.
_REMINDERS = PreparedValues(lambda case_id: Case(pk=case_id).reminders.order_by("due_at", "pk").values_list(*COLUMNS))


def month_names() -> dict[int, str]:
    """The names of the months in the active language."""
    return {number: str(name) for number, name in MONTHS.items()}


def moment(value, months: dict[int, str] | None = None) -> tuple[str, str]:
    """A due moment as the template's ``|date:'c'`` and ``|date:"j F Y H:i"`` print it
    (`months`: `month_names()`, looked up once for many moments)."""
    local = timezone.localtime(value)
    name = (months or month_names())[local.month]
    return local.isoformat(), f"{local.day} {name} {local.year:04d} {local.hour:02d}:{local.minute:02d}"


def schedule_html(case: Case, *, change_url: str | None = None, csrf_token: str = "") -> SafeString:
    """The rows of the case's schedule table, by due moment (one query). With `change_url` (for
    who may change the schedule) every reminder that has not gone out yet gets the form to move or
    cancel it. Empty when the case has no reminders."""
    kinds = {value: escape(str(label)) for value, label in ReminderKind.choices}
    statuses = {value: escape(str(label)) for value, label in ReminderStatus.choices}
    months = month_names()
    if change_url is not None:
        action, token = escape(change_url), escape(csrf_token)
        new_moment, move, cancel = escape(_("New moment")), escape(_("Move")), escape(_("Cancel"))
    rows = []
    for (pk, due_at, kind, note, status, last_error, member_id, member_name,
         user_id, first_name, last_name, username) in _REMINDERS(case.pk):
        due_iso, due_label = moment(due_at, months)
        if member_id is not None:
            who = member_name
        elif user_id is not None:
            who = User(first_name=first_name, last_name=last_name, username=username).display_name
        else:
            who = ""
        change = ""
        if change_url is not None:
            change = "<td></td>"
            if status == ReminderStatus.SCHEDULED:
                change = (
                    f'<td><form method="post" action="{action}"><input type="hidden" name="csrfmiddlewaretoken" '
                    f'value="{token}"><input type="hidden" name="reminder" value="{pk}">\n'
                    f'<label for="due-{pk}" class="visually-hidden">{new_moment}</label>'
                    f'<input type="datetime-local" id="due-{pk}" name="due_at">\n'
                    f'<button type="submit" name="action" value="move" class="secondary">{move}</button>\n'
                    f'<button type="submit" name="action" value="cancel" class="secondary">{cancel}</button>'
                    f'</form></td>')
        rows.append(
            f'<tr><td><time datetime="{escape(due_iso)}">{escape(due_label)}</time></td>'
            f'<td>{kinds.get(kind) or escape(kind)}{f" ({escape(note)})" if note else ""}</td>'
            f'<td>{escape(who)}</td>'
            f'<td>{statuses.get(status) or escape(status)}'
            f'{f": {escape(last_error)}" if status == ReminderStatus.FAILED else ""}</td>\n'
            f'{change}</tr>')
    return mark_safe("".join(rows))  # noqa: S308 - every value in it is escaped
