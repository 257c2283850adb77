"""How the plan API reads: what the models hold, in a fixed number of queries, and the information
form locked by the first read from the conference on (written once, not on every read)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kring.api.plans import PlanOut, plan_out
from kring.cases.models import Case, State
from kring.plans.models import Distribution, InformationForm, PlanVersion
from kring.plans.services import AgreementData, plan_test_condition
from kring.plans.tests.builders import (
    draft_plan,
    fill_information_form,
    held_case_with_form,
    presented_plan,
)


@pytest.fixture
def pw(world):
    return held_case_with_form(world)


def _path(case: Case) -> str:
    return f"/api/cases/{case.pk}/plan"


def _ref(obj) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def _plan_from_models(case: Case) -> dict[str, Any]:
    """The plan as the models give it, object by object (how the API used to read it)."""
    plan = getattr(case, "plan", None)
    versions = list(plan.versions.order_by("-number")) if plan else []
    current = versions[0] if versions else None
    return {
        "case_id": case.pk, "state": case.state,
        "current": None if current is None else {
            "number": current.number, "status": current.status, "language": current.language,
            "concerns_answered": current.concerns_answered, "professional_help": current.professional_help,
            "monitor": _ref(current.monitor), "convenor": _ref(current.convenor),
            "evaluation_date": current.evaluation_date, "keep_informed": current.keep_informed,
            "when_not_kept": current.when_not_kept,
            "copy_recipients": [_ref(m) for m in current.copy_recipients.order_by("name", "pk")],
            "copy_professionals": [_ref(p) for p in current.copy_professionals.order_by("name", "pk")],
            "agreements": [
                {"who": _ref(a.who), "what": a.what, "when": a.when, "starts_on": a.starts_on,
                 "ends_on": a.ends_on, "conditions": [c.pk for c in a.conditions.all()]}
                for a in current.agreements.all()
            ],
            "answers": [{"condition": a.condition_id, "text": a.text} for a in current.answers.order_by("pk")],
            "tests": [{"condition_id": t.condition_id, "met": t.met, "reason": t.reason,
                       "tested_by": t.tested_by.display_name, "tested_at": t.tested_at}
                      for t in current.tests.order_by("pk")],
            "created_by": current.created_by.display_name if current.created_by else None,
            "created_at": current.created_at, "presented_at": current.presented_at,
            "decided_at": current.decided_at, "change_note": current.change_note,
            "decision_reason": current.decision_reason,
        },
        "versions": [{"number": v.number, "status": v.status, "created_at": v.created_at,
                      "change_note": v.change_note,
                      "created_by": v.created_by.display_name if v.created_by else None} for v in versions],
        "distributions": [{"version": v.number, "email": d.email, "queued_at": d.queued_at, "sent_at": d.sent_at}
                          for v in versions for d in v.distributions.order_by("email")],
    }


def _same(case: Case) -> None:
    case.refresh_from_db()
    assert PlanOut.model_validate(plan_out(case)).model_dump() == \
        PlanOut.model_validate(_plan_from_models(case)).model_dump()


def _add_distributions(version: PlanVersion, *emails: str) -> None:
    for email in emails:
        Distribution.objects.create(version=version, email=email)


def test_the_plan_gives_what_the_models_hold(pw, api):
    _same(pw.case)  # no plan yet
    first = draft_plan(pw.case, pw.circle, pw.coordinator)
    PlanVersion.objects.filter(pk=first.pk).update(created_by=None)  # an author who has left
    conditions = pw.conditions()
    # An agreement meeting both conditions (in their own order), one meeting none, and a version without
    # monitor; then the presented version is tested by the professional.
    agreements = [AgreementData(who=pw.circle.uncle, what="Oom haalt op.", when="vrijdag",
                                conditions=tuple(reversed(conditions))),
                  AgreementData(who=pw.circle.aunt, what="Tante belt.", when="elke dag")]
    draft_plan(pw.case, pw.circle, pw.coordinator, agreements=agreements, monitor=None)
    _same(pw.case)
    version = presented_plan(pw, agreements=agreements)
    for condition, met in zip(conditions, (True, False), strict=True):
        plan_test_condition(version=version, condition=condition, met=met, reason="Gezien.", by=pw.professional)
    _add_distributions(first, "zz@example.org", "aa@example.org")
    _add_distributions(version, "mm@example.org")
    _same(pw.case)

    data = api(pw.coordinator).get(_path(pw.case)).json()
    assert [v["number"] for v in data["versions"]] == [3, 2, 1]
    assert data["versions"][-1]["created_by"] is None
    assert data["current"]["agreements"][0]["conditions"] == [c.pk for c in conditions]
    assert [t["met"] for t in data["current"]["tests"]] == [True, False]
    assert [(d["version"], d["email"]) for d in data["distributions"]] == [
        (3, "mm@example.org"), (1, "aa@example.org"), (1, "zz@example.org")]


def test_the_plan_reads_as_many_queries_however_many_versions_and_copies(pw, api):
    client = api(pw.coordinator)
    first = draft_plan(pw.case, pw.circle, pw.coordinator)
    _add_distributions(first, "a@example.org")
    client.get(_path(pw.case))
    with CaptureQueriesContext(connection) as one:
        assert client.get(_path(pw.case)).status_code == 200

    for n in range(2, 5):
        version = draft_plan(pw.case, pw.circle, pw.coordinator)
        _add_distributions(version, *(f"{n}-{i}@example.org" for i in range(n)))
    with CaptureQueriesContext(connection) as four:
        response = client.get(_path(pw.case))
    assert len(response.json()["versions"]) == 4 and len(response.json()["distributions"]) == 1 + 2 + 3 + 4
    assert len(four.captured_queries) == len(one.captured_queries)


def _information_form_writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries
            if q["sql"].startswith("UPDATE") and "plans_informationform" in q["sql"]]


def test_reading_the_information_form_from_the_conference_on_locks_it_once(pw, api):
    client = api(pw.professional)
    path = f"/api/cases/{pw.case.pk}/information-form"
    assert InformationForm.objects.get(case=pw.case).locked_at is None
    with CaptureQueriesContext(connection) as first:
        data = client.get(path).json()
    locked_at = InformationForm.objects.get(case=pw.case).locked_at
    assert data["locked"] and locked_at is not None and len(_information_form_writes(first)) == 1

    with CaptureQueriesContext(connection) as again:
        data_again = client.get(path).json()
    assert _information_form_writes(again) == []
    assert data_again == data
    assert InformationForm.objects.get(case=pw.case).locked_at == locked_at


def test_reading_the_information_form_before_the_conference_leaves_it_open(world, api):
    Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator, state=State.PREPARING)
    fill_information_form(world.case, world.professional)
    with CaptureQueriesContext(connection) as queries:
        data = api(world.professional).get(f"/api/cases/{world.case.pk}/information-form").json()
    assert data["locked"] is False and data["locked_at"] is None and data["version"] == 1
    assert _information_form_writes(queries) == []
    assert InformationForm.objects.get(case=world.case).locked_at is None
