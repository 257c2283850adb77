"""GET /api/cases/{case_id}: one case, through `get_case_for` only."""

from __future__ import annotations

from unittest import mock

import pytest

from kring.audit.models import Action, Outcome
from kring.cases import access


def _path(case) -> str:
    return f"/api/cases/{case.pk}"


@pytest.mark.parametrize("persona", ["manager", "professional", "linked_professional"])
def test_related_people_read_the_case(world, api, access_log, persona):
    user = world.by_name(persona)
    log = access_log()
    response = api(user).get(_path(world.case))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["id"] == world.case.pk
    assert data["reference"] == world.case.reference
    log.one(action=Action.READ, outcome=Outcome.SUCCESS, object_type="case",
            object_id=str(world.case.pk), case_id=world.case.pk, user_id=user.pk)


def test_it_holds_persons_clocks_and_events(world, api):
    data = api(world.manager).get(_path(world.case)).json()
    child = next(p for p in data["persons"] if p["role"] == "child")
    assert child["name"] == "Yasmina el Amrani"
    assert child["birth_date"] == "2015-03-14"
    assert isinstance(child["age"], int)
    parent = next(p for p in data["persons"] if p["role"] == "parent")
    assert parent["is_main_person"] is True
    assert {c["code"] for c in data["clocks"]} == {"start", "contact"}
    assert all(c["status"] == "running" and c["deadline"] for c in data["clocks"])
    assert data["professionals"][0]["name"] == world.linked_professional.display_name
    assert data["can_assign"] is True
    assert "withdraw" in {s["name"] for s in data["steps"]}


def test_events_show_the_timeline(world, api):
    client = api(world.manager)
    client.post(f"{_path(world.case)}/transitions", {"step": "withdraw", "reason": "Dubbel."})
    events = client.get(_path(world.case)).json()["events"]
    assert [(e["name"], e["from_state"], e["to_state"], e["reason"]) for e in events] == [
        ("withdraw", "request", "withdrawn", "Dubbel.")]
    assert events[0]["actor"] == world.manager.display_name
    assert events[0]["actor_role"] == "regional_manager"


def test_a_professional_sees_only_their_own_steps(world, api):
    data = api(world.professional).get(_path(world.case)).json()
    assert [s["name"] for s in data["steps"]] == ["withdraw"]
    assert data["can_assign"] is False


def test_the_assigned_coordinator_reads_the_case(world, api):
    world.case.coordinator = world.coordinator
    world.case.save(update_fields=["coordinator"])
    data = api(world.coordinator).get(_path(world.case)).json()
    assert data["coordinator"] == {"id": world.coordinator.pk,
                                   "name": world.coordinator.display_name}


@pytest.mark.parametrize("persona", ["coordinator", "stranger_manager", "stranger_coordinator",
                                     "stranger_professional"])
def test_strangers_get_404_and_the_refusal_is_logged(world, api, access_log, persona):
    log = access_log()
    response = api(world.by_name(persona)).get(_path(world.case), **{"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    log.one(action=Action.READ, outcome=Outcome.DENIED, object_id=str(world.case.pk))


def test_a_case_that_does_not_exist_gets_the_same_404(world, api):
    missing = api(world.manager).get("/api/cases/999999")
    hidden = api(world.stranger_manager).get(_path(world.case))
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()


@pytest.mark.parametrize("persona", ["policy", "admin"])
def test_policy_and_admin_get_403_whatever_the_case(world, api, access_log, persona):
    for path in (_path(world.case), "/api/cases/999999"):
        log = access_log()
        response = api(world.by_name(persona)).get(path)
        assert response.status_code == 403
        assert response.json()["detail"]
        log.one(action=Action.READ, outcome=Outcome.DENIED, object_type="case")


def test_anonymous_gets_401(world, api):
    assert api(None).get(_path(world.case)).status_code == 401


def test_it_goes_through_get_case_for(world, api):
    with mock.patch("kring.api.cases.get_case_for", wraps=access.get_case_for) as spy:
        api(world.manager).get(_path(world.case))
    spy.assert_called_once()
    assert spy.call_args.args[1:] == (world.case.pk, "view")


def test_a_bearer_token_reads_like_a_session(world, token_api, access_log):
    log = access_log()
    response = token_api(world.professional).get(_path(world.case))
    assert response.status_code == 200
    log.one(action=Action.READ, user_id=world.professional.pk, case_id=world.case.pk)


def test_persons_professionals_and_events_read_compiled_equal_the_model_reads(world, api):
    """The prepared reads give what the related managers give, in the same order, for each case."""
    from datetime import date

    from kring.api.cases import events_out, persons_out, professionals_out
    from kring.cases.models import CasePerson

    CasePerson.objects.create(case=world.case, role="parent", name="Zonder Datum")
    today = date(2026, 6, 1)
    persons = [{"id": p.pk, "role": p.role, "name": p.name, "birth_date": p.birth_date, "age": p.age_on(today),
                "phone": p.phone, "is_main_person": p.is_main_person} for p in world.case.persons.all()]
    assert persons_out(world.case.pk, today) == persons
    assert any(p["birth_date"] is None and p["age"] is None for p in persons)
    assert professionals_out(world.case.pk) == list(world.case.professionals.values("name", "organisation", "kind"))
    events = list(world.case.events.all())
    assert [(e["name"], e["at"]) for e in events_out(world.case)] == [(e.name, e.at) for e in events]
    assert persons_out(world.case.pk + 10_000, today) == [] and professionals_out(world.case.pk + 10_000) == []
