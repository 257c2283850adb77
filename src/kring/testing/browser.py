"""Shared Playwright fixtures for browser tests (STACK.md, "Browser tests").

Use them from a test module by importing the fixtures you need:

    from kring.testing.browser import browser, new_page, page, viewport_width  # noqa: F401
    from kring.testing.browser import expect, sign_in

    pytestmark = [pytest.mark.browser,
                  pytest.mark.django_db(transaction=True, serialized_rollback=True)]

- `browser` (session): Debian's Chromium at /usr/bin/chromium, driven by Playwright.
  Tests using it are skipped, with the reason, when Chromium or Playwright is missing.
- `new_page(base_url=..., width=..., locale=...)`: a page in a fresh browser context
  (own cookies, so one context per person signing in). Closed after the test.
- `page`: one such page. Its width comes from the `viewport_width` fixture (1280);
  parametrize it to run a test on a phone too:
  `@pytest.mark.parametrize("viewport_width", [375, 1280])`.
- `flushable_access_log`: lets the end-of-test flush of a transactional test empty the
  append-only access log (see the fixture).
- `sign_in(page, live_server_url, username, password, totp_secret)`: the real login
  form, then the real TOTP step.

Browser tests need the live server and therefore a transactional database; create
their data in a fixture that requests `live_server` (not the `world` fixture, which
uses `db`, whose data the server thread cannot see).
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM would otherwise
# refuse to run next to it ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError as exc:  # pragma: no cover - depends on the machine
    Browser = Page = None  # type: ignore[assignment,misc]
    expect = None  # type: ignore[assignment]
    sync_playwright = None  # type: ignore[assignment]
    _PLAYWRIGHT_IMPORT_ERROR: ImportError | None = exc
else:
    _PLAYWRIGHT_IMPORT_ERROR = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT_HEIGHTS = {375: 812, 1280: 800}
#: Dutch is the interface's default language; the browser asks for it explicitly,
#: because headless Chromium would otherwise send "Accept-Language: en-US".
DEFAULT_LOCALE = "nl-NL"
DEFAULT_TIMEOUT_MS = 10_000

LOGIN_PATH = "/accounts/login/"
MFA_AUTHENTICATE_PATH = "/accounts/2fa/authenticate/"


def browser_unavailable_reason() -> str | None:
    """Why browser tests cannot run on this machine, or None when they can."""
    if _PLAYWRIGHT_IMPORT_ERROR is not None:
        return f"Python package 'playwright' cannot be imported ({_PLAYWRIGHT_IMPORT_ERROR})"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)"
    return None


_shared: dict = {}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Playwright and one Chromium per test process.

    A second sync Playwright in the same process fails, and a module that imports
    this fixture gets its own fixture instance; so instances share one browser,
    counted, and the last one closes it.
    """
    reason = browser_unavailable_reason()
    if reason:
        pytest.skip(reason)
    if "browser" not in _shared:
        playwright = sync_playwright().start()
        try:
            _shared["browser"] = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception:
            playwright.stop()
            raise
        _shared["playwright"] = playwright
        _shared["users"] = 0
    _shared["users"] += 1
    yield _shared["browser"]
    _shared["users"] -= 1
    if _shared["users"] == 0:
        _shared.pop("browser").close()
        _shared.pop("playwright").stop()


@pytest.fixture
def viewport_width() -> int:
    """Desktop by default; parametrize with 375 for a phone."""
    return 1280


