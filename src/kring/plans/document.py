"""The plan document: a PDF with the plan exactly as the circle wrote it, the information form attached.

Rendered with fpdf2 and HarfBuzz (uharfbuzz) text shaping, so Arabic is joined
and runs right to left, and Ethiopic (Tigrinya) and Turkish show as written.
The font is Kurinto Sans (SIL Open Font License), which covers Latin, Arabic and
Ethiopic; it comes from the `weblate-fonts` package, nothing is downloaded, and it
is read once per process (`fonts.py`).
Headings are in the reader's language; the family's text is never changed.

Making a PDF is split in two: `plan_document_content` reads the database and
writes down every line the document prints (in the reader's language), and
`build_plan_pdf` lays those lines out. A hash of the lines is the document's
fingerprint: `render_plan_pdf` keeps each built PDF (`StoredPlanDocument`, per
version and language) and serves it again while the fingerprint is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from kring.network.models import CircleMember

from . import fonts
from .fonts import FONT_FILES, font_path
from .models import InformationFormVersion, PlanVersion, StoredPlanDocument
from .services import (
    INFORMATION_CONDITIONS,
    VERSION_ANSWERS,
    VERSION_PROFESSIONAL_NAMES,
    VERSION_RECIPIENT_NAMES,
    agreement_rows,
)

__all__ = [
    "FAMILY",
    "FONT_FILES",
    "build_plan_pdf",
    "font_path",
    "is_rtl",
    "pdf_filename",
    "plan_document_content",
    "render_plan_pdf",
]

FAMILY = "Kurinto"
#: Part of every fingerprint: raise it when the layout code changes, so stored PDFs are made again.
LAYOUT_VERSION = 1

RTL_CLASSES = {"R", "AL"}
STRONG_CLASSES = {"L", "R", "AL"}


def is_rtl(text: str) -> bool:
    """Whether the first strongly directional character is right-to-left (like dir="auto")."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in STRONG_CLASSES:
            return kind in RTL_CLASSES
    return False


#: Characters that show right without HarfBuzz: Latin with its precomposed accents, spacing
#: modifiers, general punctuation and currency signs. Anything else (combining accents,
#: Arabic, Hebrew, Ethiopic, Indic scripts, ...) is shaped.
PLAIN_RANGES = ((0x0000, 0x02FF), (0x2000, 0x206F), (0x20A0, 0x20CF))


def needs_shaping(text: str) -> bool:
    """Whether `text` needs HarfBuzz (joining, reordering, marks) to show as written."""
    return any(not any(low <= ord(char) <= high for low, high in PLAIN_RANGES) for char in text)


def _date(value) -> str:
    return formats.date_format(value, "j F Y") if value else "-"


@dataclass
class PlanDocumentContent:
    """Every line of one plan document, in the reader's language, ready to be laid out.

    `ops` is a list of drawing steps: ``["page"]``, ``["title", text]``, ``["meta", lines]``,
    ``["heading", text]``, ``["label", text]``, ``["written", text, text_when_empty]``.
    """

    language: str
    reference: str
    version_number: int
    title: str
    footer: str  # with %(reference)s, %(version)s, %(date)s, %(page)s and %(pages)s
    generated: str  # the day it is built; not part of the fingerprint
    ops: list[list] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """A hash of everything the document prints, except the day it was built."""
        payload = [LAYOUT_VERSION, self.language, self.reference, self.version_number, self.title,
                   self.footer, self.ops]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()

    # -- writing the lines down -----------------------------------------------------------

    def page(self) -> None:
        self.ops.append(["page"])

    def doc_title(self, text: str) -> None:
        self.ops.append(["title", str(text)])

    def meta(self, lines: list[str]) -> None:
        self.ops.append(["meta", [str(line) for line in lines]])

    def heading(self, text: str) -> None:
        self.ops.append(["heading", str(text)])

    def label(self, text: str) -> None:
        self.ops.append(["label", str(text)])

    def written(self, text: str, *, empty: str = "-") -> None:
        self.ops.append(["written", text or "", str(empty)])


