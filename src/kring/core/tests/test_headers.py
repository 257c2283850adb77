"""Security headers on every kind of page."""

import pytest


@pytest.mark.parametrize("path", ["/", "/request/", "/accounts/login/", "/cases/999/", "/api/openapi.json"])
def test_pages_send_csp_and_no_store(db, client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"]:
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_case_pages_are_never_cached(world, as_user):
    response = as_user(world.manager).get(f"/cases/{world.case.pk}/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_no_inline_script_in_our_templates():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+=\"", text):
            offenders.append(str(template))
    assert offenders == []
