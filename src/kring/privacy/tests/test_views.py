"""The privacy page of a case: coordinator and regional manager record and handle requests."""

from __future__ import annotations

from kring.cases.models import Case
from kring.privacy.models import CorrectionRequest, Decision, DestructionRequest


def _assigned(world):
    Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    return world


def test_the_coordinator_records_a_correction_and_answers_it(world, as_user):
    _assigned(world)
    client = as_user(world.coordinator)
    url = f"/cases/{world.case.pk}/privacy/"
    response = client.post(url, {"action": "record_correction", "requested_by": "moeder",
                                 "what": "Adres", "requested_change": "Nieuwe straat 1"})
    assert response.status_code == 302
    item = CorrectionRequest.objects.get()
    client.post(url, {"action": "handle_correction", "item": item.pk, "corrected": "yes",
                      "response": "Aangepast."})
    item.refresh_from_db()
    assert item.status == "corrected"
    assert b"Nieuwe straat 1" in client.get(url).content


def test_the_manager_decides_on_destruction_and_the_coordinator_cannot(world, as_user):
    _assigned(world)
    client = as_user(world.coordinator)
    url = f"/cases/{world.case.pk}/privacy/"
    client.post(url, {"action": "record_destruction", "requested_by": "moeder"})
    item = DestructionRequest.objects.get()
    client.post(url, {"action": "decide_destruction", "item": item.pk, "approve": "yes", "reason": "ok"})
    item.refresh_from_db()
    assert item.decision == Decision.PENDING
    client = as_user(world.manager)
    client.post(url, {"action": "decide_destruction", "item": item.pk, "approve": "no",
                      "exception": "legal_duty", "reason": "Lopende ondertoezichtstelling."})
    item.refresh_from_db()
    assert item.decision == Decision.REFUSED


def test_an_item_of_another_case_is_a_404(world, as_user):
    from kring.privacy.services import correction_request_record
    from kring.testing import factories as f

    _assigned(world)
    other = correction_request_record(case=f.CaseFactory(), requested_by="x", what="y", requested_change="z")
    client = as_user(world.coordinator)
    response = client.post(f"/cases/{world.case.pk}/privacy/", {
        "action": "handle_correction", "item": other.pk, "corrected": "yes", "response": "r"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "open"
