"""axe-core (WCAG 2.1 A and AA) on every page each role can reach: 0 violations, asserted.

The pages come from the access matrix (`test_matrix.MATRIX`): every GET entry a persona
reaches with 200, for the public, each staff role, the family (signed in with a code) and
a circle member (personal link). Staff are signed in with `kring.testing.helpers.login`
(password and TOTP passed) and the session cookie is handed to the browser. One browser,
one context per role. Also: a keyboard-only walk through the public request form.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client

from kring.cases.models import Case
from kring.core.tests.test_matrix import MATRIX
from kring.family.services import member_link_url
from kring.family.tests.a11y import (
    axe_page,  # noqa: F401 (fixture)
    axe_violations,
    require_axe,
    tab_to,
    type_into,
)
from kring.family.tests.conftest import PARENT_EMAIL, ensure_regions, make_family
from kring.testing import factories as f
from kring.testing.browser import flushable_access_log  # noqa: F401 (fixture)
from kring.testing.helpers import login, run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

STAFF = ["manager", "coordinator", "professional", "policy", "admin"]


@pytest.fixture
def people(flushable_access_log, live_server, settings):  # noqa: F811
    require_axe()
    ensure_regions()
    settings.SMS_BACKEND = "locmem"
    cache.clear()
    utrecht = f.region("utrecht")
    coordinator = f.CoordinatorFactory(username="coordinator")
    professional = f.ProfessionalFactory(username="professional")
    family = make_family()
    Case.objects.filter(pk=family.case.pk).update(coordinator=coordinator, referred_by=professional)
    return {
        "manager": f.ManagerFactory(username="manager", in_regions=[utrecht]),
        "coordinator": coordinator,
        "professional": professional,
        "policy": f.PolicyFactory(username="policy"),
        "admin": f.AdminFactory(username="admin"),
        "family": family,
    }


def _paths(persona: str, case_id: int) -> list[str]:
    return sorted({template.format(case_id=case_id) for _name, (method, template, data, expected)
                   in MATRIX.items() if method == "get" and data is None and expected[persona] == 200})


def _walk(page, paths: list[str], problems: list[str], checked: list[str]) -> None:
    seen: set[str] = set()
    for path in paths:
        try:
            response = page.goto(path, wait_until="domcontentloaded")
        except Exception as exc:  # a file download (PDF, CSV, calendar) is not a page
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or response.status != 200 or "pdf" in (response.headers.get("content-type") or ""):
            continue
        if not (response.headers.get("content-type") or "").startswith("text/html"):
            continue
        title = page.title()
        if title in seen:  # the same page under another address (the family sign-in form in place)
            continue
        seen.add(title)
        problems += axe_violations(page)
        checked.append(path)


def _session_cookie(user, base_url: str) -> dict:
    client = login(Client(), user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": base_url}


def test_every_page_of_every_role_has_no_axe_violations(people, axe_page, live_server):  # noqa: F811
    url = live_server.url
    case_id = people["family"].case.pk
    problems: list[str] = []
    checked: list[str] = []

    page = axe_page(base_url=url)
    public = _paths("anonymous", case_id)
    _walk(page, public, problems, checked)

    for persona in STAFF:
        # Public pages were checked above; staff see them with their own menu, which
        # every other page of theirs shows too.
        page = axe_page(base_url=url)
        page.context.add_cookies([_session_cookie(people[persona], url)])
        _walk(page, [p for p in _paths(persona, case_id) if p not in public], problems, checked)

    # The family, signed in with a code, and a circle member with a personal link.
    page = axe_page(base_url=url)
    page.goto("/gezin/inloggen/")
    page.locator("#id_address").fill(PARENT_EMAIL)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/gezin/inloggen/code/$"))
    run_worker()
    page.locator("#id_code").fill(re.search(r"\b(\d{6})\b", mail.outbox[-1].body)[1])
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/gezin/$"))
    family_paths = ["/gezin/", "/gezin/plan/", "/gezin/kring/", "/gezin/toestemming/", "/gezin/wie-keek/",
                    "/gezin/plan/?versie=1"]
    link = member_link_url(people["family"].aunt)
    _walk(page, [*family_paths, link[link.index("/gezin/"):]], problems, checked)

    assert len(checked) > 30, checked
    assert not problems, f"axe-core found {len(problems)} violation(s):\n" + "\n".join(problems)


def test_the_public_request_form_works_with_the_keyboard_only(people, axe_page, live_server):  # noqa: F811
    page = axe_page(base_url=live_server.url, width=375)
    page.goto("/request/")
    tab_to(page, "#id_requester_kind")
    page.keyboard.type("Ouder")
    type_into(page, "#id_requester_name", "Fatima el Amrani")
    type_into(page, "#id_requester_email", "fatima.request@example.org")
    type_into(page, "#id_municipality", "Utrecht")
    type_into(page, "#id_situation", "Ik ben moe en de kinderen gaan niet naar school.")
    tab_to(page, "#id_legal_frame")
    page.keyboard.type("Vrijwillig")
    tab_to(page, "#id_trigger_moment")
    page.keyboard.type("Wachten")
    tab_to(page, "#id_urgency_0")
    page.keyboard.press("Space")
    type_into(page, "#id_parent-0-name", "Fatima el Amrani")
    type_into(page, "#id_child-0-name", "Yasmina el Amrani")
    tab_to(page, "#id_child-0-birth_date")
    page.keyboard.type("14032015")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/request/thanks/$"))
    assert Case.objects.filter(requester_email="fatima.request@example.org", channel="public").exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
