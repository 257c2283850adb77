"""The information form and plan operations: same rules, same services, one access-log row per call."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from kring.api.matrix import access_log_rows, expected_status
from kring.audit.models import Action, Outcome
from kring.cases.models import Case, State
from kring.plans.matrix_expectations import API_OPERATIONS
from kring.plans.models import ConditionTest, Distribution, InformationForm, PlanStatus, PlanVersion
from kring.plans.tests.builders import (
    ARABIC_AGREEMENT,
    ARABIC_WORDS,
    NEVER_ALONE,
    draft_plan,
    fill_information_form,
    held_case_with_form,
    presented_plan,
    set_state,
)
from kring.testing.helpers import run_worker

PERSONAS = ("anonymous", "manager", "coordinator", "professional", "linked_professional", "policy",
            "admin", "stranger_manager", "stranger_coordinator", "stranger_professional")


@pytest.mark.parametrize("assigned", [True, False], ids=["assigned", "unassigned"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", API_OPERATIONS, ids=lambda o: o["operation_id"])
def test_each_persona_gets_the_expected_status(world, api, access_log, operation, persona, assigned):
    if assigned:
        Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    client = api(None if persona == "anonymous" else world.by_name(persona))
    body = operation["body"](world) if operation["body"] else None
    log = access_log()
    response = client.call(operation["method"], operation["path"].format(case_id=world.case.pk), body)
    expected = expected_status(operation, persona, assigned=assigned)
    assert response.status_code == expected, response.content
    assert len(log.rows()) == access_log_rows(expected)
    if access_log_rows(expected):
        log.one()


def test_every_operation_names_every_persona():
    for operation in API_OPERATIONS:
        assert set(operation["expected"]) == set(PERSONAS), operation["operation_id"]


@pytest.fixture
def pw(world):
    return held_case_with_form(world)


def _path(case, tail: str = "") -> str:
    return f"/api/cases/{case.pk}/plan{tail}"


def _plan_body(pw, **overrides):
    never_alone = pw.conditions()[0]
    body = {
        "based_on": None, "language": "ar", "concerns_answered": ARABIC_AGREEMENT,
        "monitor": pw.circle.aunt.pk, "convenor": pw.circle.uncle.pk,
        "evaluation_date": (timezone.localdate() + timedelta(days=90)).isoformat(),
        "keep_informed": "Elke zondag bellen.", "when_not_kept": "Oom belt iedereen.",
        "copy_recipients": [pw.circle.mother.pk, pw.circle.aunt.pk],
        "copy_professionals": [pw.circle.professional.pk],
        "agreements": [{"who": pw.circle.aunt.pk, "what": ARABIC_AGREEMENT, "when": "elke dinsdag",
                        "conditions": [never_alone.pk]}],
        "answers": [{"condition": never_alone.pk, "text": "Oma is er altijd bij."}],
    }
    body.update(overrides)
    return body


def test_the_whole_path_through_the_api(pw, api, access_log, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    log = access_log()
    response = api(pw.coordinator).post(_path(pw.case), _plan_body(pw))
    assert response.status_code == 201, response.content
    log.one(action=Action.CHANGE, outcome=Outcome.SUCCESS, case_id=pw.case.pk)
    current = response.json()["current"]
    assert current["number"] == 1 and current["agreements"][0]["what"] == ARABIC_AGREEMENT

    assert api(pw.coordinator).post(_path(pw.case, "/present")).status_code == 200
    assert InformationForm.objects.get(case=pw.case).is_locked
    professional = api(pw.professional)
    for condition in pw.conditions():
        response = professional.post(_path(pw.case, "/tests"),
                                     {"condition_id": condition.pk, "met": True, "reason": "Staat in het plan."})
        assert response.status_code == 200, response.content
    response = professional.post(_path(pw.case, "/decision"), {"accept": True})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == State.PLAN_ACCEPTED
    assert response.json()["current"]["status"] == PlanStatus.ACCEPTED

    log = access_log()
    pdf = professional.get(_path(pw.case, "/pdf?lang=nl"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    log.one(action=Action.EXPORT, case_id=pw.case.pk)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert pw.case.reference in text and ARABIC_WORDS in text and NEVER_ALONE in text

    coordinator = api(pw.coordinator)
    response = coordinator.post(_path(pw.case, "/distribute"))
    assert response.status_code == 202 and response.json() == {"version": 1, "queued": 3}
    run_worker()
    from django.core import mail

    assert sorted(m.to[0] for m in mail.outbox) == ["barbara@example.org", "fatima@example.org",
                                                   "jhv@example.org"]
    plan = coordinator.get(_path(pw.case)).json()
    assert all(d["sent_at"] for d in plan["distributions"])


def test_the_information_form_through_the_api(world, api, access_log):
    Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    client = api(world.linked_professional)
    body = {"version": 0, "concerns": "Vader is boos geworden.",
            "conditions": [{"text": NEVER_ALONE}, {"text": "Drie maaltijden per dag.", "non_negotiable": False}]}
    response = client.post(f"/api/cases/{world.case.pk}/information-form", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["version"] == 1 and data["may_fill"]
    assert [(c["text"], c["non_negotiable"]) for c in data["current"]["conditions"]] == [
        (NEVER_ALONE, True), ("Drie maaltijden per dag.", False)]
    assert api(world.manager).get(f"/api/cases/{world.case.pk}/information-form").json()["may_fill"] is False


def test_a_stale_information_form_save_gets_409_with_the_changes(world, api, access_log):
    fill_information_form(world.case, world.professional)
    fill_information_form(world.case, world.professional, conditions=((NEVER_ALONE, False),), expected_version=1)
    log = access_log()
    response = api(world.linked_professional).call(
        "POST", f"/api/cases/{world.case.pk}/information-form",
        {"version": 1, "concerns": "Iets anders."}, **{"Accept-Language": "en"})
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "stale" and data["current_version"] == 2
    assert f"Safety condition now negotiable: “{NEVER_ALONE}”" in data["changes"]
    log.one(action=Action.CHANGE, outcome=Outcome.DENIED)
    assert InformationForm.objects.get(case=world.case).version == 2


def test_a_locked_information_form_gets_409(pw, api, access_log):
    log = access_log()
    response = api(pw.professional).post(f"/api/cases/{pw.case.pk}/information-form",
                                         {"version": 1, "concerns": "Nieuw."})
    assert response.status_code == 409 and response.json()["code"] == "locked"
    log.one(outcome=Outcome.DENIED)


@pytest.mark.parametrize(("overrides", "fragment"), [
    ({"monitor": None}, "keeps an eye on the plan"),
    ({"convenor": None}, "calls the circle together"),
    ({"agreements": []}, "at least one agreement"),
    ({"evaluation_date": "2020-01-01"}, "evaluation date must be in the future"),
])
def test_presenting_an_incomplete_plan_gets_409(pw, api, access_log, overrides, fragment):
    coordinator = api(pw.coordinator)
    assert coordinator.post(_path(pw.case), _plan_body(pw, **overrides)).status_code == 201
    log = access_log()
    response = coordinator.call("POST", _path(pw.case, "/present"), {}, **{"Accept-Language": "en"})
    assert response.status_code == 409
    assert fragment in response.json()["detail"]
    log.one(action=Action.CHANGE, outcome=Outcome.DENIED)
    assert PlanVersion.objects.get(plan__case=pw.case).status == PlanStatus.DRAFT


def test_accepting_with_an_unmet_condition_gets_409_naming_it(pw, api):
    presented_plan(pw)
    response = api(pw.linked).call("POST", _path(pw.case, "/decision"), {"accept": True},
                                   **{"Accept-Language": "en"})
    assert response.status_code == 409
    assert NEVER_ALONE in response.json()["detail"]
    pw.case.refresh_from_db()
    assert pw.case.state == State.HELD


def test_not_accepted_then_revised(pw, api):
    presented_plan(pw)
    response = api(pw.professional).post(_path(pw.case, "/decision"), {"accept": False, "reason": "Te vaag."})
    assert response.status_code == 200 and response.json()["state"] == State.PLAN_NOT_ACCEPTED
    response = api(pw.coordinator).post(_path(pw.case, "/revise"), {"change_note": "Opnieuw."})
    assert response.status_code == 201
    assert response.json()["current"]["number"] == 2 and response.json()["state"] == State.HELD


@pytest.mark.parametrize(("persona", "status"), [("coordinator", 403), ("manager", 403),
                                                 ("stranger_professional", 404)])
def test_only_a_linked_professional_tests(pw, api, access_log, persona, status):
    presented_plan(pw)
    log = access_log()
    response = api(pw.world.by_name(persona)).post(
        _path(pw.case, "/tests"), {"condition_id": pw.conditions()[0].pk, "met": True, "reason": "Ja."})
    assert response.status_code == status
    log.one(outcome=Outcome.DENIED)
    assert not ConditionTest.objects.exists()


def test_invalid_plan_input_gets_422_and_no_log_row(pw, api, access_log):
    log = access_log()
    body = _plan_body(pw, agreements=[{"who": pw.circle.aunt.pk, "what": "", "when": "elke dag"}])
    response = api(pw.coordinator).post(_path(pw.case), body)
    assert response.status_code == 422
    assert ["body", "payload", "agreements", 0, "what"] in [e["loc"] for e in response.json()["detail"]]
    assert log.rows() == []


def test_a_person_from_another_case_gets_422(pw, api):
    from kring.plans.tests.builders import build_circle
    from kring.testing.factories import CaseFactory

    other = build_circle(CaseFactory())
    response = api(pw.coordinator).post(_path(pw.case), _plan_body(pw, monitor=other.aunt.pk))
    assert response.status_code == 422  # not a choice in this case's circle


def test_distribution_is_only_for_an_accepted_plan(pw, api):
    presented_plan(pw)
    response = api(pw.coordinator).post(_path(pw.case, "/distribute"))
    assert response.status_code == 409 and response.json()["code"] == "not_accepted"
    assert not Distribution.objects.exists()


def test_a_draft_can_be_saved_while_the_conference_is_scheduled(pw, api):
    set_state(pw.case, State.SCHEDULED)
    draft_plan(pw.case, pw.circle, pw.coordinator)
    response = api(pw.coordinator).post(_path(pw.case), _plan_body(pw, based_on=1))
    assert response.status_code == 201 and response.json()["current"]["number"] == 2
