"""Who may call the API: bearer tokens, staff sessions with a second factor, nobody else."""

from __future__ import annotations

import json

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.test import Client

from kring.accounts.models import ApiToken
from kring.testing import factories as f

from .conftest import Api


def test_anonymous_gets_401_with_a_bearer_challenge(world, api):
    anonymous = api(None)
    for response in (anonymous.get("/api/cases"), anonymous.get(f"/api/cases/{world.case.pk}"),
                     anonymous.post("/api/requests", {})):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["detail"]


def test_anonymous_post_without_csrf_cookie_gets_401_not_a_csrf_error(world):
    response = Client(enforce_csrf_checks=True).post(
        f"/api/cases/{world.case.pk}/transitions", data="{}", content_type="application/json"
    )
    assert response.status_code == 401


def test_a_bearer_token_authenticates_and_records_its_use(world):
    token, key = ApiToken.issue(user=world.manager, name="script")
    assert token.last_used_at is None
    response = Api(Client(), token=key).get(f"/api/cases/{world.case.pk}")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_unknown_token_gets_401(world):
    response = Api(Client(), token="kr_not-a-real-token").get("/api/cases")
    assert response.status_code == 401


def test_a_token_without_the_prefix_gets_401(world):
    _token, key = ApiToken.issue(user=world.manager, name="script")
    response = Api(Client(), token=key.removeprefix("kr_")).get("/api/cases")
    assert response.status_code == 401


def test_a_token_of_an_inactive_user_gets_401(world):
    _token, key = ApiToken.issue(user=world.manager, name="script")
    world.manager.is_active = False
    world.manager.save(update_fields=["is_active"])
    response = Api(Client(), token=key).get("/api/cases")
    assert response.status_code == 401


def test_a_deleted_token_gets_401(world):
    token, key = ApiToken.issue(user=world.manager, name="script")
    token.delete()
    assert Api(Client(), token=key).get("/api/cases").status_code == 401


def test_a_session_without_the_second_factor_gets_401(world, client):
    client.force_login(world.manager)  # password only
    response = client.get("/api/cases")
    assert response.status_code == 401


def test_a_session_of_staff_without_totp_set_up_gets_403(db, client):
    manager = f.ManagerFactory(totp=False)
    assert not Authenticator.objects.filter(user=manager).exists()
    client.force_login(manager)
    assert client.get("/api/cases").status_code == 403


def test_a_session_post_needs_the_csrf_token(world, as_user):
    client = as_user(world.manager)
    client.handler.enforce_csrf_checks = True
    path = f"/api/cases/{world.case.pk}/transitions"
    body = json.dumps({"step": "withdraw", "reason": "Dubbel aangemeld."})
    refused = client.post(path, data=body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    world.case.refresh_from_db()
    assert world.case.state == "request"

    secret = "a" * 32  # what the web pages put in the CSRF cookie
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    accepted = client.post(path, data=body, content_type="application/json",
                           headers={"X-CSRFToken": secret})
    assert accepted.status_code == 200, accepted.content


def test_a_bearer_post_needs_no_csrf_token(world):
    _token, key = ApiToken.issue(user=world.manager, name="script")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/api/cases/{world.case.pk}/transitions",
        data=json.dumps({"step": "withdraw", "reason": "Dubbel aangemeld."}),
        content_type="application/json", headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200


def test_the_token_wins_over_the_session(world, as_user):
    client = as_user(world.stranger_manager)
    _token, key = ApiToken.issue(user=world.manager, name="script")
    response = client.get(f"/api/cases/{world.case.pk}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
