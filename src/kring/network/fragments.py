"""Parts of the circle page built in Python instead of through the template engine.

- The table of people: a row per person with up to three small forms. The
  template built each row from some fifty nodes (a `{% url %}` and a
  `{% csrf_token %}` per form, a `get_FOO_display` per cell); here a row is a
  few string joins with `escape()`, and the URLs come from one `reverse()` (`cases.rows.url_for_pk`).
- The empty "add someone" form, the empty arrangement form, the head of the
  table and the widening questions: the same for everyone who reads the page in
  one language, so they are rendered once per language (`kept`). The arrangement form's three lists of
  people are put into the kept form per request.

Everything from the case or the request (names, URLs, the CSRF token) is put in
per request and never kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kring.cases.rows import url_for_pk
from kring.core.kept import kept

from .forms import ArrangementForm, MemberForm, status_actions
from .models import (
    ATTENDANCE_LABELS,
    CLOSENESS_LABELS,
    KIND_LABELS,
    ROLE_LABELS,
    SIDE_LABELS,
    STATUS_LABELS,
    CircleMember,
    labels_now,
)
from .widening import FOUR_QUESTIONS, YES_BUTS


def csrf_input(token: str) -> SafeString:
    """The hidden field `{% csrf_token %}` writes, for the request's token."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def _contact(m: CircleMember) -> str:
    parts = []
    if m.phone:
        parts.append(f'<a href="tel:{escape(m.phone)}">{escape(m.phone)}</a>')
    if m.email:
        parts.append(f'<a href="mailto:{escape(m.email)}">{escape(m.email)}</a>')
    return "<br>".join(parts) or "-"


def member_rows(members: Sequence[CircleMember], restrictions: dict[int, list[str]], *, case_id: int,
                may_change: bool, csrf: str = "") -> SafeString:
    """The `<tr>` of each person in the circle table; `csrf` is the request's hidden CSRF field."""
    out = []
    if may_change:
        edit_url = url_for_pk("network_member_edit", case_id)
        status_url = url_for_pk("network_member_status", case_id)
        change = escape(_("change"))
    interpreter = escape(_("needs an interpreter"))
    roles, sides, kinds = labels_now(ROLE_LABELS), labels_now(SIDE_LABELS), labels_now(KIND_LABELS)
    closeness, statuses = labels_now(CLOSENESS_LABELS), labels_now(STATUS_LABELS)
    attendances = labels_now(ATTENDANCE_LABELS)
    for m in members:
        name = escape(m.name)
        head = name
        if may_change:
            head += (f' <a class="no-print edit-link" href="{edit_url(m.pk)}">{change}'
                     f'<span class="visually-hidden"> {name}</span></a>')
        status = f'<span class="badge status-{escape(m.status)}">{escape(str(statuses.get(m.status, m.status)))}</span>'
        if m.attendance:
            status += f" ({escape(str(attendances.get(m.attendance, m.attendance)).lower())})"
        if m.interpreter_needed:
            status += f'<br><span class="help">{interpreter}</span>'
        shown = [f'<span class="restriction">{escape(r)}</span>' for r in restrictions.get(m.pk, ())]
        cells = [
            f'<tr id="member-{m.pk}">',
            f'<th scope="row" dir="auto">{head}</th>',
            f'<td dir="auto">{escape(m.relation or str(roles.get(m.role, m.role)))}</td>',
            f"<td>{escape(str(sides.get(m.side, m.side)))}</td>",
            f"<td>{escape(str(kinds.get(m.kind, m.kind)))}</td>",
            f"<td>{escape(str(closeness.get(m.closeness, m.closeness)))}</td>",
            f"<td>{status}</td>",
            f"<td>{'<br>'.join(shown) or '-'}</td>",
        ]
        if may_change:
            action = status_url(m.pk)
            forms = "".join(
                f'\n<form method="post" action="{action}">{csrf}<input type="hidden" name="status" '
                f'value="{escape(step)}"><input type="hidden" name="attendance" value="{escape(attendance)}">'
                f'<button type="submit" class="small secondary" aria-label="{name}: {escape(text)}">'
                f"{escape(text)}</button></form>\n"
                for step, attendance, text in status_actions(m)
            )
            cells += [f"<td>{_contact(m)}</td>",
                      f'<td class="no-print"><div class="status-actions">{forms or "-"}</div></td>']
        cells.append("</tr>\n")
        out.append("\n".join(cells))
    return mark_safe("\n" + "\n".join(out) if out else "")  # noqa: S308 (built with escape())


# --- Forms ---------------------------------------------------------------------------------


def member_form_fields(form: MemberForm | None = None) -> SafeString:
    """The fields of the "add someone" form; an empty form is rendered once per language."""
    if form is not None:
        return render_to_string("network/_member_fields.html", {"member_form": form})
    return mark_safe(kept("member-form", lambda: render_to_string(  # noqa: S308 (rendered by the template engine)
        "network/_member_fields.html", {"member_form": MemberForm()})))


#: A member id no real member has.
_SENTINEL_ID = 987654321
#: Stands for a person in the kept arrangement form; replaced by the people of the case.
_PLACEHOLDER = CircleMember(pk=_SENTINEL_ID, name="\ue000people\ue000")
_PLACEHOLDER_OPTION = f'<option value="{_SENTINEL_ID}">{_PLACEHOLDER.name}</option>'
#: What Django's select widget puts between two options.
_OPTION_GAP = "\n\n  "


def _empty_arrangement_form(people: list[CircleMember]) -> str:
    form = ArrangementForm(case=None, members=people)
    return render_to_string("network/_arrangement_fields.html", {"arrangement_form": form})


def arrangement_form_fields(form: ArrangementForm | None = None, *,
                            listed: Sequence[CircleMember] = ()) -> SafeString:
    """The fields of the arrangement form. An empty one is kept per language with a placeholder
    for the people, and gets `listed` (the circle by role, name and id) in its three lists."""
    if form is not None:
        return render_to_string("network/_arrangement_fields.html", {"arrangement_form": form})
    if not listed:
        return mark_safe(kept("arrangement-form-nobody", lambda: _empty_arrangement_form([])))  # noqa: S308
    html = kept("arrangement-form", lambda: _empty_arrangement_form([_PLACEHOLDER]))
    options = _OPTION_GAP.join(f'<option value="{m.pk}">{escape(m.name)}</option>' for m in listed)
    return mark_safe(html.replace(_PLACEHOLDER_OPTION, options))  # noqa: S308 (names escaped)


def table_head(*, may_change: bool) -> SafeString:
    """The heading, caption and column heads of the circle table (with the contact and next-step
    columns for those who may change the circle), kept per language."""
    return mark_safe(kept(f"table-head-{'change' if may_change else 'view'}", lambda: render_to_string(  # noqa: S308
        "network/_circle_table_head.html", {"may_change": may_change})))


def widening() -> SafeString:
    """The widening questions: the same text for every case, kept per language."""
    return mark_safe(kept("widening", lambda: render_to_string(  # noqa: S308 (rendered by the template engine)
        "network/_widening.html", {"questions": FOUR_QUESTIONS, "yes_buts": YES_BUTS})))
