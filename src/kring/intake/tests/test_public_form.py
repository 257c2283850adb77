"""The public request form: careful validation, nothing saved on error, routing by municipality."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.cases.models import Case, CasePerson, CaseProfessional
from kring.testing.helpers import run_worker


def _formset(prefix: str, rows: list[dict], total: int) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "10"}
    for i, r in enumerate(rows):
        for k, v in r.items():
            data[f"{prefix}-{i}-{k}"] = v
    return data


def valid_public_post(**overrides) -> dict:
    data = {
        "requester_kind": "parent",
        "requester_name": "Samira Bakkali",
        "requester_email": "samira@example.org",
        "requester_phone": "",
        "municipality": "Zaanstad",
        "situation": "Ik ben alleen met drie kinderen en het lukt niet meer.",
        "legal_frame": "voluntary",
        "trigger_moment": "waiting_list",
        "urgency": "normal",
        "pref_gender": "f",
        "pref_language": "ar",
        "website": "",
        **_formset("parent", [{"name": "Samira Bakkali", "birth_date": "1988-05-01"}], 2),
        **_formset("child", [{"name": "Noor", "birth_date": "2016-02-10"},
                             {"name": "Adam", "birth_date": "2019-09-23"}], 4),
    }
    data.update(overrides)
    return data


def _counts():
    return (Case.objects.count(), CasePerson.objects.count(), CaseProfessional.objects.count())


@pytest.mark.django_db
def test_a_valid_request_creates_a_case_routed_by_municipality_and_confirms_by_mail(client):
    response = client.post("/request/", valid_public_post())
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.region.code == "amsterdam"  # Zaanstad is in the Stadsregio Amsterdam
    assert case.state == "request" and case.channel == "public"
    assert [p.name for p in case.persons.order_by("role", "birth_date")] == ["Noor", "Adam", "Samira Bakkali"] or \
        case.persons.count() == 3
    assert case.next_deadline_at == case.submitted_at + timedelta(hours=24)
    thanks = client.get(response["Location"]).content.decode()
    assert case.reference in thanks
    run_worker()
    assert {tuple(m.to) for m in mail.outbox} == {("samira@example.org",), ("amsterdam@eigen-kracht.nl",)}
    confirmation = next(m for m in mail.outbox if m.to == ["samira@example.org"])
    assert case.reference in confirmation.subject and case.reference in confirmation.body


@pytest.mark.django_db
@pytest.mark.parametrize("municipality,region", [("Rotterdam", "rotterdam"), ("Delft", "zuid-holland"),
                                                 ("Beemster", "amsterdam"), ("Haarlem", "noord-holland"),
                                                 ("Leeuwarden", "friesland"), ("Almere", "flevoland")])
def test_requests_are_routed_to_the_region_of_the_municipality(client, municipality, region):
    assert client.post("/request/", valid_public_post(municipality=municipality)).status_code == 302
    assert Case.objects.get().region.code == region


BAD_INPUT = [
    ({"municipality": "Atlantis"}, "municipality", "Atlantis"),
    ({"requester_email": "geen-mail"}, "requester_email", None),
    ({"requester_phone": "12345", "phone_consent": "on"}, "requester_phone", None),
    ({"requester_phone": "0612345678"}, "phone_consent", None),
    ({"situation": ""}, "situation", None),
    ({"legal_frame": "martial_law"}, "legal_frame", None),
    ({"child-0-birth_date": (timezone.localdate() + timedelta(days=3)).isoformat()}, "child-0-birth_date", None),
    ({"child-0-birth_date": ""}, "child-0-birth_date", None),
    ({"parent-0-name": ""}, "parent", None),
    ({"parent-0-phone": "0612345678"}, "parent-0-phone", None),
    ({"child-0-phone": "0612345678"}, "child-0-phone", None),
    ({"language_required": "on", "pref_language": ""}, "pref_language", None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "field", "echo"), BAD_INPUT)
def test_bad_input_gets_a_message_next_to_the_field_and_saves_nothing(client, change, field, echo):
    before = _counts()
    log_before = AccessLogEntry.objects.count()
    response = client.post("/request/", valid_public_post(**change))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist"' in html
    if field not in ("parent",):
        assert f'id="id_{field}_error"' in html, f"no error next to {field}"
    if echo:
        assert echo in html
    assert _counts() == before
    assert AccessLogEntry.objects.count() == log_before


@pytest.mark.django_db
def test_errors_are_translated(client):
    response = client.post("/request/", valid_public_post(municipality="Atlantis"), HTTP_ACCEPT_LANGUAGE="nl")
    assert "gemeente" in response.content.decode().lower()


@pytest.mark.django_db
def test_the_honeypot_stops_bots_and_saves_nothing(client):
    response = client.post("/request/", valid_public_post(website="http://spam.example"))
    assert response.status_code == 400
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_a_phone_number_with_consent_is_stored_in_international_form(client):
    response = client.post("/request/", valid_public_post(**{"parent-0-phone": "06 12345678",
                                                             "phone_consent": "on"}))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.phone_consent and case.phone_consent_at is not None
    assert case.persons.get(role="parent").phone == "+31612345678"


@pytest.mark.django_db
def test_the_thanks_page_without_a_request_goes_back_to_the_form(client):
    assert client.get("/request/thanks/")["Location"] == "/request/"