class PlanDocument(FPDF):
    def __init__(self, content: PlanDocumentContent) -> None:
        super().__init__(format="A4")
        self.content = content
        fonts.add_fonts(self, FAMILY)
        self.set_auto_page_break(True, margin=20)
        self.set_margins(20, 18, 20)
        self.alias_nb_pages("{nb}")

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90, 90, 90)
        text = self.content.footer % {
            "reference": self.content.reference, "version": self.content.version_number,
            "date": self.content.generated, "page": self.page_no(), "pages": "{nb}",
        }
        self.set_text_shaping(needs_shaping(text))
        self.cell(0, 6, text, align="C")
        self.set_text_color(0, 0, 0)

    def output(self, *args, **kwargs):
        fonts.prepare_output(self, FAMILY)
        return super().output(*args, **kwargs)

    # -- building blocks ------------------------------------------------------------------

    def draw(self, op: list) -> None:
        kind, *args = op
        {"page": self.add_page, "title": self.doc_title, "meta": self.meta, "heading": self.heading,
         "label": self.label, "written": self.written}[kind](*args)

    def lines(self, height: float, text: str, **kwargs) -> None:
        """`multi_cell`, shaped by HarfBuzz only when the text needs it (shaping every line
        of Latin text made building a plan three times slower, for kerning alone)."""
        self.set_text_shaping(needs_shaping(text))
        self.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, **kwargs)

    def doc_title(self, text: str) -> None:
        self.set_font(FAMILY, "B", 18)
        self.lines(9, text)
        self.ln(1)

    def meta(self, lines: list[str]) -> None:
        self.set_font(FAMILY, "", 10)
        for line in lines:
            self.lines(5.5, line)
        self.ln(3)

    def heading(self, text: str) -> None:
        if self.will_page_break(20):
            self.add_page()
        self.set_font(FAMILY, "B", 13)
        self.lines(7, text)
        self.ln(0.5)

    def label(self, text: str) -> None:
        self.set_font(FAMILY, "B", 10)
        self.lines(5.5, text)

    def written(self, text: str, empty: str = "-") -> None:
        """Text as the family or the professional wrote it: every line, in its own direction."""
        self.set_font(FAMILY, "", 11)
        text = text or empty
        for paragraph in text.splitlines() or [""]:
            if not paragraph.strip():
                self.ln(3)
                continue
            self.lines(6, paragraph, align="R" if is_rtl(paragraph) else "L")
        self.ln(2)


def _plan_section(doc: PlanDocumentContent, version: PlanVersion) -> None:
    case = version.plan.case
    doc.page()
    doc.doc_title(_("Family group plan"))
    status = version.get_status_display()
    if version.decided_at:
        status = f"{status} ({_date(timezone.localtime(version.decided_at))})"
    doc.meta([
        _("Case reference: %(reference)s") % {"reference": case.reference},
        _("Version %(number)s of %(date)s") % {
            "number": version.number, "date": _date(timezone.localtime(version.created_at))},
        _("Status: %(status)s") % {"status": status},
    ])

    doc.heading(_("Questions and worries the plan answers"))
    doc.written(version.concerns_answered)
    for text, condition_id, condition in VERSION_ANSWERS(version.pk):
        if condition_id:
            doc.label(_("Safety condition: %(text)s") % {"text": condition})
        else:
            doc.label(_("Our answer"))
        doc.written(text)

    doc.heading(_("Agreements"))
    agreements = agreement_rows(version)
    if not agreements:
        doc.written("", empty=_("No agreements yet."))
    for number, agreement in enumerate(agreements, start=1):
        who = agreement.who + (f" ({agreement.relation})" if agreement.relation else "")
        doc.label(f"{number}. {who}")
        doc.written(agreement.what)
        details = [_("When or how often: %(when)s") % {"when": agreement.when}]
        if agreement.starts_on or agreement.ends_on:
            details.append(_("From %(start)s until %(end)s") % {
                "start": _date(agreement.starts_on), "end": _date(agreement.ends_on)})
        if agreement.conditions:
            details.append(_("Meets these conditions: %(list)s") % {"list": "; ".join(agreement.conditions)})
        doc.written("\n".join(details))

    monitor, convenor = _monitor_and_convenor(version)
    doc.heading(_("Help the family asks from professionals"))
    doc.written(version.professional_help)
    doc.heading(_("Who keeps an eye on the plan"))
    doc.written(monitor)
    doc.heading(_("Who calls the circle together"))
    doc.written(convenor)
    doc.heading(_("Evaluation date"))
    doc.written(_date(version.evaluation_date))
    doc.heading(_("How we keep each other informed"))
    doc.written(version.keep_informed)
    doc.heading(_("What we do when an agreement is not kept"))
    doc.written(version.when_not_kept)
    doc.heading(_("Who may receive a copy"))
    names = [name for (name,) in VERSION_RECIPIENT_NAMES(version.pk)]
    names += [name + (f", {organisation}" if organisation else "")
              for name, organisation in VERSION_PROFESSIONAL_NAMES(version.pk)]
    doc.written("\n".join(names))


