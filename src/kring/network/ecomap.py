"""The eco-map: the circle of a case as a server-rendered SVG, and its figures.

The map is built as a string from the members and arrangements read from the
database on each request, so it always shows the data as they are now.

- The main persons and the children stand in the centre.
- Three rings around them: very close, close, further away.
- Four sectors: mother's side left, father's side right, both sides at the
  top, outside the family at the bottom; within a sector people are grouped
  by kind (family, friends, school, ...), each group labelled.
- Every person's mark shows how far they are, by shape and fill and a letter
  (never by colour alone): not invited yet, invited, said no, came, took on
  an agreement. The legend under the map explains the marks.
- Who must not meet whom, or only with someone present, is a dashed red line
  between the two people with a label.

The SVG has `role="img"`, a `<title>` and a `<desc>`; the circle page has a
table with the same information. It uses presentation attributes only (no
`style`), so it passes the Content Security Policy, and scales with its
viewBox (the circle page prints it on A4).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from kring.cases.prepared import PreparedModels
from kring.core.kept import kept

from .models import (
    ATTENDANCE_LABELS,
    INVITED_STATUSES,
    KIND_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    ArrangementKind,
    Attendance,
    CircleMember,
    Closeness,
    Kind,
    MemberRole,
    MemberStatus,
    SafetyArrangement,
    Side,
    labels_now,
)

WIDTH, HEIGHT = 1000, 1090
CX, CY = 500, 470
CENTRE_R = 112
CENTRE_ROW, CENTRE_ROW_GAP, CENTRE_COLUMN_GAP = 2, 58, 110
RING_R = {Closeness.CLOSE: 170, Closeness.NEAR: 250, Closeness.FAR: 330}
NODE_R = 17
CENTRE_NODE_R = 19
RED = "#b00020"
INK = "#1b1b1b"
MUTED = "#555555"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

#: Sector of each side, as (start, end) angles in degrees; 0 is right, 90 is down.
SECTORS = {
    Side.BOTH: (-135.0, -45.0),
    Side.FATHER: (-45.0, 45.0),
    Side.NONE: (45.0, 135.0),
    Side.MOTHER: (135.0, 225.0),
}
SECTOR_PADDING = 7.0
STAGGER = {Closeness.CLOSE: 0.0, Closeness.NEAR: 0.6, Closeness.FAR: -0.6}
KIND_ORDER = list(Kind.values)


# --- Figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CircleFigures:
    """What the coordinator looks at beside the map."""

    size: int  # network members (not the main persons or children)
    invited: int  # network members invited and not declined
    came: int
    agreements: int
    mother_side: int  # network members on the mother's side who were invited and did not say no
    father_side: int
    outside_family: int  # network members who are not family
    centre: int  # main persons and children

    @property
    def both_sides(self) -> bool:
        """Both sides of the family are there: each has at least one invited person."""
        return self.mother_side > 0 and self.father_side > 0


def circle_figures(members: Iterable[CircleMember]) -> CircleFigures:
    network = [m for m in members if m.role == MemberRole.NETWORK]
    centre = sum(1 for m in members if m.role != MemberRole.NETWORK)
    invited = [m for m in network if m.status in INVITED_STATUSES]
    return CircleFigures(
        size=len(network),
        invited=len(invited),
        came=sum(1 for m in network if m.came),
        agreements=sum(1 for m in network if m.status == MemberStatus.AGREEMENT),
        mother_side=sum(1 for m in invited if m.side == Side.MOTHER),
        father_side=sum(1 for m in invited if m.side == Side.FATHER),
        outside_family=sum(1 for m in network if m.kind != Kind.FAMILY),
        centre=centre,
    )


# --- Marks --------------------------------------------------------------------------------


def mark_of(member: CircleMember) -> str:
    """The kind of mark a person gets on the map."""
    if member.status == MemberStatus.AGREEMENT:
        return "agreement"
    if member.status == MemberStatus.ATTENDED:
        return "came"
    if member.status == MemberStatus.DECLINED:
        return "declined"
    if member.status in (MemberStatus.INVITED, MemberStatus.CONFIRMED):
        return "invited"
    return "not_invited"


MARK_LETTERS = {
    "invited": pgettext_lazy("eco-map mark for invited", "I"),
    "came": pgettext_lazy("eco-map mark for came", "C"),
    "agreement": pgettext_lazy("eco-map mark for took on an agreement", "A"),
}


def mark_letter(mark: str) -> str:
    return labels_now(MARK_LETTERS).get(mark, "")


def mark_label(mark: str) -> str:
    return {
        "not_invited": _("not invited yet"),
        "invited": _("invited"),
        "declined": _("said no"),
        "came": _("came"),
        "agreement": _("took on an agreement"),
    }[mark]


def _shape(mark: str, x: float, y: float, r: float, letters: dict[str, str] | None = None) -> list[str]:
    """The shape of a mark at (x, y): outline, fill and letter differ per mark."""
    out = []
    if mark == "agreement":
        out.append(f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" '
                   f'rx="3" fill="{INK}" stroke="{INK}" stroke-width="2"/>')
    elif mark == "came":
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{INK}" stroke="{INK}" '
                   f'stroke-width="2"/>')
    elif mark == "invited":
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#ffffff" stroke="{INK}" '
                   f'stroke-width="2.5"/>')
    elif mark == "declined":
        d = r * 0.7
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#ffffff" stroke="{MUTED}" '
                   f'stroke-width="2"/>')
        out.append(f'<line x1="{x - d:.1f}" y1="{y + d:.1f}" x2="{x + d:.1f}" y2="{y - d:.1f}" '
                   f'stroke="{MUTED}" stroke-width="2.5"/>')
    else:
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#ffffff" stroke="{MUTED}" '
                   f'stroke-width="2" stroke-dasharray="4 3"/>')
    letter = mark_letter(mark) if letters is None else letters.get(mark, "")
    if letter:
        colour = "#ffffff" if mark in ("came", "agreement") else INK
        out.append(f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle" font-size="14" '
                   f'font-weight="700" fill="{colour}" aria-hidden="true">{escape(letter)}</text>')
    return out


# --- Layout -------------------------------------------------------------------------------


def _point(angle: float, radius: float) -> tuple[float, float]:
    rad = math.radians(angle)
    return CX + radius * math.cos(rad), CY + radius * math.sin(rad)


def _layout(members: Sequence[CircleMember]) -> tuple[dict[int, tuple[float, float, float]], list]:
    """Positions (x, y, node radius) per member, and the kind labels per sector."""
    positions: dict[int, tuple[float, float, float]] = {}
    # The centre: the main persons in the top row(s), the children below, two in a row.
    rows: list[list[CircleMember]] = []
    for role in (MemberRole.MAIN, MemberRole.CHILD):
        group = sorted((m for m in members if m.role == role), key=lambda m: (m.name.lower(), m.pk))
        rows += [group[i:i + CENTRE_ROW] for i in range(0, len(group), CENTRE_ROW)]
    gap = min(CENTRE_ROW_GAP, 2 * (CENTRE_R - 20) / max(len(rows), 1))
    for r, row in enumerate(rows):
        y = CY + (r - (len(rows) - 1) / 2) * gap
        for i, member in enumerate(row):
            x = CX + (i - (len(row) - 1) / 2) * CENTRE_COLUMN_GAP
            positions[member.pk] = (x, y - 8, CENTRE_NODE_R if member.role == MemberRole.MAIN else 15)

    kind_labels = []
    by_side: dict[str, list[CircleMember]] = defaultdict(list)
    for member in members:
        if not member.in_centre:
            by_side[member.side if member.side in SECTORS else Side.NONE].append(member)
    for side, people in by_side.items():
        start, end = SECTORS[side]
        start, end = start + SECTOR_PADDING, end - SECTOR_PADDING
        by_kind: dict[str, list[CircleMember]] = defaultdict(list)
        for member in people:
            by_kind[member.kind].append(member)
        kinds = sorted(by_kind, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else 99)
        # Each kind gets a share of the sector by its largest ring.
        weights = [max(sum(1 for m in by_kind[k] if m.closeness == c) for c in RING_R) for k in kinds]
        total = sum(weights)
        at = start
        for kind, weight in zip(kinds, weights, strict=True):
            span = (end - start) * weight / total
            kind_labels.append((side, kind, at + span / 2))
            for closeness, radius in RING_R.items():
                ring = sorted((m for m in by_kind[kind] if m.closeness == closeness),
                              key=lambda m: (m.name.lower(), m.pk))
                crowded = ring and (math.radians(span) * radius / len(ring)) < 44
                # Shift each ring a little, so that people on neighbouring rings
                # do not stand in one line with their names on top of each other.
                stagger = min(span / (2 * max(len(ring), 1)), 12.0) * STAGGER[closeness]
                for i, member in enumerate(ring):
                    angle = at + (i + 0.5) * span / len(ring) + stagger
                    offset = (18 if i % 2 else -18) if crowded else 0
                    x, y = _point(angle, radius + offset)
                    positions[member.pk] = (x, y, NODE_R)
            at += span
    return positions, kind_labels


def _short(name: str, length: int = 18) -> str:
    return name if len(name) <= length else name[: length - 1].rstrip() + "…"


# --- Drawing ------------------------------------------------------------------------------


def _background() -> list[str]:
    out = [f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
           f'<circle cx="{CX}" cy="{CY}" r="{CENTRE_R}" fill="#eef3f6" stroke="#9fb4c0" stroke-width="1.5"/>']
    for closeness, radius in RING_R.items():
        out.append(f'<circle cx="{CX}" cy="{CY}" r="{radius}" fill="none" stroke="#b8b8b8" '
                   f'stroke-width="1.5" data-ring="{int(closeness)}"/>')
    for angle in (-135, -45, 45, 135):
        x1, y1 = _point(angle, CENTRE_R)
        x2, y2 = _point(angle, RING_R[Closeness.FAR] + 25)
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#9a9a9a" '
                   f'stroke-width="1" stroke-dasharray="2 5"/>')
    for closeness, radius in RING_R.items():
        x, y = _point(-135, radius)
        out.append(f'<text x="{x + 6:.1f}" y="{y - 4:.1f}" font-size="11" fill="{MUTED}">'
                   f'{escape(str(Closeness(closeness).label))}</text>')
    labels = {
        Side.BOTH: (CX, 40, ""),
        Side.NONE: (CX, 905, ""),
        Side.MOTHER: (34, CY, f' transform="rotate(-90 34 {CY})"'),
        Side.FATHER: (966, CY, f' transform="rotate(90 966 {CY})"'),
    }
    for side, (x, y, transform) in labels.items():
        out.append(f'<text x="{x}" y="{y}" text-anchor="middle" font-size="19" font-weight="700" '
                   f'fill="{INK}" data-sector="{side}"{transform}>{escape(str(Side(side).label))}</text>')
    return out


def _kind_label(side: str, kind: str, angle: float, kinds: dict[str, str]) -> str:
    radius, anchor = {Side.BOTH: (368, "middle"), Side.NONE: (392, "middle"),
                      Side.MOTHER: (352, "end"), Side.FATHER: (352, "start")}[side]
    x, y = _point(angle, radius)
    return (f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" font-size="12" font-style="italic" '
            f'fill="{MUTED}" data-kind-label="{kind}">{escape(kinds[kind])}</text>')


@dataclass(frozen=True)
class _Words:
    """The labels a map uses, in the active language (looked up once per map)."""

    statuses: dict[str, str]
    roles: dict[str, str]
    attendances: dict[str, str]
    kinds: dict[str, str]
    letters: dict[str, str]

    @classmethod
    def now(cls) -> _Words:
        return cls(labels_now(STATUS_LABELS), labels_now(ROLE_LABELS), labels_now(ATTENDANCE_LABELS),
                   labels_now(KIND_LABELS), labels_now(MARK_LETTERS))


def _node(member: CircleMember, x: float, y: float, r: float, notes: list[str], words: _Words) -> str:
    mark = mark_of(member)
    status = str(words.statuses.get(member.status, member.status))
    if member.status == MemberStatus.ATTENDED and member.attendance == Attendance.REMOTE:
        status = f"{status} ({words.attendances[Attendance.REMOTE]})"
    described = ", ".join(p for p in [member.relation, str(words.roles.get(member.role, member.role)), status] if p)
    attrs = {
        "class": "node",
        "data-member": member.pk,
        "data-role": member.role,
        "data-side": member.side,
        "data-kind": member.kind,
        "data-closeness": member.closeness,
        "data-status": member.status,
        "data-mark": mark,
        "data-attendance": member.attendance,
    }
    out = ["<g " + " ".join(f'{k}="{escape(str(v))}"' for k, v in attrs.items()) + ">",
           f"<title>{escape(member.name)} – {escape(described)}</title>"]
    if member.role == MemberRole.MAIN:
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r + 5:.1f}" fill="none" stroke="#0b5d7a" '
                   f'stroke-width="2.5"/>')
    if member.attendance == Attendance.REMOTE and member.came:
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r + 5:.1f}" fill="none" stroke="{INK}" '
                   f'stroke-width="1.5" stroke-dasharray="3 3"/>')
    out += _shape(mark, x, y, r, words.letters)
    if member.status == MemberStatus.CONFIRMED:
        out.append(f'<text x="{x + r + 2:.1f}" y="{y - r + 6:.1f}" font-size="13" font-weight="700" '
                   f'fill="{INK}" aria-hidden="true">✓</text>')
    label_y = y + r + 15 + (5 if member.role == MemberRole.MAIN else 0)
    length = 13 if member.in_centre else 18
    out.append(f'<text x="{x:.1f}" y="{label_y:.1f}" text-anchor="middle" font-size="12.5" fill="{INK}" '
               f'paint-order="stroke" stroke="#ffffff" stroke-width="3">{escape(_short(member.name, length))}</text>')
    for i, note in enumerate(notes):
        out.append(f'<text x="{x:.1f}" y="{label_y + 13 * (i + 1):.1f}" text-anchor="middle" font-size="10.5" '
                   f'font-style="italic" fill="{RED}" paint-order="stroke" stroke="#ffffff" '
                   f'stroke-width="3">{escape(note)}</text>')
    out.append("</g>")
    return "".join(out)


LABEL_TS = (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8)


def _label_point(sx: float, sy: float, ex: float, ey: float,
                 taken: list[tuple[float, float]]) -> tuple[float, float]:
    """Where the label of a line goes: halfway if possible, outside the crowded centre
    and away from the labels already placed."""
    points = [(sx + (ex - sx) * t, sy + (ey - sy) * t) for t in LABEL_TS]
    outside = [p for p in points if math.hypot(p[0] - CX, p[1] - CY) > CENTRE_R + 8] or points

    def is_free(p: tuple[float, float]) -> bool:
        return all(abs(p[0] - x) > 130 or abs(p[1] - y) > 18 for x, y in taken)

    free = [p for p in outside if is_free(p)]
    point = free[0] if free else outside[0]
    for shift in (18, -18, 36, -36):
        if is_free(point):
            break
        point = (outside[0][0], outside[0][1] + shift)
    taken.append(point)
    return point


def _restriction(arrangement: SafetyArrangement, positions, taken: list) -> str:
    x1, y1, r1 = positions[arrangement.person_id]
    x2, y2, r2 = positions[arrangement.other_id]
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    sx, sy = x1 + ux * (r1 + 4), y1 + uy * (r1 + 4)
    ex, ey = x2 - ux * (r2 + 4), y2 - uy * (r2 + 4)
    mx, my = _label_point(sx, sy, ex, ey, taken)
    label = arrangement.short_label()
    title = arrangement.describe_for(arrangement.person_id)
    attrs = (f'class="restriction" data-arrangement="{arrangement.pk}" data-kind="{arrangement.kind}" '
             f'data-person="{arrangement.person_id}" data-other="{arrangement.other_id}" '
             f'data-present="{arrangement.present_id or ""}"')
    return (f"<g {attrs}><title>{escape(arrangement.person.name)}: {escape(title)}</title>"
            f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" stroke="{RED}" '
            f'stroke-width="3" stroke-dasharray="10 6" stroke-linecap="round"/>'
            f'<text x="{mx:.1f}" y="{my - 6:.1f}" text-anchor="middle" font-size="12" font-weight="700" '
            f'fill="{RED}" paint-order="stroke" stroke="#ffffff" stroke-width="4">{escape(label)}</text></g>')


def _legend() -> list[str]:
    top = 945
    legend = _("Legend")
    main_person = _("main person (double ring)")
    not_free = _("may not meet freely")
    said_yes = _("said yes")
    rings = _("Rings: very close, close, further away")
    out = [f'<g class="legend"><text x="40" y="{top}" font-size="15" font-weight="700" fill="{INK}">'
           f"{escape(legend)}</text>"]
    for i, mark in enumerate(["not_invited", "invited", "declined", "came", "agreement"]):
        col, row = divmod(i, 3)
        x, y = 60 + col * 320, top + 30 + row * 34
        out += _shape(mark, x, y, 12)
        out.append(f'<text x="{x + 22}" y="{y + 5}" font-size="13" fill="{INK}">'
                   f"{escape(mark_label(mark))}</text>")
    x, y = 380, top + 30 + 2 * 34
    out.append(f'<circle cx="{x}" cy="{y}" r="12" fill="#ffffff" stroke="{INK}" stroke-width="2"/>'
               f'<circle cx="{x}" cy="{y}" r="17" fill="none" stroke="#0b5d7a" stroke-width="2.5"/>'
               f'<text x="{x + 24}" y="{y + 5}" font-size="13" fill="{INK}">{escape(main_person)}</text>')
    x, y = 700, top + 30
    out.append(f'<line x1="{x - 20}" y1="{y}" x2="{x + 20}" y2="{y}" stroke="{RED}" stroke-width="3" '
               f'stroke-dasharray="10 6"/><text x="{x + 28}" y="{y + 5}" font-size="13" fill="{INK}">'
               f"{escape(not_free)}</text>")
    out.append(f'<text x="{x - 20}" y="{y + 39}" font-size="13" fill="{INK}">'
               f'<tspan font-weight="700">✓</tspan> {escape(said_yes)}</text>')
    out.append(f'<text x="{x - 20}" y="{y + 73}" font-size="13" fill="{INK}">{escape(rings)}</text>')
    out.append("</g>")
    return out


def _description(case, members: Sequence[CircleMember], figures: CircleFigures, pairs: int) -> str:
    sides = defaultdict(int)
    for member in members:
        if not member.in_centre:
            sides[member.side] += 1
    in_centre = sorted((m for m in members if m.in_centre), key=lambda m: m.role != MemberRole.MAIN)
    centre = ", ".join(m.name for m in in_centre) or _("nobody yet")
    return _(
        "In the centre: %(centre)s. Around them %(size)s people: %(mother)s on the mother's side, "
        "%(father)s on the father's side, %(both)s on both sides and %(none)s outside the family. "
        "%(invited)s invited, %(came)s came, %(agreements)s took on an agreement. "
        "%(pairs)s arrangements about who may not meet freely. "
        "The table on the circle page lists everyone with the same details."
    ) % {
        "centre": centre, "size": len(members) - figures.centre, "mother": sides[Side.MOTHER],
        "father": sides[Side.FATHER], "both": sides[Side.BOTH], "none": sides[Side.NONE],
        "invited": figures.invited, "came": figures.came, "agreements": figures.agreements,
        "pairs": pairs,
    }


def _person_notes(arrangements: Sequence[SafetyArrangement]) -> dict[int, list[str]]:
    notes: dict[int, list[str]] = defaultdict(list)
    for a in arrangements:
        if a.kind == ArrangementKind.REMOTE_ONLY:
            notes[a.person_id].append(_("only from a distance"))
        elif a.kind == ArrangementKind.SOME_PARTS_ONLY:
            notes[a.person_id].append(
                _("only part %(parts)s") % {"parts": ", ".join(str(p) for p in sorted(a.parts))})
    return notes


def render_ecomap(*, case, members: Sequence[CircleMember], arrangements: Sequence[SafetyArrangement],
                  standalone: bool = False) -> str:
    """The SVG markup. `standalone` adds the XML declaration and language for a .svg file."""
    from django.utils.translation import get_language

    members = list(members)
    arrangements = list(arrangements)
    figures = circle_figures(members)
    positions, kind_labels = _layout(members)
    pairs = [a for a in arrangements
             if a.is_pair and a.person_id in positions and a.other_id in positions]
    notes = _person_notes(arrangements)
    taken: list[tuple[float, float]] = []
    words = _Words.now()
    title = _("Eco-map of the circle of %(reference)s") % {"reference": case.reference}
    lang = f' xml:lang="{escape(get_language() or "nl")}"' if standalone else ""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else "",
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="ecomap-title ecomap-desc" font-family="{FONT}" class="ecomap-svg" '
        f'data-case="{case.pk}"{lang}>',
        f'<title id="ecomap-title">{escape(title)}</title>',
        f'<desc id="ecomap-desc">{escape(_description(case, members, figures, len(pairs)))}</desc>',
        kept("ecomap-background", lambda: "".join(_background())),
        *(_kind_label(side, kind, angle, words.kinds) for side, kind, angle in kind_labels),
        '<g class="nodes">',
        *(_node(m, *positions[m.pk], notes.get(m.pk, []), words) for m in members),
        "</g>",
        '<g class="restrictions">',
        *(_restriction(a, positions, taken) for a in pairs),
        "</g>",
        kept("ecomap-legend", lambda: "".join(_legend())),
        "</svg>",
    ]
    return "".join(out)


@dataclass(frozen=True)
class CircleRead:
    """The circle of a case as read for a page."""

    members: list[CircleMember]  # the order of the page: centre first, then by closeness and name
    listed: list[CircleMember]  # the same people by role, name and id (the arrangement form's lists)
    arrangements: list[SafetyArrangement]  # oldest first, with their people from `members`


_ARRANGEMENT_PEOPLE = tuple(SafetyArrangement._meta.get_field(name) for name in ("person", "other", "present"))
_ROLE_ORDER = {MemberRole.MAIN: 0, MemberRole.CHILD: 1, MemberRole.NETWORK: 2}


#: The fields of a member the eco-map reads.
MAP_FIELDS = ("id", "role", "name", "relation", "side", "kind", "closeness", "status", "attendance")


def _members_read(fields: tuple[str, ...]) -> PreparedModels[CircleMember]:
    """The members query for these fields, compiled once (a few field sets exist: one per page)."""
    prepared = _MEMBERS.get(fields)
    if prepared is None:
        def build(case_id: int) -> QuerySet[CircleMember]:
            members = CircleMember.objects.filter(case_id=case_id).order_by("role", "name", "id")
            return members.only(*fields) if fields else members
        prepared = _MEMBERS[fields] = PreparedModels(build)
    return prepared


_MEMBERS: dict[tuple[str, ...], PreparedModels[CircleMember]] = {}
_ARRANGEMENTS: PreparedModels[SafetyArrangement] = PreparedModels(
    lambda case_id: SafetyArrangement.objects.filter(case_id=case_id).order_by())


def read_circle(case, *, fields: Sequence[str] = (), arrangements: bool = True) -> CircleRead:
    """The members and arrangements of a case, in two queries; `fields`: read only these of
    each member (every other field would cost a query per member when used); without
    `arrangements` (a page that does not show them) in one query.

    Both queries are compiled once (`PreparedModels`): only the case id changes.
    The arrangements do not join their people: they get the member objects read
    for the page (one object per person, so the page and the map agree), and only
    a person missing from this circle would be read separately.
    """
    listed = _members_read(tuple(fields))(case.pk)
    members = sorted(listed, key=lambda m: (_ROLE_ORDER.get(m.role, 3), m.closeness, m.name.lower(), m.pk))
    # Sorted here: an ORDER BY costs more to compile than sorting the few rows of one case.
    if not arrangements:
        return CircleRead(members=members, listed=listed, arrangements=[])
    read = sorted(_ARRANGEMENTS(case.pk), key=lambda a: (a.created_at, a.pk))
    by_id = {m.pk: m for m in listed}
    missing = {getattr(a, f.attname) for a in read for f in _ARRANGEMENT_PEOPLE} - {None} - by_id.keys()
    if missing:
        by_id.update(CircleMember.objects.in_bulk(missing))
    for a in read:
        for f in _ARRANGEMENT_PEOPLE:
            member_id = getattr(a, f.attname)
            f.set_cached_value(a, by_id[member_id] if member_id is not None else None)
    return CircleRead(members=members, listed=listed, arrangements=read)


def circle_data(case) -> tuple[list[CircleMember], list[SafetyArrangement]]:
    """The members (centre first, then by closeness and name) and arrangements of a case, in two queries."""
    read = read_circle(case)
    return read.members, read.arrangements
