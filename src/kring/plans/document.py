"""The plan document: a PDF with the plan exactly as the circle wrote it, the information form attached.

Rendered with fpdf2 and HarfBuzz (uharfbuzz) text shaping, so Arabic is joined
and runs right to left, and Ethiopic (Tigrinya) and Turkish show as written.
The font is Kurinto Sans (SIL Open Font License), which covers Latin, Arabic and
Ethiopic; it comes from the `weblate-fonts` package, nothing is downloaded.
Headings are in the reader's language; the family's text is never changed.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .models import InformationFormVersion, PlanVersion

FONT_PACKAGE = "weblate_fonts"
FONT_DIR = "static/weblate_fonts/kurinto/ttf"
FONT_FILES = {"": "KurintoSans-Rg.ttf", "B": "KurintoSans-Bd.ttf"}
FAMILY = "Kurinto"

RTL_CLASSES = {"R", "AL"}
STRONG_CLASSES = {"L", "R", "AL"}


@cache
def font_path(style: str = "") -> Path:
    """The TTF file of the installed `weblate-fonts` package for a style ('' or 'B')."""
    try:
        path = Path(str(resources.files(FONT_PACKAGE) / FONT_DIR / FONT_FILES[style]))
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installation
        raise ImproperlyConfigured("The plan PDF needs the 'weblate-fonts' package.") from exc
    if not path.exists():  # pragma: no cover
        raise ImproperlyConfigured(f"Font file missing: {path}")
    return path


def is_rtl(text: str) -> bool:
    """Whether the first strongly directional character is right-to-left (like dir="auto")."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in STRONG_CLASSES:
            return kind in RTL_CLASSES
    return False


def _date(value) -> str:
    return formats.date_format(value, "j F Y") if value else "-"


