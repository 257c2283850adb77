"""Personal links: signed per purpose, expiring, bound to their ids and to a nonce."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from kring.core import links
from kring.core.links import (
    LinkExpired,
    LinkInvalid,
    LinkNotYours,
    LinkReplaced,
    check_ids,
    check_nonce,
    make_token,
    read_token,
)

AMS = ZoneInfo("Europe/Amsterdam")


def test_a_token_carries_its_ids_back():
    token = make_token("invitation", invitation=12, member=34, nonce="abc")
    assert read_token("invitation", token) == {"invitation": 12, "member": 34, "nonce": "abc"}


def test_a_token_is_safe_in_a_url_path():
    token = make_token("invitation", invitation=12, nonce="a/b?c#d")
    assert "/" not in token and "?" not in token and "#" not in token and " " not in token


def test_a_changed_character_is_refused():
    token = make_token("check_in", agreement=7, nonce="n")
    for index in (0, len(token) // 2, len(token) - 1):
        changed = token[:index] + ("x" if token[index] != "x" else "y") + token[index + 1:]
        with pytest.raises(LinkInvalid):
            read_token("check_in", changed)


@pytest.mark.parametrize("junk", ["", "not-a-token", "a:b:c", "." * 2000, "äöü"])
def test_junk_is_refused(junk):
    with pytest.raises(LinkInvalid):
        read_token("invitation", junk)


def test_a_token_for_one_purpose_does_not_work_for_another():
    token = make_token("invitation", invitation=1, member=2, nonce="n")
    with pytest.raises(LinkInvalid):
        read_token("family_sign_in", token)


def test_the_signed_end_is_checked():
    end = timezone.now() + timedelta(days=2)
    token = make_token("invitation", expires_at=end, invitation=1)
    assert read_token("invitation", token) == {"invitation": 1}
    with time_machine.travel(end + timedelta(seconds=1)), pytest.raises(LinkExpired):
        read_token("invitation", token)


def test_no_token_lives_longer_than_the_maximum_age(settings):
    settings.PERSONAL_LINK_MAX_AGE = timedelta(days=30)
    token = make_token("invitation", invitation=1)
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        read_token("invitation", token)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        with pytest.raises(LinkExpired):
            read_token("invitation", token)
        assert read_token("invitation", token, max_age=timedelta(days=40)) == {"invitation": 1}
        with pytest.raises(LinkExpired):
            read_token("invitation", token, max_age=3600)


def test_ids_that_do_not_belong_together_are_someone_elses_link():
    ids = read_token("invitation", make_token("invitation", invitation=1, member=2))
    check_ids(ids, invitation=1, member=2)
    check_ids(ids, invitation="1")  # compared as text
    with pytest.raises(LinkNotYours):
        check_ids(ids, invitation=1, member=3)
    with pytest.raises(LinkNotYours):
        check_ids(ids, agreement=1)


def test_a_rotated_nonce_switches_the_link_off():
    ids = read_token("invitation", make_token("invitation", invitation=1, nonce="first"))
    check_nonce(ids, "first")
    with pytest.raises(LinkReplaced):
        check_nonce(ids, "second")


def test_each_error_says_what_happened_and_which_status_to_use():
    assert (LinkInvalid.status, LinkNotYours.status, LinkExpired.status, LinkReplaced.status) == (404, 404, 410, 410)
    for error in (LinkInvalid, LinkNotYours, LinkExpired, LinkReplaced):
        assert issubclass(error, links.LinkError)
        assert str(error.title) and str(error.message)
    assert len({LinkInvalid.code, LinkNotYours.code, LinkExpired.code, LinkReplaced.code}) == 4


@pytest.mark.parametrize(("purpose", "ids", "error"), [
    ("", {"a": 1}, ValueError),
    ("x", {}, ValueError),
    ("x", {"_p": 1}, ValueError),
    ("x", {"name": 1.5}, TypeError),
    ("x", {"flag": True}, TypeError),
    ("x", {"person": None}, TypeError),
])
def test_only_plain_ids_go_into_a_token(purpose, ids, error):
    with pytest.raises(error):
        make_token(purpose, **ids)


def test_the_end_must_be_time_zone_aware():
    with pytest.raises(ValueError):
        make_token("x", expires_at=datetime(2026, 1, 1), a=1)


def test_end_of_day_is_midnight_in_dutch_time():
    assert links.end_of_day(date(2026, 12, 5)) == datetime(2026, 12, 6, tzinfo=AMS)
    assert links.end_of_day(date(2026, 12, 5), days_after=1) == datetime(2026, 12, 7, tzinfo=AMS)
    summer = links.end_of_day(date(2026, 7, 1))
    assert summer.utcoffset() == timedelta(hours=2)


def test_absolute_url_uses_the_site_address(settings):
    settings.SITE_URL = "https://kring.example.nl"
    token = make_token("invitation", invitation=1)
    assert links.absolute_url("invitation_answer", token) == f"https://kring.example.nl/i/{token}/"
