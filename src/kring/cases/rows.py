"""The rows of the case lists (case list, inbox), read and formatted once in Python.

A list shows a few fields of fifty cases. Reading them as values (not four model
instances per row: case, region, municipality, coordinator, with every wide
column) and formatting dates, labels and links here, once per row, costs a
fraction of doing it in the template for every row; the HTML stays the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from html import escape

from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from .models import (
    PROFESSIONAL_KIND_LABELS,
    STATE_LABELS,
    CaseEvent,
    CasePerson,
    CaseProfessional,
    NormClock,
    PersonRole,
    Urgency,
    age_on,
    event_label,
    norm_clocks,
)
from .prepared import PreparedValues

#: The fields of a case-list row; `pk` and `submitted_at` also make the keyset cursor (`paging.cursor_of`).
LIST_FIELDS = (
    "pk", "reference", "urgency", "state", "submitted_at", "region__name", "municipality__name",
    "coordinator__first_name", "coordinator__last_name", "coordinator__username",
)

#: The fields of an inbox row: those of a list row, the milestones of the norm clocks and the deadline.
INBOX_FIELDS = (
    *LIST_FIELDS, "coordinator_id", "assigned_at", "first_contact_at", "held_at", "next_deadline_at",
)

#: A case id no real case has, to cut a reversed URL into the text before and after the id.
_PK_MARK = 918273645


@lru_cache(maxsize=256)
def _pk_url_parts(name: str, leading: tuple, resolver: object, prefix: str,
                  language: str | None) -> tuple[str, str] | None:
    """The text before and after the last id in `name`'s URL (after the `leading` arguments), or
    None if it cannot be reversed.

    The URL configuration, script prefix and language are part of the cache key (they are
    what `reverse` depends on), so a changed URL configuration reverses again.
    """
    del resolver, prefix, language
    try:
        url = reverse(name, args=[*leading, _PK_MARK])
    except NoReverseMatch:
        return None
    head, _mark, tail = url.rpartition(str(_PK_MARK))
    return head, tail


def url_for_pk(name: str, *leading: int) -> Callable[[int], str]:
    """`pk -> reverse(name, args=[*leading, pk])`, reversing once: the URL of every row of a list
    (`leading`: fixed arguments before the row's id, such as the case of a circle's members)."""
    parts = _pk_url_parts(name, leading, get_resolver(get_urlconf()), get_script_prefix(), get_language())
    if parts is None:
        raise NoReverseMatch(f"Reverse for {name!r} not found.")
    head, tail = parts
    return lambda pk: f"{head}{pk}{tail}"


def url_or_empty(name: str, pk: int) -> str:
    """As `{% url name pk as var %}`: the URL, or "" when `name` has no URL here."""
    parts = _pk_url_parts(name, (), get_resolver(get_urlconf()), get_script_prefix(), get_language())
    return f"{parts[0]}{pk}{parts[1]}" if parts else ""


def display_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """`User.display_name` from the user's columns; "" when there is no user (a LEFT JOIN of NULLs)."""
    if username is None:
        return ""
    return f"{first_name} {last_name}".strip() or username


@lru_cache(maxsize=4096)
def _day_text(day: date, format: str, language: str | None) -> str:
    """`day` as `|date:format` writes it in `language` (the active one; part of the cache key)."""
    return formats.date_format(day, format)


def day_text(day: date | None, format: str = "j M Y") -> str:
    """A day as the template's `|date:format` writes it ("" for None), for formats of the day alone.

    Formatted once per day, format and language: a list shows the same few days many times.
    """
    return "" if day is None else _day_text(day, format, get_language())


def local_day_and_time(moment: datetime, day_format: str = "j M Y") -> str:
    """A moment as `|date:"<day_format> H:i"` writes it: in local time, the day, a space, and hours:minutes."""
    local = timezone.localtime(moment)
    return f"{_day_text(local.date(), day_format, get_language())} {local:%H:%M}"


class _Labels:
    """State labels and formatted dates of one request, each worked out once."""

    def __init__(self) -> None:
        self._states: dict[str, str] = {}
        self._language = get_language()

    def state(self, code: str) -> str:
        label = self._states.get(code)
        if label is None:
            label = self._states[code] = str(STATE_LABELS.get(code, code))
        return label

    def day(self, moment: datetime) -> str:
        """As the template's `|date:"j M Y"`: the local day."""
        return _day_text(timezone.localtime(moment).date(), "j M Y", self._language)

    def date(self, day: date) -> str:
        """A date (no time of day) as `|date:"j M Y"`."""
        return _day_text(day, "j M Y", self._language)


