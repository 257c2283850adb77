"""The accepted plan goes by e-mail to exactly the copy recipients, once per version and address."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from kring.plans.models import Distribution
from kring.plans.services import PlanRefused, plan_decide, plan_distribute, plan_test_condition
from kring.plans.tasks import send_plan_copies
from kring.testing.helpers import run_worker

from .builders import ARABIC_WORDS, presented_plan


@pytest.fixture
def accepted(pw):
    version = presented_plan(pw)
    for condition in pw.conditions():
        plan_test_condition(version=version, condition=condition, met=True, reason="In afspraak 1.",
                            by=pw.professional)
    plan_decide(case=pw.case, by=pw.professional, accept=True)
    version.refresh_from_db()
    return version


def _attachment(message) -> tuple[str, bytes]:
    [part] = [p for p in message.walk() if p.get_content_disposition() == "attachment"]
    return part.get_content_type(), part.get_payload(decode=True)


def test_the_plan_reaches_exactly_the_copy_recipients(pw, accepted, smtp_server):
    queued = plan_distribute(version=accepted, by=pw.coordinator)
    # Mother, aunt (address in lower case) and the linked professional; the neighbour has no
    # e-mail address and the uncle is not a copy recipient.
    expected = {"fatima@example.org", "barbara@example.org", "jhv@example.org"}
    assert {d.email for d in queued} == expected
    assert smtp_server.messages == []  # nothing is sent in the request itself
    run_worker()
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(expected)
    for message in smtp_server.messages:
        assert pw.case.reference in message["Subject"]
        assert "," not in message["To"] and not message["Cc"]  # nobody sees the other addresses
        content_type, pdf = _attachment(message)
        assert content_type == "application/pdf" and pdf.startswith(b"%PDF")
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert pw.case.reference in text and ARABIC_WORDS in text
    sent = Distribution.objects.filter(version=accepted)
    assert {d.email for d in sent} == expected and all(d.sent_at for d in sent)
    aunt = sent.get(email="barbara@example.org")
    assert (aunt.member, aunt.version.number) == (pw.circle.aunt, 1)


def test_each_address_gets_each_version_once(pw, accepted, smtp_server):
    plan_distribute(version=accepted, by=pw.coordinator)
    run_worker()
    assert plan_distribute(version=accepted, by=pw.coordinator) == []  # nobody new
    send_plan_copies.call(version_id=accepted.pk)  # a second worker run for the same version
    run_worker()
    assert len(smtp_server.messages) == 3
    assert Distribution.objects.filter(version=accepted).count() == 3


def test_a_claimed_copy_is_not_sent_by_a_second_worker(pw, accepted, smtp_server):
    from django.utils import timezone

    plan_distribute(version=accepted, by=pw.coordinator)
    Distribution.objects.filter(email="fatima@example.org").update(claimed_at=timezone.now())
    run_worker()
    assert sorted(m["To"] for m in smtp_server.messages) == ["barbara@example.org", "jhv@example.org"]


def test_headings_are_in_the_recipients_language(pw, accepted, smtp_server):
    pw.circle.aunt.language = "en"
    pw.circle.aunt.save(update_fields=["language"])
    plan_distribute(version=accepted, by=pw.coordinator)
    run_worker()
    by_address = {m["To"]: m for m in smtp_server.messages}
    _type, english = _attachment(by_address["barbara@example.org"])
    assert "Family group plan" in PdfReader(io.BytesIO(english)).pages[0].extract_text()
    assert "Family group plan" in by_address["barbara@example.org"]["Subject"]
    _type, dutch = _attachment(by_address["fatima@example.org"])  # Arabic: Kring speaks nl and en
    assert "Familiegroepsplan" in PdfReader(io.BytesIO(dutch)).pages[0].extract_text()


def test_only_an_accepted_plan_is_sent(pw, smtp_server):
    version = presented_plan(pw)
    with pytest.raises(PlanRefused) as exc:
        plan_distribute(version=version, by=pw.coordinator)
    assert exc.value.code == "not_accepted"
    run_worker()
    assert smtp_server.messages == [] and not Distribution.objects.exists()


def test_only_the_coordinator_sends_it(pw, accepted, as_user):
    assert as_user(pw.professional).post(f"/cases/{pw.case.pk}/plan/send/").status_code == 403
    response = as_user(pw.coordinator).post(f"/cases/{pw.case.pk}/plan/send/")
    assert response.status_code == 302
    assert Distribution.objects.filter(version=accepted).count() == 3
