"""The family's right of access: a readable PDF and machine-readable JSON of everything."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from kring.audit.models import AccessLogEntry
from kring.cases.models import CasePerson, PersonRole
from kring.plans.tests.builders import draft_plan, held_case_with_form
from kring.privacy.export import case_export


@pytest.fixture
def full_case(world):
    pw = held_case_with_form(world)
    draft_plan(pw.case, pw.circle, world.coordinator)
    CasePerson.objects.create(case=pw.case, role=PersonRole.PARENT, name="Karim el Amrani",
                              phone="+31612345678", email="karim@example.org", is_main_person=True)
    return pw


def test_the_export_holds_the_family_the_plan_and_the_access_log(full_case):
    case = full_case.case
    mother = case.persons.get(name="Fatima el Amrani")
    pdf, data = case_export(case, mother)
    json.dumps(data)  # serialisable as is
    sections = data["sections"]
    for label in ("cases.case", "cases.caseperson", "network.circlemember", "plans.planversion",
                  "plans.agreement", "plans.informationformversion", "plans.safetycondition",
                  "audit.accesslogentry"):
        assert sections.get(label), label
    names = {p["name"] for p in sections["cases.caseperson"]}
    assert {"Fatima el Amrani", "Yasmina el Amrani"} <= names
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Yasmina" in text and case.reference in text


def test_other_peoples_contact_details_are_left_out(full_case):
    case = full_case.case
    mother = case.persons.get(name="Fatima el Amrani")
    _pdf, data = case_export(case, mother)
    flat = json.dumps(data)
    assert "karim@example.org" not in flat and "+31612345678" not in flat  # the other parent
    assert "omar@example.org" not in flat  # an uncle in the circle
    child = next(p for p in data["sections"]["cases.caseperson"] if p["name"] == "Yasmina el Amrani")
    assert child["birth_date"] == "2015-03-14"  # her own child's data is there
    assert "nonce" not in flat


def test_the_export_is_logged_and_only_for_a_main_person(full_case):
    case = full_case.case
    child = case.persons.get(role=PersonRole.CHILD)
    with pytest.raises(ValueError):
        case_export(case, child)
    case_export(case, case.persons.get(name="Fatima el Amrani"))
    assert AccessLogEntry.objects.filter(case_id=case.pk, action="export").count() == 1


def test_the_coordinator_downloads_pdf_and_json(full_case, as_user):
    case = full_case.case
    client = as_user(full_case.coordinator)
    mother = case.persons.get(name="Fatima el Amrani")
    response = client.get(f"/cases/{case.pk}/export/?person={mother.pk}&format=json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"] and "Fatima" not in response["Content-Disposition"]
    assert json.loads(response.content)["for_person"] == mother.pk
    response = client.get(f"/cases/{case.pk}/export/?person={mother.pk}&format=pdf")
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    page = client.get(f"/cases/{case.pk}/export/")  # without a format: the choice, no download
    assert page.status_code == 200 and b"format=json" in page.content
    assert "no-store" in response["Cache-Control"]


def test_a_person_of_another_case_cannot_be_exported_through_this_case(full_case, as_user):
    from kring.testing import factories as f

    other = f.CaseFactory()
    stranger_person = other.persons.get(is_main_person=True)
    client = as_user(full_case.coordinator)
    response = client.get(f"/cases/{full_case.case.pk}/export/?person={stranger_person.pk}&format=json")
    assert response.status_code == 404
