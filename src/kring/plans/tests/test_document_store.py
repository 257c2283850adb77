"""The plan PDF is built once per version and language, kept, and served again until what it
prints changes; the fonts are read once per process, not once per document."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from fpdf import FPDF
from pypdf import PdfReader

from kring.audit.models import AccessLogEntry, Action
from kring.cases.models import Case, State
from kring.network.models import CircleMember
from kring.plans import document
from kring.plans.document import needs_shaping, render_plan_pdf
from kring.plans.models import StoredPlanDocument
from kring.plans.services import plan_present
from kring.privacy.services import destroy_expired

from .builders import ARABIC_WORDS, TIGRINYA_NOTE, draft_plan


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


@pytest.fixture
def builds(monkeypatch):
    """Counts the PDFs actually laid out (not served from the store)."""
    calls: list[tuple[int, str]] = []
    real = document.build_plan_pdf

    def counting(content):
        calls.append((content.version_number, content.language))
        return real(content)

    monkeypatch.setattr(document, "build_plan_pdf", counting)
    return calls


@pytest.fixture
def version(pw):
    return draft_plan(pw.case, pw.circle, pw.coordinator)


def test_the_pdf_is_built_once_and_then_served_from_the_store(version, builds):
    first = render_plan_pdf(version, language="nl")
    second = render_plan_pdf(version, language="nl")
    assert builds == [(1, "nl")]
    assert second == first
    stored = StoredPlanDocument.objects.get(version=version, language="nl")
    assert bytes(stored.pdf) == first
    # What comes from the store is a whole, readable plan.
    text = _text(second)
    assert version.plan.case.reference in text
    assert "Familiegroepsplan" in text and "Informatieformulier" in text
    assert "Moeder zorgt voor ontbijt voor Yasmina." in text
    assert ARABIC_WORDS in text and TIGRINYA_NOTE.split()[0] in text


def test_each_language_has_its_own_stored_pdf(version, builds):
    render_plan_pdf(version, language="nl")
    english = render_plan_pdf(version, language="en")
    render_plan_pdf(version, language="en")
    assert builds == [(1, "nl"), (1, "en")]
    assert set(StoredPlanDocument.objects.values_list("language", flat=True)) == {"nl", "en"}
    assert "Family group plan" in _text(english) and "Familiegroepsplan" not in _text(english)


def test_a_new_version_gets_a_new_pdf(pw, version, builds):
    render_plan_pdf(version, language="nl")
    second = draft_plan(pw.case, pw.circle, pw.coordinator, keep_informed="Elke maandag bellen.")
    pdf = render_plan_pdf(second, language="nl")
    assert builds == [(1, "nl"), (2, "nl")]
    assert StoredPlanDocument.objects.filter(version__plan=version.plan).count() == 2
    text = _text(pdf)
    assert "versie 2" in text and "Elke maandag bellen." in text
    # The first version's stored PDF is still the first version.
    assert "versie 1" in _text(render_plan_pdf(version, language="nl"))
    assert len(builds) == 2


def test_the_pdf_is_made_again_when_what_it_prints_changes(pw, version, builds):
    """A version's words never change, but its status and the names of the people do."""
    render_plan_pdf(version, language="nl")
    plan_present(case=pw.case, by=pw.coordinator)
    version.refresh_from_db()
    presented = render_plan_pdf(version, language="nl")
    assert "Gepresenteerd" in _text(presented)
    CircleMember.objects.filter(pk=pw.circle.aunt.pk).update(name="Barbara el Amrani-Janssen")
    renamed = render_plan_pdf(version, language="nl")
    assert "Barbara el Amrani-Janssen" in _text(renamed)
    assert len(builds) == 3
    assert StoredPlanDocument.objects.filter(version=version).count() == 1  # replaced, not added
    assert render_plan_pdf(version, language="nl") == renamed
    assert len(builds) == 3


def test_each_download_is_still_logged_when_the_pdf_comes_from_the_store(pw, version, as_user, builds):
    client = as_user(pw.coordinator)
    last = AccessLogEntry.objects.order_by("-id").values_list("pk", flat=True).first() or 0
    first = client.get(f"/cases/{pw.case.pk}/plan/pdf/?lang=nl")
    second = client.get(f"/cases/{pw.case.pk}/plan/pdf/?lang=nl")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and second.content.startswith(b"%PDF")
    assert len(builds) == 1
    rows = AccessLogEntry.objects.filter(pk__gt=last, action=Action.EXPORT)
    assert [r.purpose for r in rows] == ["plan document: version 1 (nl)"] * 2


def test_strangers_still_get_no_stored_pdf(pw, version, as_user):
    render_plan_pdf(version, language="nl")
    response = as_user(pw.world.stranger_coordinator).get(f"/cases/{pw.case.pk}/plan/pdf/?lang=nl")
    assert response.status_code == 404


def test_destroying_the_case_file_deletes_its_stored_pdfs(pw, version):
    render_plan_pdf(version, language="nl")
    render_plan_pdf(version, language="en")
    assert StoredPlanDocument.objects.filter(version__plan__case=pw.case).count() == 2
    Case.objects.filter(pk=pw.case.pk).update(
        state=State.CLOSED, closed_at=timezone.now() - timedelta(days=365 * 20 + 10))
    assert destroy_expired().expired == 1
    assert not StoredPlanDocument.objects.exists()


def test_building_a_pdf_does_not_read_the_font_files_again(version, monkeypatch):
    render_plan_pdf(version, language="nl")  # the fonts are loaded for this process

    def refuse(*args, **kwargs):
        raise AssertionError("the font file was parsed again")

    monkeypatch.setattr(FPDF, "add_font", refuse)
    content = document.plan_document_content(version, language="en")
    assert "Family group plan" in _text(document.build_plan_pdf(content))


def test_only_text_that_needs_it_is_shaped():
    assert not needs_shaping("Moeder zorgt voor ontbijt, “één” keer — İpek dayı, ĳs, ß, 10 €")
    assert needs_shaping(ARABIC_WORDS)
    assert needs_shaping(TIGRINYA_NOTE)
    assert needs_shaping("Tante Barbara " + ARABIC_WORDS)
    assert needs_shaping("e\u0301")  # a combining accent is placed by HarfBuzz
