"""Signing in without a password: codes, their abuse, and the family session."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.core import sms
from kring.family.models import SignInCode
from kring.family.signin import CODES_PER_ADDRESS, MAX_FAILURES
from kring.testing.helpers import run_worker

from .conftest import PARENT_EMAIL, YOUNG_EMAIL, latest_code

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def ask(client, address):
    return client.post("/gezin/inloggen/", {"address": address})


def enter(client, code):
    return client.post("/gezin/inloggen/code/", {"code": code})


def test_a_parent_signs_in_with_the_code_from_the_email(client, family_world):
    response = ask(client, PARENT_EMAIL.upper())
    assert response.status_code == 302 and response["Location"] == "/gezin/inloggen/code/"
    code = latest_code()
    assert mail.outbox[-1].to == [PARENT_EMAIL]
    assert "/gezin/inloggen/link/" in mail.outbox[-1].body
    row = SignInCode.objects.get()
    assert row.code_hash and code not in row.code_hash and PARENT_EMAIL not in str(row.__dict__)
    response = enter(client, code)
    assert response.status_code == 302 and response["Location"] == "/gezin/"
    page = client.get("/gezin/")
    assert page.status_code == 200 and "Fatima el Amrani" in page.content.decode()
    assert AccessLogEntry.objects.filter(case_id=family_world.case.pk, user_label="Fatima el Amrani",
                                         purpose="signed in with a one-time code").exists()


def test_the_code_can_come_by_text_message(client, family_world):
    ask(client, "+31 6 1234 5678")
    code = latest_code()
    assert sms.outbox[-1].to == "+31612345678" and not mail.outbox
    assert enter(client, code)["Location"] == "/gezin/"


def test_the_link_in_the_email_signs_in_after_pressing_the_button(client, family_world):
    ask(client, PARENT_EMAIL)
    latest_code()
    link = re.search(r"http\S+/gezin/inloggen/link/\S+/", mail.outbox[-1].body)[0]
    path = link.split("localhost:8000", 1)[-1] if "localhost:8000" in link else link[link.index("/gezin/"):]
    assert client.get(path).status_code == 200  # a scanner opening the link signs nobody in
    assert "kring_family" not in client.session
    response = client.post(path)
    assert response["Location"] == "/gezin/"
    assert client.post(path).status_code == 410  # used once


def test_a_young_person_of_13_may_sign_in_but_a_child_of_8_not(client, family_world):
    ask(client, YOUNG_EMAIL)
    assert enter(client, latest_code())["Location"] == "/gezin/"
    client.post("/gezin/uitloggen/")
    ask(client, "adam@example.org")
    run_worker()
    assert len(mail.outbox) == 1  # nothing sent to the child of 8
    assert SignInCode.objects.filter(person_ids=[]).count() == 1


def test_an_unknown_address_gets_exactly_the_same_answer(client, family_world, django_assert_num_queries):
    known = ask(client, PARENT_EMAIL)
    known_page = client.get(known["Location"])
    other = client.__class__()
    unknown = other.post("/gezin/inloggen/", {"address": "nobody@example.org"})
    unknown_page = other.get(unknown["Location"])
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert CSRF.sub(b"", known_page.content) == CSRF.sub(b"", unknown_page.content)
    # Same work: one row each, one task each.
    assert SignInCode.objects.count() == 2
    run_worker()
    assert SignInCode.objects.exclude(code_hash="").count() == 2
    wrong_known, wrong_unknown = enter(client, "000000"), other.post("/gezin/inloggen/code/", {"code": "000000"})
    assert wrong_known.status_code == wrong_unknown.status_code == 400
    assert CSRF.sub(b"", wrong_known.content) == CSRF.sub(b"", wrong_unknown.content)


def test_an_expired_code_is_refused(client, family_world):
    ask(client, PARENT_EMAIL)
    code = latest_code()
    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
        response = enter(client, code)
    assert response.status_code == 400 and "kring_family" not in client.session


def test_a_used_code_is_refused(client, family_world):
    ask(client, PARENT_EMAIL)
    code = latest_code()
    assert enter(client, code).status_code == 302
    second = client.__class__()
    second.post("/gezin/inloggen/", {"address": PARENT_EMAIL})
    response = second.post("/gezin/inloggen/code/", {"code": code})
    assert response.status_code == 400 and "kring_family" not in second.session


def test_guessing_slows_the_address_down_even_for_the_right_code(client, family_world):
    ask(client, PARENT_EMAIL)
    code = latest_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(MAX_FAILURES):
        assert enter(client, wrong).status_code == 400
    response = enter(client, code)
    assert response.status_code == 429 and "kring_family" not in client.session
    # Also from another browser: the address, not the session, is slowed down.
    other = client.__class__()
    other.post("/gezin/inloggen/", {"address": PARENT_EMAIL})
    assert other.post("/gezin/inloggen/code/", {"code": code}).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        # After the wait the code itself has expired and was tried too often: a new one is needed.
        assert enter(client, code).status_code == 400


def test_an_address_can_ask_for_a_few_codes_only(client, family_world):
    for _ in range(CODES_PER_ADDRESS):
        assert ask(client, PARENT_EMAIL).status_code == 302
    assert ask(client, PARENT_EMAIL).status_code == 429
    assert ask(client, "nobody@example.org").status_code == 302  # another address still may


def test_thirty_minutes_without_activity_end_the_family_session(client, family_world):
    ask(client, PARENT_EMAIL)
    enter(client, latest_code())
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        page = client.get("/gezin/plan/")
    assert page.status_code == 200 and 'action="/gezin/inloggen/"' in page.content.decode()
    assert "kring_family" not in client.session


def test_staff_accounts_are_not_a_family_session(client, family_world, world, as_user):
    as_user(world.coordinator)
    page = client.get("/gezin/plan/")
    assert 'action="/gezin/inloggen/"' in page.content.decode()


@pytest.mark.parametrize("address", ["", "not an address", "12"])
def test_nonsense_is_refused_without_a_row(client, family_world, address):
    assert ask(client, address).status_code == 400
    assert not SignInCode.objects.exists()
