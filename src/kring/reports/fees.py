"""Coordinator fees: a monthly statement of the conferences a coordinator held, with the fee that
applied in the case's region on the day of the conference. As CSV and as PDF."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import (
    DateTimeField,
    DecimalField,
    ExpressionWrapper,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from kring.cases.models import Case
from kring.plans.document import FAMILY, FONT_FILES, font_path

from .models import CoordinatorFee


@dataclass
class Statement:
    coordinator: object
    year: int
    month: int
    lines: list[dict]

    @property
    def total(self) -> Decimal:
        return sum((line["fee"] or Decimal("0") for line in self.lines), Decimal("0"))

    @property
    def missing_fee(self) -> bool:
        return any(line["fee"] is None for line in self.lines)

    @property
    def label(self) -> str:
        return formats.date_format(date(self.year, self.month, 1), "F Y")

    @property
    def slug(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(date(year, month, 1), time.min))
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return start, timezone.make_aware(datetime.combine(nxt, time.min))


def conferences_of(coordinator, year: int, month: int, regions: QuerySet | None = None) -> QuerySet:
    start, end = month_bounds(year, month)
    qs = Case.objects.filter(coordinator=coordinator, held_at__gte=start, held_at__lt=end)
    if regions is not None:
        qs = qs.filter(region__in=regions)
    fee = (CoordinatorFee.objects.filter(region=OuterRef("region"), valid_from__lte=TruncDate(
        ExpressionWrapper(OuterRef("held_at"), output_field=DateTimeField())))
           .order_by("-valid_from").values("amount")[:1])
    return (qs.annotate(fee=Subquery(fee, output_field=DecimalField(max_digits=8, decimal_places=2)))
            .select_related("region").order_by("held_at", "id"))


def statement(coordinator, year: int, month: int, *, regions: QuerySet | None = None) -> Statement:
    lines = [{"held_on": timezone.localtime(c.held_at).date(), "reference": c.reference,
              "region": c.region.name, "fee": c.fee}
             for c in conferences_of(coordinator, year, month, regions)]
    return Statement(coordinator=coordinator, year=year, month=month, lines=lines)


def _money(value: Decimal | None) -> str:
    return "-" if value is None else formats.number_format(value, 2, use_l10n=True, force_grouping=True)


def statement_csv(st: Statement) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Date of the conference"), _("Case"), _("Region"), _("Fee (euro)")])
    for line in st.lines:
        writer.writerow([line["held_on"].isoformat(), line["reference"], line["region"],
                         "" if line["fee"] is None else f"{line['fee']:.2f}"])
    writer.writerow([_("Total"), "", "", f"{st.total:.2f}"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class StatementDocument(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        for style in FONT_FILES:
            self.add_font(FAMILY, style, str(font_path(style)))
        self.set_auto_page_break(True, margin=20)
        self.set_margins(20, 18, 20)
        self.alias_nb_pages("{nb}")

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")


def statement_pdf(st: Statement) -> bytes:
    generated = formats.date_format(timezone.localdate(), "j F Y")
    pdf = StatementDocument(_("Fee statement %(month)s · made on %(date)s") % {"month": st.label, "date": generated})
    pdf.add_page()
    pdf.set_title(_("Fee statement %(month)s") % {"month": st.label})
    pdf.set_font(FAMILY, "B", 18)
    pdf.multi_cell(0, 9, _("Fee statement %(month)s") % {"month": st.label}, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 11)
    pdf.multi_cell(0, 6, _("Coordinator: %(name)s") % {"name": st.coordinator.display_name},
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    widths = (40, 40, 50, 40)
    pdf.set_font(FAMILY, "B", 10)
    for width, text in zip(widths, (_("Date"), _("Case"), _("Region"), _("Fee (euro)")), strict=True):
        pdf.cell(width, 7, text, border="B", align="R" if text == _("Fee (euro)") else "L")
    pdf.ln(7)
    pdf.set_font(FAMILY, "", 10)
    for line in st.lines:
        pdf.cell(widths[0], 7, formats.date_format(line["held_on"], "j M Y"))
        pdf.cell(widths[1], 7, line["reference"])
        pdf.cell(widths[2], 7, line["region"])
        pdf.cell(widths[3], 7, _money(line["fee"]), align="R")
        pdf.ln(7)
    if not st.lines:
        pdf.cell(0, 7, _("No conferences held in this month."))
        pdf.ln(7)
    pdf.set_font(FAMILY, "B", 10)
    pdf.cell(sum(widths[:3]), 8, _("Total (%(count)s conferences)") % {"count": len(st.lines)}, border="T")
    pdf.cell(widths[3], 8, _money(st.total), border="T", align="R")
    pdf.ln(10)
    if st.missing_fee:
        pdf.set_font(FAMILY, "", 9)
        pdf.multi_cell(0, 5, _("For some conferences no fee was set for the region on that day. "
                               "Ask the administrator to add it."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
