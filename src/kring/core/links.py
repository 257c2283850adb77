"""Personal links: signed, expiring tokens for people who have no account.

A personal link lets one person do one thing (answer an invitation, check in
on an agreement, sign in to the family's plan) without an account. The token
in the link is signed with the site's secret key, salted per purpose, and
carries a few ids; it never carries a name or any other personal data.

Making a link::

    token = make_token("invitation", invitation=inv.pk, member=inv.member_id,
                       nonce=inv.nonce, expires_at=inv.expires_at)
    url = absolute_url("invitation_answer", token)

Reading it (in the public view)::

    try:
        ids = read_token("invitation", token)          # LinkInvalid, LinkExpired
        inv = Invitation.objects.get(pk=ids["invitation"])
        check_ids(ids, invitation=inv.pk, member=inv.member_id)   # LinkNotYours
        check_nonce(ids, inv.nonce)                    # LinkReplaced
    except LinkError as exc:
        return render(request, "...", {"problem": exc}, status=exc.status)

Rules that every purpose follows:

* The row that the link acts on keeps a *nonce* (`secrets.token_urlsafe`).
  Sending a new link rotates the nonce, so the old link stops working
  (`LinkReplaced`). Put the nonce in the token and check it with `check_nonce`.
* A link expires at `expires_at` (signed into the token) and never lives
  longer than `settings.PERSONAL_LINK_MAX_AGE` after it was made.
* Every id in the token is compared with the row (`check_ids`): a token whose
  ids do not belong together is someone else's link (`LinkNotYours`).
* Each error has a kind message for the person (`message`) and the HTTP status
  the page should use (`status`: 404 when we cannot tell what the link is, 410
  when it was valid once). Nothing may change when reading fails.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

PURPOSE_KEY = "_p"
EXPIRES_KEY = "_x"
RESERVED = frozenset({PURPOSE_KEY, EXPIRES_KEY})
DEFAULT_MAX_AGE = timedelta(days=90)


class LinkError(Exception):
    """A personal link that cannot be used. `message` is for the person holding it."""

    code = "invalid"
    status = 404
    title = _("This link does not work")
    message = _("Check that you copied the whole link. If it still does not work, ask the person "
                "who sent it to you for a new one.")

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail


class LinkInvalid(LinkError):
    """Tampered with, cut off, made for another purpose, or not a token at all."""


class LinkExpired(LinkError):
    code = "expired"
    status = 410
    title = _("This link has expired")
    message = _("The link was valid for a limited time only. Ask the person who sent it to you "
                "for a new one.")


class LinkNotYours(LinkError):
    """The ids in the token do not belong together: someone else's link, or a forged one."""

    code = "not_yours"
    status = 404
    title = _("This link is not meant for you")
    message = _("Every link is made for one person only. Use the link that was sent to you, or ask "
                "for a new one.")


class LinkReplaced(LinkError):
    """A newer link was sent for the same thing; this one was switched off."""

    code = "replaced"
    status = 410
    title = _("A newer link was sent")
    message = _("This link no longer works because a new one was sent. Use the newest message you "
                "received.")


def _salt(purpose: str) -> str:
    return f"kring.core.links:{purpose}"


def _max_age(max_age: int | float | timedelta | None) -> timedelta:
    if max_age is None:
        max_age = getattr(settings, "PERSONAL_LINK_MAX_AGE", DEFAULT_MAX_AGE)
    if not isinstance(max_age, timedelta):
        max_age = timedelta(seconds=max_age)
    return max_age


def make_token(purpose: str, *, expires_at: datetime | None = None, **ids: int | str) -> str:
    """A signed token for `purpose` carrying `ids` (ints or short strings, never names).

    `expires_at` (aware) is signed into the token; reading it later fails with
    `LinkExpired`. Without it, only `PERSONAL_LINK_MAX_AGE` limits the token.
    """
    if not purpose or not ids:
        raise ValueError("a personal link needs a purpose and at least one id")
    for key, value in ids.items():
        if key in RESERVED or key.startswith("_"):
            raise ValueError(f"{key!r} is a reserved name")
        if not isinstance(value, int | str) or isinstance(value, bool):
            raise TypeError(f"{key} must be an int or a str, not {type(value).__name__}")
    payload: dict[str, Any] = {PURPOSE_KEY: purpose, **ids}
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            raise ValueError("expires_at must be time-zone aware")
        payload[EXPIRES_KEY] = int(expires_at.timestamp())
    return signing.dumps(payload, salt=_salt(purpose), compress=True)


def read_token(purpose: str, token: str, max_age: int | float | timedelta | None = None) -> dict:
    """The ids signed into `token`, or `LinkInvalid` / `LinkExpired`.

    `max_age` (seconds or a timedelta) limits the time since the token was
    made; it defaults to `settings.PERSONAL_LINK_MAX_AGE`.
    """
    if not isinstance(token, str) or not token or len(token) > 1000:
        raise LinkInvalid("empty or too long")
    try:
        payload = signing.loads(token, salt=_salt(purpose), max_age=_max_age(max_age))
    except signing.SignatureExpired:
        raise LinkExpired("older than the maximum age") from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise LinkInvalid("bad signature") from None
    if not isinstance(payload, dict) or payload.get(PURPOSE_KEY) != purpose:
        raise LinkInvalid("another purpose")
    expires = payload.get(EXPIRES_KEY)
    if expires is not None and timezone.now().timestamp() >= expires:
        raise LinkExpired("past its end")
    return {k: v for k, v in payload.items() if k not in RESERVED}


def check_ids(ids: dict, **expected: int | str) -> None:
    """Raise `LinkNotYours` unless every expected id equals the one in the token."""
    for key, value in expected.items():
        if key not in ids or not constant_time_compare(str(ids[key]), str(value)):
            raise LinkNotYours(f"{key} does not match")


def check_nonce(ids: dict, nonce: str, key: str = "nonce") -> None:
    """Raise `LinkReplaced` when the row's nonce was rotated after the token was made."""
    if not constant_time_compare(str(ids.get(key, "")), str(nonce)):
        raise LinkReplaced("nonce rotated")


def end_of_day(day: date, *, days_after: int = 0) -> datetime:
    """Midnight at the end of `day` + `days_after`, in the site's time zone (aware).

    `end_of_day(conference_day, days_after=1)`: valid through the day after the conference.
    """
    following = day + timedelta(days=days_after + 1)
    return datetime.combine(following, time.min, tzinfo=timezone.get_default_timezone())


def absolute_url(view_name: str, token: str) -> str:
    """The full address of a public page that takes the token as its only argument."""
    return f"{settings.SITE_URL}{reverse(view_name, args=[token])}"
