"""The case list pages by position (keyset), searches by reference, and shows each case once."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from kring.cases.models import Case
from kring.cases.paging import keyset_page, parse_cursor
from kring.testing import factories as f


def _references(html: str) -> list[str]:
    return re.findall(r">(K-[A-Z0-9]{8})</a>", html)


def _link(html: str, label: str) -> str | None:
    match = re.search(rf'<a href="\?([^"]*)">{label}</a>', html)
    return match[1].replace("&amp;", "&") if match else None


def test_next_and_previous_walk_every_case_once_newest_first(world, as_user):
    now = timezone.now()
    same = now - timedelta(days=3)  # ties on the same instant are settled by the id
    for i in range(120):
        f.CaseFactory(family=False, coordinator=world.coordinator,
                      submitted_at=same if i % 10 == 0 else now - timedelta(hours=i))
    expected = list(Case.objects.filter(coordinator=world.coordinator).order_by("-submitted_at", "-pk")
                    .values_list("reference", flat=True))
    client = as_user(world.coordinator)
    pages, query = [], ""
    while True:
        html = client.get(f"/cases/?{query}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        pages.append(_references(html))
        query = _link(html, "Next")
        if query is None:
            break
    assert [len(p) for p in pages] == [50, 50, 20]
    assert [r for p in pages for r in p] == expected
    # Back from the last page: the same pages in reverse.
    back = []
    while (query := _link(html, "Previous")) is not None:
        html = client.get(f"/cases/?{query}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        back.append(_references(html))
    assert back == pages[-2::-1]


def test_a_state_filter_stays_on_the_next_page(world, as_user):
    for i in range(55):
        f.CaseFactory(family=False, coordinator=world.coordinator, state="preparing",
                      submitted_at=timezone.now() - timedelta(hours=i))
    f.CaseFactory(family=False, coordinator=world.coordinator, state="informing")
    client = as_user(world.coordinator)
    html = client.get("/cases/?state=preparing", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    query = _link(html, "Next")
    assert query.startswith("state=preparing&after=")
    assert len(_references(client.get(f"/cases/?{query}", HTTP_ACCEPT_LANGUAGE="en").content.decode())) == 5


def test_a_malformed_cursor_shows_the_first_page():
    assert parse_cursor("not-a-cursor") is None and parse_cursor("12.x") is None and parse_cursor("") is None
    assert parse_cursor("99999999999999999999999.1") is None


def test_keyset_page_of_an_empty_list(db):
    page = keyset_page(Case.objects.none(), after="1700000000000000.5")
    assert list(page) == [] and page.older is None and page.newer is None and not page.first


def test_search_by_a_whole_reference_or_a_part_of_one(world, as_user):
    other = f.CaseFactory(family=False, referred_by=world.professional)
    client = as_user(world.professional)
    whole = _references(client.get(f"/cases/?q={world.case.reference.lower()}").content.decode())
    assert whole == [world.case.reference]
    part = _references(client.get(f"/cases/?q={other.reference[2:6]}").content.decode())
    assert other.reference in part


def test_a_professional_who_referred_and_is_linked_sees_the_case_once(world, as_user):
    f.link_professional(world.case, world.professional)
    assert list(Case.objects.visible_to(world.professional)) == [world.case]
    html = as_user(world.professional).get("/cases/").content.decode()
    assert _references(html) == [world.case.reference]
    assert list(Case.objects.visible_to(world.linked_professional)) == [world.case]


def test_a_managers_regions_are_read_again_after_they_change(world):
    from kring.cases.rules import can

    assert list(Case.objects.visible_to(world.manager)) == [world.case] and can(world.manager, "view", world.case)
    world.manager.regions.set([f.region("limburg")])
    assert list(Case.objects.visible_to(world.manager)) == []
    assert not can(world.manager, "view", world.case)


def test_the_state_is_shown_by_its_label(world):
    from django.utils import translation

    with translation.override("en"):
        assert world.case.get_state_display() == "Request"
    world.case.state = "no-such-state"
    assert world.case.get_state_display() == "no-such-state"


def test_postgresql_has_a_trigram_index_for_parts_of_references(db):
    import pytest
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL has trigram indexes; SQLite reads the region's cases")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'case_reference_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]