#: One row of the case list; `{% for case in page %}{{ case }}` writes it (see `CaseRow.__html__`).
_CASE_ROW = (
    '<tr><td><a href="{}">{}</a>{}</td>\n'
    "<td>{}</td><td>{}</td><td>{}</td>\n"
    "<td>{}</td><td>{}</td></tr>\n"
)
_URGENT = ' <span class="urgent">{}</span>'


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One line of the case list."""

    pk: int
    url: str
    reference: str
    urgent: str  # the "urgent" mark, or ""
    received: str
    region: str
    municipality: str
    state: str
    coordinator: str

    def __html__(self) -> SafeString:
        """The table row, every value escaped: one `format_html` instead of a dozen template nodes per row."""
        return format_html(_CASE_ROW, self.url, self.reference, self.urgent, self.received, self.region,
                           self.municipality, self.state, self.coordinator or "-")

    def __str__(self) -> str:
        return self.__html__()


def case_rows(values: Iterable) -> list[CaseRow]:
    """List rows from `values_list(*LIST_FIELDS, named=True)` rows."""
    url = url_for_pk("case_detail")
    labels = _Labels()
    urgent = format_html(_URGENT, gettext("urgent"))
    return [
        CaseRow(pk=v.pk, url=url(v.pk), reference=v.reference, urgent=urgent if v.urgency == Urgency.URGENT else "",
                received=labels.day(v.submitted_at), region=v.region__name, municipality=v.municipality__name,
                state=labels.state(v.state),
                coordinator=display_name(v.coordinator__first_name, v.coordinator__last_name,
                                         v.coordinator__username))
        for v in values
    ]


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One open request in the manager's inbox."""

    pk: int
    url: str
    assign_url: str
    reference: str
    is_urgent: bool
    overdue: bool
    received: str
    municipality: str
    state: str
    coordinator: str | None  # None: no coordinator yet
    clocks: list[NormClock]
    texts: InboxTexts

    def __html__(self) -> SafeString:
        """The table row, every value escaped (the template's markup, written once in Python).

        With the standard library's `escape` on plain strings, which is what Django's does
        underneath: `format_html` and `conditional_escape` check every argument for lazy text
        and safe strings, which cost a third of this page for its few hundred values.
        """
        texts = self.texts
        clocks = "".join(
            f'<li><span class="clock-{escape(c.status)}">{"⚠ " if c.status == "overdue" else ""}'
            f"{escape(texts.label(c))}: {escape(c.text)}</span></li>"
            for c in self.clocks)
        if self.coordinator is None:
            coordinator = f"<em>{escape(texts.none_yet)}</em>"
            action = f'<a class="button" href="{escape(self.assign_url)}">{escape(texts.assign)}</a>'
        else:
            coordinator, action = escape(self.coordinator), ""
        urgent = f' <span class="urgent">{escape(texts.urgent)}</span>' if self.is_urgent else ""
        return mark_safe(  # noqa: S308 - every value above is escaped
            f'<tr id="case-{self.pk:d}" class="{"overdue" if self.overdue else ""}">\n'
            f'  <td><a href="{escape(self.url)}">{escape(self.reference)}</a>{urgent}</td>\n'
            f"  <td>{escape(self.received)}</td>\n  <td>{escape(self.municipality)}</td>\n"
            f"  <td>{escape(self.state)}</td>\n  <td>{coordinator}</td>\n"
            f'  <td><ul class="clocks">{clocks}</ul></td>\n'
            f"  <td>{action}</td>\n</tr>\n")

    def __str__(self) -> str:
        return self.__html__()


@dataclass(frozen=True, slots=True)
class InboxTexts:
    """The inbox's fixed words, translated once per request."""

    urgent: str
    none_yet: str
    assign: str
    labels: dict[str, str] = field(default_factory=dict)  # clock code → label

    def label(self, clock: NormClock) -> str:
        text = self.labels.get(clock.code)
        if text is None:
            text = self.labels[clock.code] = str(clock.label)
        return text




def inbox_rows(values: Iterable, now: datetime) -> list[InboxRow]:
    """Inbox rows from `values_list(*INBOX_FIELDS, named=True)` rows, with their norm clocks at `now`."""
    url = url_for_pk("case_detail")
    assign_url = url_for_pk("case_assign")
    labels = _Labels()
    texts = InboxTexts(urgent=gettext("urgent"), none_yet=gettext("none yet"), assign=gettext("Assign"))
    return [
        InboxRow(
            pk=v.pk, url=url(v.pk), assign_url=assign_url(v.pk), reference=v.reference,
            is_urgent=v.urgency == Urgency.URGENT,
            overdue=v.next_deadline_at is not None and v.next_deadline_at < now,
            received=local_day_and_time(v.submitted_at, "j M"),
            municipality=v.municipality__name, state=labels.state(v.state),
            coordinator=None if v.coordinator_id is None else display_name(
                v.coordinator__first_name, v.coordinator__last_name, v.coordinator__username),
            clocks=norm_clocks(v.submitted_at, v.assigned_at, v.first_contact_at, v.held_at,
                               state=v.state, urgency=v.urgency, now=now),
            texts=texts,
        )
        for v in values
    ]


