"""The access matrix: every URL pattern, as anonymous, as each role and as a same-role stranger.

A new URL pattern in a Kring app fails `test_every_kring_url_is_in_the_matrix`
until its expected statuses are written down here.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from kring.cases.models import Case
from kring.testing.matrix import LOGIN, PERSONAS, row

# url name -> (method, path template, data, {persona: status})
MATRIX = {
    "home": ("get", "/", None, row(302, anonymous=200, policy=200)),
    "healthz": ("get", "/healthz", None, row(200)),
    "public_request": ("get", "/request/", None, row(200)),
    "public_request_thanks": ("get", "/request/thanks/", None, row(302)),
    "professional_request": ("get", "/requests/new/", None, row(
        403, anonymous=LOGIN, professional=200, linked_professional=200, stranger_professional=200)),
    "inbox": ("get", "/inbox/", None, row(403, anonymous=LOGIN, manager=200, stranger_manager=200)),
    "coordinator_pool": ("get", "/coordinators/", None, row(
        403, anonymous=LOGIN, manager=200, stranger_manager=200)),
    "case_list": ("get", "/cases/", None, row(200, anonymous=LOGIN, policy=403, admin=403)),
    "case_detail": ("get", "/cases/{case_id}/", None, row(
        404, anonymous=LOGIN, manager=200, coordinator=200, professional=200, linked_professional=200)),
    "case_step": ("post", "/cases/{case_id}/step/", {"step": "withdraw", "reason": ""}, row(
        404, anonymous=LOGIN, manager=302, coordinator=302, professional=302, linked_professional=302)),
    "case_assign": ("get", "/cases/{case_id}/assign/", None, row(
        404, anonymous=LOGIN, manager=200, coordinator=403, professional=403, linked_professional=403)),
    "case_access_log": ("get", "/cases/{case_id}/log/", None, row(
        404, anonymous=LOGIN, manager=200, coordinator=403, professional=403, linked_professional=403)),
}

KRING_NAMESPACES = ("kring.",)
APPS_WITH_EXPECTATIONS = ["network", "conferences", "plans", "matching", "followup", "family", "reports", "accounts"]


def _merge_app_expectations() -> None:
    """Pull in `MATRIX` from `kring.<app>.matrix_expectations` where an app declares one."""
    import importlib

    for app in APPS_WITH_EXPECTATIONS:
        try:
            module = importlib.import_module(f"kring.{app}.matrix_expectations")
        except ModuleNotFoundError:
            continue
        overlap = set(module.MATRIX) & set(MATRIX)
        assert not overlap, overlap
        MATRIX.update(module.MATRIX)


_merge_app_expectations()


def _kring_url_names() -> set[str]:
    names = set()

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif (isinstance(p, URLPattern) and p.name and p.lookup_str.startswith(KRING_NAMESPACES)
                  and not p.lookup_str.startswith("kring.api")):
                names.add(p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_kring_url_is_in_the_matrix():
    assert _kring_url_names() == set(MATRIX)


@pytest.fixture
def assigned_world(world):
    Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    return world


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_matrix(assigned_world, client, as_user, name, persona):
    method, template, data, expected = MATRIX[name]
    if persona != "anonymous":
        as_user(assigned_world.by_name(persona))
    path = template.format(case_id=assigned_world.case.pk)
    response = getattr(client, method)(path, data) if data is not None else getattr(client, method)(path)
    assert response.status_code == expected[persona], (name, persona, response.status_code)
    if expected[persona] == LOGIN and persona == "anonymous" and name not in ("home", "public_request_thanks"):
        assert "/accounts/login/" in response["Location"]


def test_a_stranger_cannot_see_that_a_case_exists(assigned_world, as_user):
    """Same answer for a case that exists and one that does not."""
    client = as_user(assigned_world.stranger_coordinator)
    existing = client.get(f"/cases/{assigned_world.case.pk}/")
    missing = client.get("/cases/99999999/")
    assert existing.status_code == missing.status_code == 404
    token = re.compile(rb'name="(csrfmiddlewaretoken|next)"( type="hidden")? value="[^"]+"')
    assert token.sub(b"", existing.content) == token.sub(b"", missing.content)


THIRD_PARTY_PATHS = ["/accounts/login/", "/accounts/logout/", "/accounts/2fa/", "/accounts/password/change/",
                     "/admin/", "/admin/accounts/user/", "/admin/audit/accesslogentry/",
                     "/admin/regions/region/"]


@pytest.mark.parametrize("path", THIRD_PARTY_PATHS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_third_party_pages_never_fail_and_admin_is_for_admins_only(assigned_world, client, as_user,
                                                                   path, persona):
    if persona != "anonymous":
        as_user(assigned_world.by_name(persona))
    response = client.get(path)
    assert response.status_code < 500
    if path.startswith("/admin/") and persona != "admin":
        assert response.status_code in (302, 403)
    if path.startswith("/admin/") and persona == "admin":
        assert response.status_code == 200


def test_admin_site_holds_no_case_content():
    from django.contrib import admin

    registered = {m._meta.label for m in admin.site._registry}
    assert not {"cases.Case", "cases.CasePerson", "cases.CaseProfessional", "cases.CaseEvent"} & registered
