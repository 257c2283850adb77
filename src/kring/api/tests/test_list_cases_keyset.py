"""GET /api/cases pages on with `after` (the `next` of the page before) as well as with `offset`."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kring.testing import factories as f


def test_next_and_after_walk_every_case_once_like_offset(world, api):
    now = timezone.now()
    for i in range(6):
        f.CaseFactory(submitted_at=now - timedelta(days=1) if i % 2 else now - timedelta(hours=i))
    client = api(world.manager)
    by_offset = [c["id"] for offset in (0, 3, 6) for c in client.get(f"/api/cases?limit=3&offset={offset}").json()["items"]]
    walked, query = [], "/api/cases?limit=3"
    while True:
        page = client.get(query).json()
        assert page["count"] == 7
        walked += [c["id"] for c in page["items"]]
        if page["next"] is None:
            break
        query = f"/api/cases?limit=3&after={page['next']}"
    assert walked == by_offset and len(walked) == 7


def test_the_last_page_has_no_next_and_a_bad_position_is_refused(world, api):
    client = api(world.manager)
    assert client.get("/api/cases?limit=5").json()["next"] is None
    assert client.get("/api/cases?after=yesterday").status_code == 422
