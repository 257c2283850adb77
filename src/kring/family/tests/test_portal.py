"""The family's pages: status, plan and PDF, consents, the access log, the member's page, the own plan."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from kring.audit.log import log_access
from kring.audit.models import AccessLogEntry
from kring.audit.purposes import purpose_display
from kring.cases.models import Case, State
from kring.family.models import ConsentKind, FamilyConsent, SelfPlan
from kring.family.services import check_in_summaries_shared, may_receive_copy, member_link_url
from kring.plans.models import Distribution, PlanStatus, Source
from kring.testing.helpers import run_worker

from .conftest import PARENT_EMAIL, latest_code


@pytest.fixture
def signed_in(client, family_world):
    client.post("/gezin/inloggen/", {"address": PARENT_EMAIL})
    client.post("/gezin/inloggen/code/", {"code": latest_code()})
    return client


def test_the_overview_says_where_the_case_stands_and_the_dates(signed_in, family_world):
    from django.utils import translation

    html = signed_in.get("/gezin/").content.decode()
    with translation.override("nl"):
        assert translation.gettext("Your plan is accepted.") in html
        assert translation.gettext("Evaluation of the plan") in html


def test_the_plan_its_versions_and_the_pdf(signed_in, family_world):
    html = signed_in.get("/gezin/plan/").content.decode()
    assert "Wie brengt de kinderen naar school?" in html and 'dir="auto"' in html
    assert signed_in.get("/gezin/plan/?versie=7").status_code == 404
    pdf = signed_in.get("/gezin/plan/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AccessLogEntry.objects.filter(case_id=family_world.case.pk, action="export",
                                         user_label="Fatima el Amrani").exists()


def test_the_circle_shows_the_ecomap_without_safety_arrangements(signed_in, family_world):
    html = signed_in.get("/gezin/kring/").content.decode()
    assert "<svg" in html and "Khadija Bakr" in html


def test_withdrawing_a_copy_holds_at_once(signed_in, family_world):
    queued = Distribution.objects.create(version=family_world.version, member=family_world.aunt,
                                         email=family_world.aunt.email)
    assert may_receive_copy(family_world.version, member=family_world.aunt)
    response = signed_in.post("/gezin/toestemming/", {"kind": ConsentKind.PLAN_COPY,
                                                      "member": family_world.aunt.pk, "granted": "no"})
    assert response.status_code == 302
    assert not may_receive_copy(family_world.version, member=family_world.aunt)
    assert not Distribution.objects.filter(pk=queued.pk).exists()  # the waiting copy is taken back
    row = FamilyConsent.objects.get()
    assert (row.granted, row.by_label, row.by_person) == (False, "Fatima el Amrani", family_world.parent)
    signed_in.post("/gezin/toestemming/", {"kind": ConsentKind.PLAN_COPY, "member": family_world.aunt.pk,
                                           "granted": "yes"})
    assert may_receive_copy(family_world.version, member=family_world.aunt)
    assert FamilyConsent.objects.count() == 2  # history kept


def test_phone_and_check_in_consent(signed_in, family_world):
    assert not check_in_summaries_shared(family_world.case)
    signed_in.post("/gezin/toestemming/", {"kind": ConsentKind.CHECK_IN_SUMMARIES, "granted": "yes"})
    assert check_in_summaries_shared(family_world.case)
    signed_in.post("/gezin/toestemming/", {"kind": ConsentKind.PHONE, "granted": "no"})
    case = Case.objects.get(pk=family_world.case.pk)
    assert (case.phone_consent, case.phone_consent_at) == (False, None)


def test_a_member_of_another_case_cannot_be_used(signed_in, family_world):
    from kring.network.models import CircleMember

    stranger = CircleMember.objects.create(case=family_world.other_case, name="X", email="x@example.org")
    response = signed_in.post("/gezin/toestemming/", {"kind": ConsentKind.PLAN_COPY, "member": stranger.pk,
                                                      "granted": "no"})
    assert response.status_code == 404 and not FamilyConsent.objects.exists()


def test_the_access_log_shows_only_this_family(signed_in, family_world, world):
    log_access(None, action="read", obj=family_world.case, user=world.coordinator, purpose="case coordination")
    log_access(None, action="read", obj=family_world.other_case, user=world.coordinator, purpose="SECRET-OTHER")
    html = signed_in.get("/gezin/wie-keek/").content.decode()
    with translation.override("nl"):  # the "why" is shown in the reader's language
        why = purpose_display("case coordination").text
        own_visit = purpose_display("family portal: who looked at my file").text
    assert world.coordinator.display_name in html and why in html
    assert "SECRET-OTHER" not in html
    assert own_visit in html  # the family's own views are logged too


def test_a_circle_member_sees_own_agreements_and_the_plan_only_with_consent(client, family_world):
    aunt_url = member_link_url(family_world.aunt).split("8000", 1)[-1]
    html = client.get(aunt_url).content.decode()
    assert "Brengt Adam op maandag naar school" in html and "Haalt de boodschappen" in html  # whole plan
    neighbour_url = member_link_url(family_world.neighbour).split("8000", 1)[-1]
    html = client.get(neighbour_url).content.decode()
    assert "Haalt de boodschappen" in html and "Brengt Adam" not in html
    assert "Wie brengt de kinderen" not in html
    assert AccessLogEntry.objects.filter(case_id=family_world.case.pk, role="network_member").count() == 2
    # A new link switches the old one off.
    member_link_url(family_world.neighbour, rotate=True)
    assert client.get(neighbour_url).status_code == 410
    assert client.get("/gezin/netwerk/forged/").status_code == 404


def test_a_family_makes_its_own_plan(client, db, settings):
    settings.SMS_BACKEND = "locmem"
    response = client.post("/gezin/zelf/", {"name": "Samira Haddad", "email": "samira@example.org",
                                            "municipality": "Utrecht"})
    assert response["Location"] == "/gezin/zelf/problem/"
    case = Case.objects.get(requester_email="samira@example.org")
    assert (case.channel, case.state, case.coordinator, case.next_deadline_at) == ("public", State.PREPARING,
                                                                                   None, None)
    client.post("/gezin/zelf/problem/", {"problem": "مَن يأخذ الأطفال إلى المدرسة؟", "action": "next"})
    client.post("/gezin/zelf/people/", {"person-name": "Oma Fatna", "person-side": "mother",
                                        "person-email": "oma@example.org", "action": "add_person"})
    oma = case.circle.get(name="Oma Fatna")
    client.post("/gezin/zelf/meeting/", {"place": "Bij oma", "meet_on": "2030-01-05", "action": "save"})
    client.post("/gezin/zelf/meeting/", {"invite": [oma.pk], "action": "invite"})
    client.post("/gezin/zelf/agreements/", {"agreement-who": oma.pk, "agreement-what": "Brengt de kinderen",
                                            "agreement-when": "elke dag", "action": "add_agreement"})
    client.post("/gezin/zelf/agreements/", {"writer": "Samira", "safety": "", "action": "next"})
    client.post("/gezin/zelf/sharing/", {"copy": [oma.pk], "monitor": oma.pk, "when_not_kept": "We bellen",
                                         "keep_informed": "App", "share_with_professional": "on",
                                         "professional_name": "Petra", "professional_email": "petra@example.org",
                                         "action": "next"})
    response = client.post("/gezin/zelf/finish/", {"action": "finish"})
    assert response["Location"] == "/gezin/plan/"
    case.refresh_from_db()
    version = case.plan.current
    assert (case.plan.source, version.status, case.state) == (Source.SELF_MADE, PlanStatus.ACCEPTED,
                                                              State.PLAN_ACCEPTED)
    assert [a.what for a in version.agreements.all()] == ["Brengt de kinderen"]
    assert list(version.copy_recipients.all()) == [oma] and version.monitor == oma
    assert SelfPlan.objects.get(case=case).finished_at
    run_worker()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert "oma@example.org" in recipients and "petra@example.org" in recipients  # invitation; plan copy
    assert client.get("/gezin/plan/pdf/").content.startswith(b"%PDF")


def test_the_self_made_case_is_not_in_any_inbox(client, db, world):
    client.post("/gezin/zelf/", {"name": "S", "email": "s@example.org", "municipality": "Utrecht"})
    assert not Case.objects.filter(requester_email="s@example.org").in_inbox().exists()
