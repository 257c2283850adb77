"""The schema and the docs page."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.conf import settings

import kring.api


def all_matrix_operations() -> list[dict]:
    """Every operation declared in an `api/*matrix.py` module (each walked by a matrix test)."""
    operations = []
    for info in pkgutil.iter_modules(kring.api.__path__):
        if info.name.endswith("matrix"):
            operations += importlib.import_module(f"kring.api.{info.name}").API_OPERATIONS
    return operations


def test_the_schema_lists_every_operation(db, client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    found = {
        (method.upper(), path, op["operationId"]): op
        for path, ops in schema["paths"].items() for method, op in ops.items()
    }
    expected = {(o["method"], o["path"], o["operation_id"]) for o in all_matrix_operations()}
    assert set(found) == expected
    for op in found.values():
        assert op["tags"]
        assert op["security"] == [{"BearerTokenAuth": []}, {"StaffSessionAuth": []}]
    assert schema["components"]["securitySchemes"]["BearerTokenAuth"] == {
        "type": "http", "scheme": "bearer"}


def test_the_docs_page_renders(db, client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"/api/openapi.json" in response.content


@pytest.mark.skipif("ninja" not in settings.INSTALLED_APPS,
                    reason="Swagger is served from our own server once 'ninja' is an installed app")
def test_the_docs_page_loads_nothing_from_elsewhere(db, client):
    html = client.get("/api/docs").content.decode()
    assert "cdn." not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
