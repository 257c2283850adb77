"""Signing in without a password: a one-time code (and link) by e-mail or text message.

- Who: a parent who is a main person, or a child of 12 or older (`eligible`).
- The code has 6 digits, lives `CODE_LIFETIME`, works once, and is stored as a keyed
  hash only (the worker makes it while sending, `tasks.send_sign_in_code`).
- Requests are limited per address and per IP address (Django's cache); after
  `MAX_FAILURES` wrong codes the address is slowed down, longer with each failure.
- Nothing tells whether an address is known: every request makes the same row and
  queues the same task, and the person always sees the same page.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kring.cases.models import CasePerson, PersonRole, phone_key
from kring.core.sms import SmsError, normalise_number

from .models import Channel, SignInCode

CODE_LIFETIME = timedelta(minutes=10)
CODE_DIGITS = 6
#: Wrong codes per address before it is slowed down; each further one doubles the wait.
MAX_FAILURES = 5
SLOW_DOWN_FIRST = 60  # seconds
SLOW_DOWN_MAX = 3600
#: Codes one address may ask for, and requests one IP address may make, per window.
CODES_PER_ADDRESS = 3
REQUESTS_PER_IP = 20
TRIES_PER_IP = 40
WINDOW = 15 * 60
YOUNG_PERSON_AGE = 12


class SignInRefused(Exception):
    """A code that is wrong, used or expired (`wrong`), or an address or IP slowed down (`slowed`)."""

    def __init__(self, code: str, wait: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.wait = wait


@dataclass(frozen=True)
class Address:
    channel: str
    value: str  # e-mail in lower case, or a phone number in E.164 form

    @property
    def hash(self) -> str:
        return address_hash(self.value)


def address_hash(value: str) -> str:
    key = hashlib.sha256(f"kring.family.address:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def code_hash(sign_in: SignInCode, code: str) -> str:
    key = hashlib.sha256(f"kring.family.code:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{sign_in.pk}:{code}".encode(), hashlib.sha256).hexdigest()


def parse_address(raw: str) -> Address | None:
    """An e-mail address or a phone number, normalised; None when it is neither."""
    raw = (raw or "").strip()
    if "@" in raw:
        try:
            validate_email(raw)
        except ValidationError:
            return None
        return Address(Channel.EMAIL, raw.lower())
    try:
        return Address(Channel.SMS, normalise_number(raw))
    except SmsError:
        return None


def eligible(person: CasePerson, today: date | None = None) -> bool:
    """Parents who are main persons, and children of 12 or older."""
    today = today or timezone.localdate()
    if person.role == PersonRole.PARENT:
        return person.is_main_person
    age = person.age_on(today)
    return person.role == PersonRole.CHILD and age is not None and age >= YOUNG_PERSON_AGE


def persons_for(address: Address) -> list[CasePerson]:
    """The eligible persons with this address, in any case."""
    if address.channel == Channel.EMAIL:
        # By the index on the lower-case address (the address is lower case already).
        candidates = CasePerson.objects.filter(email_key=address.value.lower())
    else:
        # Numbers are stored as typed ("06-12 34 56 78"): the index on their last nine digits
        # finds the few candidates, which are then compared normalised.
        candidates = CasePerson.objects.filter(phone_key=phone_key(address.value)).exclude(phone="")
        matched = []
        for person in candidates:
            try:
                if normalise_number(person.phone) == address.value:
                    matched.append(person)
            except SmsError:
                continue
        candidates = matched
    return [p for p in candidates if eligible(p)]


# --- rate limits (the cache) ---------------------------------------------------------------


def _hit(key: str, limit: int) -> bool:
    """Count one use of `key` in the current window; False when the limit is passed."""
    full = f"kring.family:{key}"
    cache.add(full, 0, WINDOW)
    try:
        count = cache.incr(full)
    except ValueError:  # expired between add and incr
        cache.set(full, 1, WINDOW)
        count = 1
    return count <= limit


def _failures_key(address_hash_value: str) -> str:
    return f"kring.family:fail:{address_hash_value}"


def slowed_for(address_hash_value: str) -> int:
    """Seconds this address must still wait before a code is checked again (0: none)."""
    state = cache.get(_failures_key(address_hash_value))
    if not state or state["count"] < MAX_FAILURES:
        return 0
    wait = min(SLOW_DOWN_FIRST * 2 ** (state["count"] - MAX_FAILURES), SLOW_DOWN_MAX)
    return max(0, int(state["last"] + wait - time.time()))


def _record_failure(address_hash_value: str) -> None:
    key = _failures_key(address_hash_value)
    state = cache.get(key) or {"count": 0, "last": 0.0}
    state = {"count": state["count"] + 1, "last": time.time()}
    cache.set(key, state, SLOW_DOWN_MAX * 2)


# --- the two steps -------------------------------------------------------------------------


@transaction.atomic
def sign_in_request(*, address: Address, ip: str | None, language: str = "nl") -> SignInCode | None:
    """Queue a code for the address; None when the address or the IP asked too often.

    The same work happens whether the address is known or not.
    """
    from .tasks import send_sign_in_code

    if not _hit(f"ip:{ip}", REQUESTS_PER_IP) or not _hit(f"addr:{address.hash}", CODES_PER_ADDRESS):
        return None
    now = timezone.now()
    persons = persons_for(address)
    sign_in = SignInCode.objects.create(
        address_hash=address.hash, channel=address.channel, person_ids=sorted(p.pk for p in persons),
        language=language, created_at=now, expires_at=now + CODE_LIFETIME,
    )
    send_sign_in_code.enqueue(sign_in_id=sign_in.pk)
    return sign_in


def make_code() -> str:
    import secrets

    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def sign_in_verify(*, address_hash_value: str, code: str, ip: str | None,
                   sign_in_id: int | None = None) -> list[int]:
    """The person ids the code signs in, or `SignInRefused`.

    A wrong code counts against the address (slow-down) and against the code
    itself (after `MAX_FAILURES` wrong tries the code stops working). Not one
    transaction on purpose: a refusal must keep its count (the cache lives in the
    database too); the conditional update makes a code work only once.
    """
    wait = slowed_for(address_hash_value)
    if wait or not _hit(f"try-ip:{ip}", TRIES_PER_IP):
        raise SignInRefused("slowed", wait or WINDOW)
    code = re.sub(r"\s", "", code or "")
    now = timezone.now()
    rows = SignInCode.objects.filter(
        address_hash=address_hash_value, used_at__isnull=True, expires_at__gt=now,
        wrong_tries__lt=MAX_FAILURES,
    ).exclude(code_hash="")
    if sign_in_id is not None:
        rows = rows.filter(pk=sign_in_id)
    match = None
    candidates = list(rows.order_by("-created_at")[:CODES_PER_ADDRESS])
    for row in candidates:
        if code.isdigit() and len(code) == CODE_DIGITS and hmac.compare_digest(row.code_hash, code_hash(row, code)):
            match = row
            break
    if match is None or not match.person_ids:
        for row in candidates:
            SignInCode.objects.filter(pk=row.pk).update(wrong_tries=F("wrong_tries") + 1)
        _record_failure(address_hash_value)
        raise SignInRefused("wrong")
    # Single use: only the first request that marks it used gets in.
    if not SignInCode.objects.filter(pk=match.pk, used_at__isnull=True).update(used_at=now):
        raise SignInRefused("wrong")
    cache.delete(_failures_key(address_hash_value))
    persons = CasePerson.objects.filter(pk__in=match.person_ids)
    return sorted(p.pk for p in persons if eligible(p))
