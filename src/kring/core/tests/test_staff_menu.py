"""The staff menu is made once per role and language: each role still sees its own links,
in the language of the page."""

from __future__ import annotations

import pytest

from kring.core.context_processors import _staff_menu

pytestmark = pytest.mark.django_db


def _menu(html: str) -> str:
    return html.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]


def test_each_role_gets_its_own_menu_in_the_page_language(world, as_user):
    _staff_menu.cache_clear()
    manager_nl = _menu(as_user(world.manager).get("/cases/").content.decode())
    coordinator_nl = _menu(as_user(world.coordinator).get("/cases/").content.decode())
    manager_en = _menu(as_user(world.manager).get("/cases/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert 'href="/inbox/">Postvak</a>' in manager_nl
    assert "/inbox/" not in coordinator_nl and ">Nazorgtaken</a>" in coordinator_nl
    assert 'href="/inbox/">Inbox</a>' in manager_en and "Postvak" not in manager_en
    # The cached menu holds no token: the sign-out form still gets this request's own.
    assert "csrfmiddlewaretoken" not in _staff_menu("regional_manager", "nl")
    assert manager_nl.count('name="csrfmiddlewaretoken"') == 1
    assert _staff_menu.cache_info().currsize == 3
