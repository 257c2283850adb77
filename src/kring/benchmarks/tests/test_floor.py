"""The floor is a benchmark tool, never a way to read cases on a real site."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.test import override_settings

FLOOR_ON = {"BENCH_FLOOR": True, "ROOT_URLCONF": "kring.benchmarks.urls"}


def test_the_floor_is_not_there_by_default(bench_world, as_user):
    client = as_user(bench_world.coordinator)
    assert client.get(f"/bench/floor/{bench_world.case.pk}/").status_code == 404


def test_the_floor_answers_404_when_mounted_but_the_setting_is_off(bench_world, as_user):
    client = as_user(bench_world.coordinator)
    with override_settings(BENCH_FLOOR=False, ROOT_URLCONF="kring.benchmarks.urls"):
        assert client.get(f"/bench/floor/{bench_world.case.pk}/").status_code == 404


def test_the_floor_needs_a_signed_in_staff_member_and_shows_no_personal_data(bench_world, client, as_user):
    path = f"/bench/floor/{bench_world.case.pk}/"
    with override_settings(**FLOOR_ON):
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        signed_in = as_user(bench_world.coordinator)
        page = signed_in.get(path)
        assert page.status_code == 200
        html = page.content.decode()
        assert bench_world.case.reference in html
        assert "Fatima" not in html and "ouder0@example.org" not in html
        assert signed_in.get("/bench/floor/99999999/").status_code == 404


def test_the_floor_asks_for_the_second_factor_like_every_staff_page(bench_world, client):
    client.force_login(bench_world.coordinator)  # password only, no TOTP in this session
    with override_settings(**FLOOR_ON):
        response = client.get(f"/bench/floor/{bench_world.case.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _import_settings(tmp_path, extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KRING_", "DJANGO_", "DATABASE_URL"))}
    env.update(KRING_DATA_DIR=str(tmp_path), KRING_SECRET_KEY=secrets.token_urlsafe(64),
               DJANGO_SETTINGS_MODULE="kring.settings", **extra)
    code = "import kring.settings as s; print(s.BENCH_FLOOR, s.ROOT_URLCONF)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("extra", [
    {"KRING_SITE_URL": "https://kring.example", "KRING_ALLOWED_HOSTS": "kring.example"},
    {"KRING_ALLOWED_HOSTS": "kring.example"},  # a public host over http
    {"KRING_SECURE": "1"},
])
def test_the_settings_refuse_the_floor_outside_a_local_set_up(tmp_path, extra):
    result = _import_settings(tmp_path, {"KRING_BENCH_FLOOR": "1", **extra})
    assert result.returncode != 0 and "KRING_BENCH_FLOOR" in result.stderr


def test_the_setting_mounts_the_floor_on_a_local_set_up(tmp_path):
    assert _import_settings(tmp_path, {}).stdout.split() == ["False", "kring.urls"]
    assert _import_settings(tmp_path, {"KRING_BENCH_FLOOR": "1"}).stdout.split() == [
        "True", "kring.benchmarks.urls"]
