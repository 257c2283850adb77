"""Web hardening: production settings pass `check --deploy`, DEBUG cannot be switched on in
production, errors show a generic page, and every page of every role sends the security headers."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import path

from kring.testing.matrix import PERSONAS
from kring.urls import urlpatterns as kring_urlpatterns

PRODUCTION_ENV = {
    "KRING_SITE_URL": "https://kring.example",
    "KRING_ALLOWED_HOSTS": "kring.example",
}


def _run_with(env_extra: dict, args: list[str], tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KRING_", "DJANGO_", "DATABASE_URL"))}
    env.update(KRING_DATA_DIR=str(tmp_path), KRING_SECRET_KEY=secrets.token_urlsafe(64),
               DJANGO_SETTINGS_MODULE="kring.settings", **env_extra)
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _run_with(PRODUCTION_ENV, ["-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                       tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_on_secure_cookies_and_hsts(tmp_path):
    code = ("import kring.settings as s; print(s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS, s.DEBUG)")
    out = _run_with(PRODUCTION_ENV, ["-c", code], tmp_path).stdout.split()
    assert out == ["__Host-kring_session", "True", "True", "True", "31536000", "False"]


@pytest.mark.parametrize("extra", [
    {**PRODUCTION_ENV, "KRING_DEBUG": "1"},
    {"KRING_DEBUG": "1", "KRING_ALLOWED_HOSTS": "kring.example"},  # public host over http
    {"KRING_DEBUG": "1", "KRING_SECURE": "1"},
])
def test_debug_is_refused_outside_local_development(tmp_path, extra):
    result = _run_with(extra, ["-c", "import kring.settings"], tmp_path)
    assert result.returncode != 0 and "KRING_DEBUG is refused" in result.stderr


def test_debug_still_works_on_a_developers_machine(tmp_path):
    result = _run_with({"KRING_DEBUG": "1"}, ["-c", "import kring.settings as s; print(s.DEBUG)"], tmp_path)
    assert result.stdout.strip() == "True", result.stderr


def test_a_wildcard_host_is_refused_in_production(tmp_path):
    result = _run_with({**PRODUCTION_ENV, "KRING_ALLOWED_HOSTS": "*"}, ["-c", "import kring.settings"], tmp_path)
    assert result.returncode != 0


# --- Generic error pages ----------------------------------------------------------------------

def _boom(request):
    raise RuntimeError("secret detail: Yasmina el Amrani, BSN 123456782")


urlpatterns = [path("boom/", _boom), *kring_urlpatterns]
handler500 = "kring.core.views.error_500"


@pytest.mark.urls(__name__)
def test_a_crash_shows_a_generic_page_without_a_stack_trace(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Traceback" not in body and "secret detail" not in body and "Yasmina" not in body
    assert "RuntimeError" not in body
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path_", ["/cases/999999/", "/does-not-exist/"])
def test_not_found_is_the_same_generic_page(db, client, path_):
    response = client.get(path_)
    assert response.status_code in (302, 404)
    assert b"Traceback" not in response.content


# --- Every URL, every role: the security headers ----------------------------------------------

def _assert_security_headers(response, where):
    csp = response.get("Content-Security-Policy", "")
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                      "script-src 'self'"):
        assert directive in csp, (where, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert "no-store" in response.get("Cache-Control", ""), where
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("X-Frame-Options") == "DENY", where
    # personal-link pages send the stricter no-referrer (the token must not leak)
    assert response.get("Referrer-Policy") in ("same-origin", "no-referrer"), where


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_sends_the_security_headers_to_every_role(world, client, as_user, persona):
    from kring.cases.models import Case
    from kring.core.tests.test_matrix import MATRIX, THIRD_PARTY_PATHS

    Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    if persona != "anonymous":
        as_user(world.by_name(persona))
    seen = 0
    for name, (method, template, data, _expected) in sorted(MATRIX.items()):
        url = template.format(case_id=world.case.pk)
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        _assert_security_headers(response, (name, persona, response.status_code))
        seen += 1
    for url in [*THIRD_PARTY_PATHS, "/api/openapi.json", "/accounts/sessions/"]:
        _assert_security_headers(client.get(url), (url, persona))
    assert seen == len(MATRIX) >= 15