# --- the case page ---------------------------------------------------------------------------

# The case page's reads, compiled once (see `prepared`): the ORM's queries, by case id.
_PERSONS = PreparedValues(
    lambda case_id: CasePerson.objects.filter(case_id=case_id).values_list("name", "role", "birth_date", "phone"))
_PROFESSIONALS = PreparedValues(
    lambda case_id: CaseProfessional.objects.filter(case_id=case_id).values_list("name", "organisation", "kind"))
_EVENTS = PreparedValues(lambda case_id: CaseEvent.objects.filter(case_id=case_id).values_list(
    "name", "from_state", "to_state", "at", "reason", "actor__first_name", "actor__last_name", "actor__username"))

#: The links of the case page, by the name the template uses.
CASE_LINKS = {
    "circle": "network_circle", "prepare": "conference_prepare", "info": "information_form",
    "plan": "plan_detail", "followup": "followup_case", "privacy": "case_privacy", "offer": "offer_new",
    "assign": "case_assign", "step": "case_step", "log": "case_access_log",
}


def case_links(pk: int) -> dict[str, str]:
    """The case page's links to the parts of the case ("" for a part that has no URL here)."""
    return {key: url_or_empty(name, pk) for key, name in CASE_LINKS.items()}


_PERSON_ROW = '<tr><td dir="auto">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>'
_PERSON_ROLE_LABELS = dict(PersonRole.choices)


@dataclass(frozen=True, slots=True)
class PersonRow:
    """A family member on the case page."""

    name: str
    role: str
    birth_date: str  # formatted, or "-"
    age: str  # or "-"
    phone: str  # or "-"

    def __html__(self) -> SafeString:
        return format_html(_PERSON_ROW, self.name, self.role, self.birth_date, self.age, self.phone)

    def __str__(self) -> str:
        return self.__html__()


def person_rows(case_id: int, today: date) -> list[PersonRow]:
    """The case's persons in their usual order (role, date of birth), with their age on `today`."""
    rows = _PERSONS(case_id)
    labels = _Labels()
    return [
        PersonRow(name=name, role=str(_PERSON_ROLE_LABELS.get(role, role)),
                  birth_date=labels.date(birth_date) if birth_date else "-",
                  age="-" if birth_date is None else str(age_on(birth_date, today)), phone=phone or "-")
        for name, role, birth_date, phone in rows
    ]


@dataclass(frozen=True, slots=True)
class ProfessionalRow:
    """A professional involved, as the case page names them."""

    name: str
    organisation: str
    kind: str  # the label, or ""


def professional_rows(case_id: int) -> list[ProfessionalRow]:
    rows = _PROFESSIONALS(case_id)
    return [ProfessionalRow(name, organisation, str(PROFESSIONAL_KIND_LABELS.get(kind, kind)))
            for name, organisation, kind in rows]


_EVENT_ROW = '<li><time datetime="{}">{}</time> · <strong>{}</strong>{} · {}{}</li>'
_EVENT_STATE = " → {}"
_EVENT_REASON = ' · <span dir="auto">{}</span>'


@dataclass(frozen=True, slots=True)
class EventRow:
    """One step of the timeline."""

    at: datetime  # local time
    when: str  # `at` as `|date:"j M Y H:i"`
    label: str
    new_state: str  # the label of the state it led to, or "" when the state stayed
    actor: str  # who took the step, or the words for the public form
    reason: str

    def __html__(self) -> SafeString:
        return format_html(
            _EVENT_ROW, self.at.isoformat(), self.when, self.label,
            format_html(_EVENT_STATE, self.new_state) if self.new_state else "", self.actor,
            format_html(_EVENT_REASON, self.reason) if self.reason else "",
        )

    def __str__(self) -> str:
        return self.__html__()


def timeline(case_id: int) -> list[EventRow]:
    """The case's events in order, with who took each step (one query; names only, not whole users)."""
    rows = _EVENTS(case_id)
    labels = _Labels()
    public_form = gettext("public form")
    events = []
    for name, from_state, to_state, at, reason, first, last, username in rows:
        local = timezone.localtime(at)
        events.append(EventRow(
            at=local, when=f"{labels.date(local.date())} {local:%H:%M}", label=event_label(name),
            new_state=labels.state(to_state) if from_state != to_state else "",
            actor=display_name(first, last, username) or public_form, reason=reason,
        ))
    return events