class PlanDocument(FPDF):
    def __init__(self, *, reference: str, version_number: int, generated: str) -> None:
        super().__init__(format="A4")
        self.reference = reference
        self.version_number = version_number
        self.generated = generated
        for style in FONT_FILES:
            self.add_font(FAMILY, style, str(font_path(style)))
        self.set_text_shaping(True)
        self.set_auto_page_break(True, margin=20)
        self.set_margins(20, 18, 20)
        self.alias_nb_pages("{nb}")

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90, 90, 90)
        text = _("%(reference)s · version %(version)s · %(date)s · page %(page)s of %(pages)s") % {
            "reference": self.reference, "version": self.version_number, "date": self.generated,
            "page": self.page_no(), "pages": "{nb}",
        }
        self.cell(0, 6, text, align="C")
        self.set_text_color(0, 0, 0)

    # -- building blocks ------------------------------------------------------------------

    def doc_title(self, text: str) -> None:
        self.set_font(FAMILY, "B", 18)
        self.multi_cell(0, 9, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def meta(self, lines: list[str]) -> None:
        self.set_font(FAMILY, "", 10)
        for line in lines:
            self.multi_cell(0, 5.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def heading(self, text: str) -> None:
        if self.will_page_break(20):
            self.add_page()
        self.set_font(FAMILY, "B", 13)
        self.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(0.5)

    def label(self, text: str) -> None:
        self.set_font(FAMILY, "B", 10)
        self.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def written(self, text: str, *, empty: str = "-") -> None:
        """Text as the family or the professional wrote it: every line, in its own direction."""
        self.set_font(FAMILY, "", 11)
        text = text or empty
        for paragraph in text.splitlines() or [""]:
            if not paragraph.strip():
                self.ln(3)
                continue
            self.multi_cell(0, 6, paragraph, align="R" if is_rtl(paragraph) else "L",
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def field(self, label: str, text: str) -> None:
        self.label(label)
        self.written(text)


def _plan_section(pdf: PlanDocument, version: PlanVersion) -> None:
    case = version.plan.case
    pdf.add_page()
    pdf.doc_title(_("Family group plan"))
    status = version.get_status_display()
    if version.decided_at:
        status = f"{status} ({_date(timezone.localtime(version.decided_at))})"
    pdf.meta([
        _("Case reference: %(reference)s") % {"reference": case.reference},
        _("Version %(number)s of %(date)s") % {
            "number": version.number, "date": _date(timezone.localtime(version.created_at))},
        _("Status: %(status)s") % {"status": status},
    ])

    pdf.heading(_("Questions and worries the plan answers"))
    pdf.written(version.concerns_answered)
    answers = list(version.answers.select_related("condition"))
    for answer in answers:
        if answer.condition:
            pdf.label(_("Safety condition: %(text)s") % {"text": answer.condition.text})
        else:
            pdf.label(_("Our answer"))
        pdf.written(answer.text)

    pdf.heading(_("Agreements"))
    agreements = list(version.agreements.select_related("who").prefetch_related("conditions"))
    if not agreements:
        pdf.written("", empty=_("No agreements yet."))
    for number, agreement in enumerate(agreements, start=1):
        who = agreement.who.name + (f" ({agreement.who.relation})" if agreement.who.relation else "")
        pdf.label(f"{number}. {who}")
        pdf.written(agreement.what)
        details = [_("When or how often: %(when)s") % {"when": agreement.when}]
        if agreement.starts_on or agreement.ends_on:
            details.append(_("From %(start)s until %(end)s") % {
                "start": _date(agreement.starts_on), "end": _date(agreement.ends_on)})
        conditions = [c.text for c in agreement.conditions.all()]
        if conditions:
            details.append(_("Meets these conditions: %(list)s") % {"list": "; ".join(conditions)})
        pdf.written("\n".join(details))

    pdf.heading(_("Help the family asks from professionals"))
    pdf.written(version.professional_help)
    pdf.heading(_("Who keeps an eye on the plan"))
    pdf.written(version.monitor.name if version.monitor else "")
    pdf.heading(_("Who calls the circle together"))
    pdf.written(version.convenor.name if version.convenor else "")
    pdf.heading(_("Evaluation date"))
    pdf.written(_date(version.evaluation_date))
    pdf.heading(_("How we keep each other informed"))
    pdf.written(version.keep_informed)
    pdf.heading(_("What we do when an agreement is not kept"))
    pdf.written(version.when_not_kept)
    pdf.heading(_("Who may receive a copy"))
    names = [m.name for m in version.copy_recipients.order_by("name")]
    names += [p.name + (f", {p.organisation}" if p.organisation else "")
              for p in version.copy_professionals.order_by("name")]
    pdf.written("\n".join(names))


def _information_section(pdf: PlanDocument, info: InformationFormVersion | None) -> None:
    pdf.add_page()
    pdf.doc_title(_("Information form"))
    if info is None:
        pdf.written("", empty=_("No information form was filled in for this case."))
        return
    pdf.meta([
        _("Version %(number)s of %(date)s, by %(name)s") % {
            "number": info.number, "date": _date(timezone.localtime(info.created_at)),
            "name": info.created_by.display_name},
    ])
    pdf.heading(_("Concerns"))
    pdf.written(info.concerns)
    pdf.heading(_("Safety conditions"))
    conditions = list(info.conditions.all())
    if not conditions:
        pdf.written("", empty=_("No safety conditions."))
    for number, condition in enumerate(conditions, start=1):
        pdf.label(f"{number}. " + (_("Not negotiable") if condition.non_negotiable else _("Negotiable")))
        pdf.written(condition.text)
    pdf.heading(_("What the plan will be tested against"))
    pdf.written(info.tested_against)
    pdf.heading(_("Help that is available"))
    pdf.written(info.help_available)


def render_plan_pdf(version: PlanVersion, *, language: str) -> bytes:
    """The plan document of one version, with headings in `language`."""
    from .services import information_form_of

    case = version.plan.case
    form = information_form_of(case)
    info = form.current if form else None
    with translation.override(language):
        pdf = PlanDocument(reference=case.reference, version_number=version.number,
                           generated=_date(timezone.localdate()))
        pdf.set_title(f"{_('Family group plan')} {case.reference} v{version.number}")
        pdf.set_lang(language)
        pdf.set_creator("Kring")
        _plan_section(pdf, version)
        _information_section(pdf, info)
        return bytes(pdf.output())


def pdf_filename(version: PlanVersion) -> str:
    return f"familiegroepsplan-{version.plan.case.reference}-v{version.number}.pdf"
