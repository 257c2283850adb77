"""Server-rendered, accessible SVG charts: role="img" with a title and a description,
and always the same figures in a table next to them (the templates do that).

Hidden figures (fewer than 5 families) get no bar, only their mark ("<5" or "-" (dash)).
Only presentation attributes are used, no inline style, so the CSP holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .figures import Figure, Table

WIDTH = 640
LABEL_W = 230
BAR_H = 22
GAP = 8
TOP = 30
COLOUR = "#1f5f8b"
COLOUR_NORM = "#0b6e4f"
COLOUR_MUTED = "#7a8a99"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(*, chart_id: str, title: str, description: str, labels: Sequence[str],
              figures: Sequence[Figure], percent: bool = False,
              references: Sequence[tuple[float, str]] = (), highlight: set[str] | None = None) -> SafeString:
    """Horizontal bars, one per label; `references` are dashed vertical lines (values 0..1 for percent)."""
    highlight = highlight or set()
    values = [f.shown for f in figures]
    top = 1.0 if percent else max([v for v in values if v is not None] + [1])
    plot_w = WIDTH - LABEL_W - 60
    height = TOP + len(labels) * (BAR_H + GAP) + (18 * len(references)) + 10

    def x(value: float) -> float:
        return LABEL_W + plot_w * (value / top if top else 0)

    parts = []
    for i, (label, figure, value) in enumerate(zip(labels, figures, values, strict=True)):
        y = TOP + i * (BAR_H + GAP)
        parts.append(format_html(
            '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#222">{}</text>',
            LABEL_W - 8, _num(y + BAR_H * 0.7), label))
        if value is not None:
            colour = COLOUR_NORM if label in highlight else COLOUR
            width = max(x(value) - LABEL_W, 1 if value else 0)
            parts.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
                                     LABEL_W, y, _num(width), BAR_H, colour))
        parts.append(format_html(
            '<text x="{}" y="{}" font-size="13" fill="#222">{}</text>',
            _num((x(value) if value is not None else LABEL_W) + 6), _num(y + BAR_H * 0.7), figure.display))
    bottom = TOP + len(labels) * (BAR_H + GAP)
    for j, (ref, ref_label) in enumerate(references):
        rx = _num(x(ref))
        parts.append(format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#b3261e" stroke-width="2" stroke-dasharray="6 4">'
            '</line><text x="{}" y="{}" font-size="12" fill="#b3261e">{}: {}</text>',
            rx, rx, TOP - 6, bottom, LABEL_W, bottom + 14 + 18 * j,
            f"{round(ref * 100)}%" if percent else _num(ref), ref_label))
    axis = format_html('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"></line>',
                       LABEL_W, LABEL_W, TOP - 6, bottom, COLOUR_MUTED)
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-labelledby="{}-title {}-desc"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '{}{}</svg>',
        WIDTH, height, chart_id, chart_id, chart_id, title, chart_id, description, axis,
        mark_safe("".join(parts)),  # noqa: S308 - every part is built with format_html
    )


def table_chart(table: Table) -> SafeString:
    """The chart of a table as its `Chart` describes it; empty when the table has none.
    Made once per table (a computed dashboard is shown again until its figures change)."""
    if "chart" not in table.rendered:
        table.rendered["chart"] = _table_chart(table)
    return table.rendered["chart"]


def _table_chart(table: Table) -> SafeString:
    if table.chart is None or not table.rows:
        return SafeString("")
    spec = table.chart
    labels = [str(row[0]) for row in table.rows]
    figures = [row[spec.column] if isinstance(row[spec.column], Figure) else Figure.count(0)
               for row in table.rows]
    described = "; ".join(f"{label}: {f.display}" for label, f in zip(labels, figures, strict=True))
    description = f"{table.description} {described}."
    if spec.references:
        description += " " + _("Reference lines: %(lines)s.") % {
            "lines": ", ".join(f"{label} ({round(v * 100)}%)" for v, label in spec.references)}
    if spec.within_norm:
        description += " " + _("Darker bars are within the norm.")
    return bar_chart(chart_id=f"chart-{table.slug}", title=table.title, description=description, labels=labels,
                     figures=figures, percent=spec.percent, references=spec.references,
                     highlight=spec.within_norm)


def capacity_chart(forecast) -> SafeString:
    """P(start within 24 h) per number of coordinators, with the 80% and 95% lines."""
    labels = [_("%(n)s coordinators") % {"n": c} for c, _start, _contact in forecast.curve]
    figures = [Figure("share", p, 1000, 1000) for _c, p, _contact in forecast.curve]
    described = "; ".join(f"{label}: {f.display}" for label, f in zip(labels, figures, strict=True))
    return bar_chart(
        chart_id=f"chart-capacity-{forecast.region.pk}",
        title=_("Chance that a coordinator starts within 24 hours"),
        description=_("Forecast per number of available coordinators: %(values)s.") % {"values": described},
        labels=labels, figures=figures, percent=True,
        references=[(0.8, _("target")), (0.95, _("target"))],
        highlight={label for label, (c, *_rest) in zip(labels, forecast.curve, strict=True)
                   if c == forecast.coordinators},
    )


def join(parts) -> SafeString:
    return format_html_join("", "{}", ((p,) for p in parts))
