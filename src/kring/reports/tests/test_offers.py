"""The offer-moment register: recording, the reminder to offer again, and who may do it."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from kring.audit.models import AccessLogEntry
from kring.cases.models import LegalFrame
from kring.reports.models import Offer
from kring.reports.offers import offer_record, offers_due
from kring.testing import factories as f


@pytest.fixture
def frozen():
    with time_machine.travel("2026-02-02 10:00 +01:00", tick=False) as traveller:
        yield traveller


def post(client, case, **data):
    values = {"moment": "intake", "offered_on": "2026-02-02", "answer": "not_now", "reason": "bad_timing",
              "offer_again_on": "2026-03-02", "exemption": ""}
    values.update(data)
    return client.post(f"/cases/{case.pk}/offers/new/", values)


def test_the_professional_records_an_offer_and_is_reminded_on_the_day(frozen, world, as_user):
    client = as_user(world.linked_professional)
    response = post(client, world.case)
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert (offer.answer, offer.organisation, offer.municipality_id) == (
        "not_now", world.linked_professional.organisation, world.case.municipality_id)
    assert AccessLogEntry.objects.filter(action="create", case_id=world.case.pk).count() == 1
    assert client.get("/offers/").context["due"] == []
    frozen.move_to("2026-03-02 09:00 +01:00")
    client = as_user(world.linked_professional)
    response = client.get("/offers/")
    assert response.context["due"] == [offer]
    assert world.case.reference in response.content.decode()
    assert list(offers_due(world.linked_professional)) == [offer]
    assert client.post("/offers/done/", {"offer": offer.pk}).status_code == 302
    assert list(offers_due(world.linked_professional)) == []


def test_a_new_offer_closes_the_earlier_reminder(frozen, world):
    first = offer_record(case=world.case, by=world.professional, moment="intake", answer="not_now",
                         offer_again_on=date(2026, 2, 10))
    offer_record(case=world.case, by=world.professional, moment="start_help", answer="yes")
    first.refresh_from_db()
    assert first.reminder_done_at is not None


def test_no_needs_a_reason_and_not_now_a_date(frozen, world, as_user):
    client = as_user(world.professional)
    assert post(client, world.case, answer="no", reason="").status_code == 422
    assert post(client, world.case, answer="not_now", offer_again_on="").status_code == 422
    assert post(client, world.case, offer_again_on="2026-01-01").status_code == 422
    assert not Offer.objects.exists()


def test_yes_needs_no_reason_and_no_reminder(frozen, world):
    offer = offer_record(case=world.case, by=world.professional, moment="intake", answer="yes",
                         reason="shame", offer_again_on=date(2026, 5, 1))
    assert (offer.reason, offer.offer_again_on) == ("", None)


def test_youth_probation_is_marked_as_not_required(frozen, world, as_user):
    world.case.legal_frame = LegalFrame.JR
    world.case.save(update_fields=["legal_frame"])
    response = as_user(world.professional).get(f"/cases/{world.case.pk}/offers/new/")
    assert response.context["form"].initial["exemption"] == "jr"


def test_only_professionals_of_the_case_record_offers(frozen, world, as_user):
    assert post(as_user(world.stranger_professional), world.case).status_code == 404
    assert post(as_user(world.manager), world.case).status_code == 403
    assert post(as_user(world.policy), world.case).status_code == 404
    with pytest.raises(ValidationError):
        offer_record(case=world.case, by=world.manager, moment="intake", answer="yes")
    assert not Offer.objects.exists()


def test_nobody_else_can_dismiss_my_reminder(frozen, world, as_user):
    offer = offer_record(case=world.case, by=world.professional, moment="intake", answer="not_now",
                         offer_again_on=date(2026, 2, 10))
    assert as_user(world.linked_professional).post("/offers/done/", {"offer": offer.pk}).status_code == 404
    offer.refresh_from_db()
    assert offer.reminder_done_at is None


def test_my_organisations_figures_are_hidden_below_5(frozen, world, as_user):
    for _ in range(3):
        offer_record(case=f.CaseFactory(referred_by=world.professional), by=world.professional,
                     moment="intake", answer="yes")
    page = as_user(world.professional).get("/offers/").content.decode()
    assert "&lt;5" in page
