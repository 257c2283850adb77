"""GET /api/cases: the cases in the caller's scope."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kring.audit.models import Action, Outcome
from kring.cases.models import State
from kring.testing import factories as f


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [c["id"] for c in response.json()["items"]]


@pytest.mark.parametrize("persona", ["manager", "professional", "linked_professional"])
def test_related_people_see_the_case(world, api, persona):
    assert _ids(api(world.by_name(persona)).get("/api/cases")) == [world.case.pk]


def test_a_coordinator_sees_the_cases_they_coordinate(world, api):
    assert _ids(api(world.coordinator).get("/api/cases")) == []
    world.case.coordinator = world.coordinator
    world.case.save(update_fields=["coordinator"])
    assert _ids(api(world.coordinator).get("/api/cases")) == [world.case.pk]


@pytest.mark.parametrize("persona",
                         ["stranger_manager", "stranger_coordinator", "stranger_professional"])
def test_strangers_get_an_empty_list(world, api, persona):
    response = api(world.by_name(persona)).get("/api/cases")
    assert _ids(response) == []
    assert response.json()["count"] == 0


@pytest.mark.parametrize("persona", ["policy", "admin"])
def test_policy_and_admin_get_403(world, api, access_log, persona):
    log = access_log()
    response = api(world.by_name(persona)).get("/api/cases")
    assert response.status_code == 403
    log.one(action=Action.SEARCH, outcome=Outcome.DENIED, object_type="case", object_id="-")


def test_anonymous_gets_401(world, api):
    assert api(None).get("/api/cases").status_code == 401


def test_the_list_holds_no_persons(world, api):
    item = api(world.manager).get("/api/cases").json()["items"][0]
    assert set(item) == {"id", "reference", "state", "state_label", "urgency", "region",
                         "municipality", "submitted_at", "next_deadline_at", "coordinator"}
    assert item["region"] == "Utrecht"
    assert item["coordinator"] is None


def test_it_filters_by_state(world, api):
    withdrawn = f.CaseFactory(state=State.WITHDRAWN)
    client = api(world.manager)
    assert _ids(client.get("/api/cases?state=withdrawn")) == [withdrawn.pk]
    assert _ids(client.get("/api/cases?state=request")) == [world.case.pk]
    bad = client.get("/api/cases?state=lost")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "state"]


def test_it_pages_newest_first(world, api):
    newer = [f.CaseFactory() for _ in range(4)]
    client = api(world.manager)
    first = client.get("/api/cases?limit=2").json()
    second = client.get("/api/cases?limit=2&offset=2").json()
    rest = client.get("/api/cases?limit=2&offset=4").json()
    assert first["count"] == second["count"] == rest["count"] == 5
    assert client.get("/api/cases?limit=2&offset=9").json()["count"] == 5  # past the end
    assert [c["id"] for c in first["items"] + second["items"] + rest["items"]] == [
        c.pk for c in reversed([world.case, *newer])]
    assert client.get("/api/cases?limit=101").status_code == 422
    assert client.get("/api/cases?limit=0").status_code == 422


def test_every_search_writes_one_access_log_row(world, api, access_log):
    log = access_log()
    api(world.manager).get("/api/cases")
    log.one(action=Action.SEARCH, outcome=Outcome.SUCCESS, object_type="case", object_id="-",
            purpose="case list", user_id=world.manager.pk, case_id=None)


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["manager", "professional", "coordinator"])
@pytest.mark.parametrize("auth", ["session", "token"])
def test_the_query_count_does_not_grow_with_the_cases(world, api, token_api, persona, auth):
    user = world.by_name(persona)
    client = api(user) if auth == "session" else token_api(user)

    def add_cases(n: int) -> None:
        for _ in range(n):
            case = f.CaseFactory(referred_by=world.professional, coordinator=world.coordinator)
            f.link_professional(case, world.stranger_professional)

    add_cases(4)
    client.get("/api/cases")  # warm up: session and caches
    few = _queries(client, "/api/cases")
    add_cases(45)
    many = _queries(client, "/api/cases")
    assert len(client.get("/api/cases").json()["items"]) >= 49
    assert few == many


def test_the_count_is_only_counted_when_more_pages_follow(world, api):
    for _ in range(4):
        f.CaseFactory()
    client = api(world.manager)
    client.get("/api/cases")  # warm up: session and caches

    def counted(path: str) -> tuple[bool, int]:
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(path).json()
        return any("COUNT(" in q["sql"] for q in ctx.captured_queries), page["count"]

    assert counted("/api/cases") == (False, 5)  # the only page: its length is the count
    assert counted("/api/cases?limit=2&offset=4") == (False, 5)  # the last page
    assert counted("/api/cases?limit=2") == (True, 5)
    assert counted("/api/cases?limit=2&offset=6") == (True, 5)
