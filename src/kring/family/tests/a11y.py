"""Helpers for the browser checks: axe-core in the page, phone width, keyboard-only use."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.1 A and AA (and the best practices axe checks by default would add noise).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require_axe() -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `npm ci` in the repository root to install axe-core")


def axe_violations(page) -> list[str]:
    """The WCAG 2.1 AA violations axe-core finds on the page, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    lines = []
    for violation in result["violations"]:
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{page.url} {violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    return lines


def assert_accessible(page) -> None:
    problems = axe_violations(page)
    assert not problems, "axe-core found violations:\n" + "\n".join(problems)


def assert_no_horizontal_scroll(page, width: int = 375) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width}px: {scroll}px wide"


def tab_to(page, selector: str, max_tabs: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    target = page.locator(selector).first
    for _ in range(max_tabs):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus with Tab on {page.url}")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


@pytest.fixture
def axe_page(browser):
    """Like `kring.testing.browser.new_page`, with the page's Content Security Policy bypassed so
    that Playwright can inject axe-core as a script tag (the site itself allows no inline script)."""
    from kring.testing.browser import DEFAULT_LOCALE, DEFAULT_TIMEOUT_MS, VIEWPORT_HEIGHTS

    contexts = []

    def _new(*, base_url: str, width: int = 1280, locale: str = DEFAULT_LOCALE):
        context = browser.new_context(
            base_url=base_url, viewport={"width": width, "height": VIEWPORT_HEIGHTS.get(width, 800)},
            locale=locale, timezone_id="Europe/Amsterdam", bypass_csp=True, accept_downloads=True,
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()
