"""The plan document: parsed back with pypdf."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import translation
from pypdf import PdfReader

from kring.audit.models import AccessLogEntry, Action
from kring.plans.document import is_rtl, render_plan_pdf

from .builders import ARABIC_WORDS, MEALS, NEVER_ALONE, TIGRINYA_NOTE, draft_plan


def _text(pdf: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, [page.extract_text() for page in reader.pages]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def version(pw):
    return draft_plan(pw.case, pw.circle, pw.coordinator)


def test_the_pdf_holds_the_plan_and_the_information_form(pw, version):
    _reader, pages = _text(render_plan_pdf(version, language="nl"))
    text = _flat(" ".join(pages))
    assert pw.case.reference in pages[0]
    assert "Familiegroepsplan" in pages[0]
    assert "Moeder zorgt voor ontbijt voor Yasmina." in text  # an agreement, exactly as written
    assert "Barbara el Amrani" in text
    # The information form follows as its own section, with its conditions.
    form_pages = [i for i, page in enumerate(pages) if "Informatieformulier" in page]
    assert form_pages and form_pages[0] > 0
    form_text = _flat(" ".join(pages[form_pages[0]:]))
    assert NEVER_ALONE in form_text and MEALS in form_text
    assert "Niet onderhandelbaar" in form_text


def test_non_latin_text_is_present_as_text(version):
    _reader, pages = _text(render_plan_pdf(version, language="nl"))
    text = " ".join(pages)
    assert ARABIC_WORDS in text
    assert "ትምህርቲ" in text  # Tigrinya
    assert TIGRINYA_NOTE.split()[0] in text
    assert "İpek dayı" in text  # Turkish


def test_every_page_is_numbered_page_x_of_y(version):
    reader, pages = _text(render_plan_pdf(version, language="nl"))
    total = len(reader.pages)
    assert total >= 2
    for number, page in enumerate(pages, start=1):
        assert f"pagina {number} van {total}" in page
        assert "versie 1" in page


def test_headings_follow_the_readers_language(version):
    _reader, pages = _text(render_plan_pdf(version, language="en"))
    text = " ".join(pages)
    assert "Family group plan" in text and "Information form" in text and "Not negotiable" in text
    assert "page 1 of" in text
    assert "Familiegroepsplan" not in text
    # The family's words are never translated.
    assert "Moeder zorgt voor ontbijt voor Yasmina." in _flat(text)


def test_the_pdf_leaves_the_interface_language_alone(version):
    with translation.override("en"):
        render_plan_pdf(version, language="nl")
        assert translation.get_language() == "en"


def test_right_to_left_is_detected_like_dir_auto():
    assert is_rtl(ARABIC_WORDS)
    assert is_rtl("  123 " + ARABIC_WORDS)
    assert not is_rtl("Tante Barbara " + ARABIC_WORDS)
    assert not is_rtl(TIGRINYA_NOTE)


@pytest.mark.parametrize("persona", ["manager", "coordinator", "professional", "linked_professional"])
def test_staff_download_the_pdf_and_it_is_logged_as_an_export(pw, version, as_user, persona):
    client = as_user(pw.world.by_name(persona))
    last = AccessLogEntry.objects.order_by("-id").values_list("pk", flat=True).first() or 0
    response = client.get(f"/cases/{pw.case.pk}/plan/pdf/?lang=en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"familiegroepsplan-{pw.case.reference}-v1.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    [row] = AccessLogEntry.objects.filter(pk__gt=last)
    assert (row.action, row.case_id) == (Action.EXPORT, pw.case.pk)


@pytest.mark.parametrize("persona", ["stranger_professional", "stranger_coordinator", "policy", "admin"])
def test_strangers_get_no_pdf(pw, version, as_user, persona):
    response = as_user(pw.world.by_name(persona)).get(f"/cases/{pw.case.pk}/plan/pdf/")
    assert response.status_code == 404


def test_an_older_version_can_be_downloaded(pw, version, as_user):
    draft_plan(pw.case, pw.circle, pw.coordinator)
    response = as_user(pw.coordinator).get(f"/cases/{pw.case.pk}/plan/pdf/?version=1")
    assert "-v1.pdf" in response["Content-Disposition"]