def _monitor_and_convenor(version: PlanVersion) -> tuple[str, str]:
    """The names of who keeps an eye on the plan and who calls the circle together ("" for nobody):
    from the version when the caller read them with it, else in one query for both."""
    ids = {version.monitor_id, version.convenor_id} - {None}
    cached = PlanVersion.monitor.is_cached(version) and PlanVersion.convenor.is_cached(version)
    if cached or not ids:
        names = {m.pk: m.name for m in (version.monitor, version.convenor) if m is not None}
    else:
        names = dict(CircleMember.objects.filter(pk__in=ids).values_list("pk", "name"))
    return names.get(version.monitor_id, ""), names.get(version.convenor_id, "")


def _information_section(doc: PlanDocumentContent, info: InformationFormVersion | None) -> None:
    doc.page()
    doc.doc_title(_("Information form"))
    if info is None:
        doc.written("", empty=_("No information form was filled in for this case."))
        return
    doc.meta([
        _("Version %(number)s of %(date)s, by %(name)s") % {
            "number": info.number, "date": _date(timezone.localtime(info.created_at)),
            "name": info.created_by.display_name},
    ])
    doc.heading(_("Concerns"))
    doc.written(info.concerns)
    doc.heading(_("Safety conditions"))
    conditions = INFORMATION_CONDITIONS(info.pk)
    if not conditions:
        doc.written("", empty=_("No safety conditions."))
    for number, (_pk, _version, _order, text, non_negotiable) in enumerate(conditions, start=1):
        doc.label(f"{number}. " + (_("Not negotiable") if non_negotiable else _("Negotiable")))
        doc.written(text)
    doc.heading(_("What the plan will be tested against"))
    doc.written(info.tested_against)
    doc.heading(_("Help that is available"))
    doc.written(info.help_available)


def plan_document_content(version: PlanVersion, *, language: str) -> PlanDocumentContent:
    """Everything the plan document of one version prints, with headings in `language`."""
    case = version.plan.case
    info = (InformationFormVersion.objects.filter(form__case=case).select_related("created_by")
            .order_by("-number").first())
    with translation.override(language):
        doc = PlanDocumentContent(
            language=language, reference=case.reference, version_number=version.number,
            title=f"{_('Family group plan')} {case.reference} v{version.number}",
            footer=_("%(reference)s · version %(version)s · %(date)s · page %(page)s of %(pages)s"),
            generated=_date(timezone.localdate()),
        )
        _plan_section(doc, version)
        _information_section(doc, info)
    return doc


def build_plan_pdf(content: PlanDocumentContent) -> bytes:
    """Lay the lines out as a PDF (a fraction of a second once the fonts are loaded)."""
    with fonts.BUILD_LOCK, translation.override(content.language):
        pdf = PlanDocument(content)
        pdf.set_title(content.title)
        pdf.set_lang(content.language)
        pdf.set_creator("Kring")
        for op in content.ops:
            pdf.draw(op)
        return bytes(pdf.output())


def render_plan_pdf(version: PlanVersion, *, language: str) -> bytes:
    """The plan document of one version, with headings in `language`.

    Served from `StoredPlanDocument` when nothing it prints has changed since it was
    built (the fingerprint); otherwise built now and stored for the next reader. The
    caller checks access and writes the access log, stored or not.
    """
    content = plan_document_content(version, language=language)
    fingerprint = content.fingerprint
    stored = (StoredPlanDocument.objects.filter(version=version, language=language, fingerprint=fingerprint)
              .values_list("pdf", flat=True).first())
    if stored is not None:
        return bytes(stored)
    pdf = build_plan_pdf(content)
    if len(language) <= StoredPlanDocument._meta.get_field("language").max_length:
        _store(version, language, fingerprint, pdf)
    return pdf


def _store(version: PlanVersion, language: str, fingerprint: str, pdf: bytes) -> None:
    try:
        with transaction.atomic():
            StoredPlanDocument.objects.update_or_create(
                version=version, language=language,
                defaults={"fingerprint": fingerprint, "pdf": pdf, "built_at": timezone.now()},
            )
    except IntegrityError:  # another request stored it at the same moment; theirs is as good
        pass


def pdf_filename(version: PlanVersion) -> str:
    return f"familiegroepsplan-{version.plan.case.reference}-v{version.number}.pdf"