@pytest.fixture
def new_page(browser, viewport_width) -> Iterator[Callable[..., Page]]:
    """Factory for pages, each in its own browser context (own cookies and session)."""
    contexts = []

    def _new_page(*, base_url: str | None = None, width: int | None = None,
                  locale: str = DEFAULT_LOCALE) -> Page:
        width = width or viewport_width
        context = browser.new_context(
            base_url=base_url,
            viewport={"width": width, "height": VIEWPORT_HEIGHTS.get(width, 800)},
            locale=locale,
            timezone_id="Europe/Amsterdam",
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


@pytest.fixture
def flushable_access_log(transactional_db) -> Iterator[None]:
    """Let the flush after a transactional test empty the append-only access log.

    The access log has database triggers that refuse DELETE (SQLite) and DELETE and
    TRUNCATE (PostgreSQL), so the flush that ends every transactional test fails on the
    rows the views wrote. This fixture, at teardown, arranges that the next flush on
    this connection (the one that follows right after) drops the triggers, flushes and
    creates them again. The triggers stay in force during the test itself.

    At setup it also puts back the regions and municipalities (a data migration) when
    the flush after an earlier transactional test removed them: serialized_rollback
    cannot restore them once Playwright's sync API has started an asyncio loop in this
    thread, and which test ran before depends on how xdist splits the suite.
    """
    from kring.regions.loading import load_regions
    from kring.regions.models import Municipality, Region

    if not Municipality.objects.exists():
        load_regions(Region, Municipality)
    yield
    _lift_access_log_triggers_for_next_flush()


def _lift_access_log_triggers_for_next_flush() -> None:
    from django.db import DEFAULT_DB_ALIAS, connections

    migration = importlib.import_module("kring.audit.migrations.0002_append_only_triggers")
    connection = connections[DEFAULT_DB_ALIAS]
    vendor = connection.vendor
    drop = {"sqlite": migration.SQLITE_REVERSE, "postgresql": migration.POSTGRES_REVERSE}.get(vendor, [])
    create = {"sqlite": migration.SQLITE, "postgresql": migration.POSTGRES}.get(vendor, [])
    ops = connection.ops
    original = ops.execute_sql_flush

    def execute_sql_flush(sql_list):
        del ops.execute_sql_flush  # one flush only; back to the class's method
        with connection.cursor() as cursor:
            for sql in drop:
                cursor.execute(sql)
        try:
            return original(sql_list)
        finally:
            with connection.cursor() as cursor:
                for sql in create:
                    cursor.execute(sql)

    ops.execute_sql_flush = execute_sql_flush


# --- Signing in ---------------------------------------------------------------------

#: The TOTP time step each user last signed in with. allauth refuses a code that was
#: already used (it remembers it in the cache for one period), so a second sign-in of
#: the same user in the same 30-second window waits for the next window.
_last_totp_counter: dict[str, int] = {}


def totp_code(secret: str, at: float | None = None) -> str:
    """The current TOTP code for a base32 secret, as allauth computes it."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, _totp_counter(at)))


def _totp_period() -> int:
    from allauth.mfa import app_settings

    return app_settings.TOTP_PERIOD


def _totp_counter(at: float | None = None) -> int:
    return int(time.time() if at is None else at) // _totp_period()


def _fresh_totp_counter(username: str, margin: float = 2.0) -> int:
    """A time step not used by this user yet, with `margin` seconds left in it."""
    period = _totp_period()
    while True:
        now = time.time()
        counter = int(now) // period
        left = (counter + 1) * period - now
        if left >= margin and _last_totp_counter.get(username) != counter:
            return counter
        time.sleep(left + 0.05)


def _translate(msgid: str, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return translation.gettext(msgid)


def page_language(page: Page) -> str:
    """The interface language of the page (`<html lang>`), e.g. 'nl'."""
    return page.locator("html").get_attribute("lang") or "nl"


def sign_in(page: Page, live_server_url: str, username: str, password: str, totp_secret: str,
            *, attempts: int = 2) -> Page:
    """Sign in through the real login form and the real second-factor step.

    Leaves the page where Kring sends a user after signing in (their start page).
    """
    base = live_server_url.rstrip("/")
    page.goto(f"{base}{LOGIN_PATH}")
    lang = page_language(page)
    page.get_by_label(_translate("Username", lang)).fill(username)
    page.get_by_label(_translate("Password", lang)).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name=_translate("Sign In", lang), exact=True).click()
    if MFA_AUTHENTICATE_PATH not in page.url:
        raise AssertionError(
            f"sign-in of {username!r}: expected the second-factor step, got {page.url}:\n"
            f"{page.locator('main').inner_text()}"
        )
    for attempt in range(1, attempts + 1):
        counter = _fresh_totp_counter(username)
        _last_totp_counter[username] = counter
        page.get_by_label(_translate("Code", lang)).fill(totp_code(totp_secret, counter * _totp_period()))
        with page.expect_navigation():
            page.get_by_role("button", name=_translate("Sign In", lang), exact=True).click()
        if MFA_AUTHENTICATE_PATH not in page.url:
            break
        if attempt == attempts:
            raise AssertionError(
                f"sign-in of {username!r}: the TOTP code was refused {attempts} times:\n"
                f"{page.locator('main').inner_text()}"
            )
    if page.url.startswith(f"{base}/accounts/login"):
        raise AssertionError(f"sign-in of {username!r} ended on the login page again")
    return page
