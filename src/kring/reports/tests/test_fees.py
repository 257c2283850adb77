"""Coordinator fees: the fee that applied on the day, the statement as PDF and CSV, and access."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from kring.audit.models import AccessLogEntry
from kring.reports.fees import statement
from kring.reports.models import CoordinatorFee
from kring.testing import factories as f

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def held(world):
    utrecht, limburg = f.region("utrecht"), f.region("limburg")
    CoordinatorFee.objects.create(region=utrecht, amount=Decimal("450.00"), valid_from=date(2025, 1, 1))
    CoordinatorFee.objects.create(region=utrecht, amount=Decimal("500.00"), valid_from=date(2025, 3, 15))
    CoordinatorFee.objects.create(region=limburg, amount=Decimal("400.00"), valid_from=date(2024, 1, 1))
    for day in (3, 14, 15, 31):
        f.CaseFactory(coordinator=world.coordinator, family=False,
                      held_at=datetime(2025, 3, day, 19, tzinfo=AMS))
    f.CaseFactory(coordinator=world.coordinator, family=False, municipality=f.municipality("Maastricht"),
                  held_at=datetime(2025, 3, 20, 19, tzinfo=AMS))
    f.CaseFactory(coordinator=world.coordinator, family=False, held_at=datetime(2025, 4, 1, 0, 30, tzinfo=AMS))
    f.CaseFactory(coordinator=world.stranger_coordinator, family=False,
                  held_at=datetime(2025, 3, 5, 19, tzinfo=AMS))
    return world


def test_the_fee_of_the_day_of_the_conference_applies(held):
    st = statement(held.coordinator, 2025, 3)
    assert [line["fee"] for line in st.lines] == [Decimal("450.00"), Decimal("450.00"), Decimal("500.00"),
                                                  Decimal("400.00"), Decimal("500.00")]
    assert st.total == Decimal("2300.00")


def test_the_coordinator_downloads_their_own_statement_as_csv(held, as_user):
    client = as_user(held.coordinator)
    response = client.get("/fees/statement/", {"month": "2025-03", "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[3] for r in rows[1:-1]] == ["450.00", "450.00", "500.00", "400.00", "500.00"]
    assert rows[-1][3] == "2300.00"
    assert AccessLogEntry.objects.filter(action="export", object_type="fee_statement").count() == 1


def test_the_pdf_holds_the_lines_and_the_total(held, as_user):
    response = as_user(held.coordinator).get("/fees/statement/", {"month": "2025-03", "format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "2.300,00" in text or "2,300.00" in text
    assert held.coordinator.display_name in text


def test_the_manager_sees_only_the_conferences_of_their_regions(held, as_user):
    client = as_user(held.manager)
    response = client.get("/fees/statement/", {"coordinator": held.coordinator.pk, "month": "2025-03",
                                               "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[-1][3] == "1900.00"  # without the conference in Limburg
    assert client.get("/fees/", {"month": "2025-03"}).status_code == 200


def test_strangers_get_404(held, as_user):
    params = {"coordinator": held.coordinator.pk, "month": "2025-03"}
    assert as_user(held.stranger_manager).get("/fees/statement/", params).status_code == 404
    assert as_user(held.stranger_coordinator).get("/fees/statement/", params).status_code == 404
    assert as_user(held.professional).get("/fees/statement/", params).status_code == 403
    assert as_user(held.coordinator).get("/fees/statement/", {"month": "2025-13"}).status_code == 404
