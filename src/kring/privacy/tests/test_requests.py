"""A family's request to destroy their file, and to correct it: recorded, decided, logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.cases.models import Case
from kring.privacy.models import (
    AnonymousCaseFigure,
    CorrectionStatus,
    Decision,
    DestructionException,
    DestructionRequest,
)
from kring.privacy.services import (
    correction_request_handle,
    correction_request_record,
    destroy_expired,
    destruction_request_decide,
    destruction_request_record,
)


def test_an_approved_request_is_carried_out_by_the_worker_and_the_record_remains(world):
    item = destruction_request_record(case=world.case, requested_by="Fatima el Amrani (moeder)",
                                      by=world.coordinator)
    assert item.due_at.date() >= (item.requested_at + timedelta(days=89)).date()
    destruction_request_decide(item=item, approve=True, reason="Geen reden om te bewaren.", by=world.manager)
    report = destroy_expired()
    assert report.requested == 1
    assert not Case.objects.filter(pk=world.case.pk).exists()
    assert AnonymousCaseFigure.objects.count() == 1
    item.refresh_from_db()
    assert item.case is None and item.case_reference == world.case.reference
    assert item.carried_out_at is not None and item.decision == Decision.APPROVED
    assert destroy_expired().requested == 0  # not twice


def test_refusing_needs_an_exception_and_a_reason_and_is_logged(world):
    item = destruction_request_record(case=world.case, requested_by="moeder", by=world.coordinator)
    with pytest.raises(ValidationError):
        destruction_request_decide(item=item, approve=False, exception="", reason="nee", by=world.manager)
    with pytest.raises(ValidationError):
        destruction_request_decide(item=item, approve=False, exception=DestructionException.LEGAL_DUTY,
                                   reason="", by=world.manager)
    destruction_request_decide(item=item, approve=False, exception=DestructionException.OTHER_PERSON,
                               reason="De zus van Yasmina heeft het dossier nodig.", by=world.manager)
    item.refresh_from_db()
    assert item.decision == Decision.REFUSED and item.decided_by == world.manager
    entry = AccessLogEntry.objects.filter(case_id=world.case.pk, object_type="destructionrequest",
                                          action="change").get()
    assert "refused" in entry.purpose and "other_person" in entry.purpose
    destroy_expired()
    assert Case.objects.filter(pk=world.case.pk).exists()


def test_only_the_regional_manager_decides_and_only_once(world):
    item = destruction_request_record(case=world.case, requested_by="moeder", by=world.coordinator)
    with pytest.raises(ValidationError):
        destruction_request_decide(item=item, approve=True, reason="ok", by=world.coordinator)
    destruction_request_decide(item=item, approve=True, reason="ok", by=world.manager)
    with pytest.raises(ValidationError):
        destruction_request_decide(item=item, approve=False, exception="legal_duty", reason="toch niet",
                                   by=world.manager)


def test_an_undecided_request_past_3_months_is_reported(world, caplog):
    item = destruction_request_record(case=world.case, requested_by="moeder", by=world.coordinator)
    DestructionRequest.objects.filter(pk=item.pk).update(due_at=timezone.now() - timedelta(days=1))
    report = destroy_expired()
    assert report.overdue_undecided == [world.case.reference]
    assert "3-month" in caplog.text


def test_a_correction_is_handled_by_the_coordinator_and_logged(world):
    Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    item = correction_request_record(case=world.case, requested_by="Fatima el Amrani",
                                     what="Geboortedatum van Yasmina", requested_change="14 maart 2015")
    with pytest.raises(ValidationError):
        correction_request_handle(item=item, corrected=True, response="", by=world.coordinator)
    with pytest.raises(ValidationError):
        correction_request_handle(item=item, corrected=True, response="Gedaan", by=world.professional)
    correction_request_handle(item=item, corrected=True, response="Aangepast.", by=world.coordinator)
    item.refresh_from_db()
    assert item.status == CorrectionStatus.CORRECTED and item.handled_by == world.coordinator
    actions = set(AccessLogEntry.objects.filter(object_type="correctionrequest").values_list("action", flat=True))
    assert actions == {"create", "change"}
