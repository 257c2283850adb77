"""The family's space in a real browser, on a phone: signing in with a code, reading the plan,
withdrawing a consent, the access log; a plan made at home from start to PDF with the keyboard
only; a circle member's own page. axe-core runs on every page (WCAG 2.1 AA: 0 violations)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import translation

from kring.cases.models import Case
from kring.core import sms
from kring.family.models import FamilyConsent
from kring.family.services import may_receive_copy, member_link_url
from kring.plans.models import Source
from kring.testing.browser import (  # noqa: F401 (fixtures)
    expect,
    flushable_access_log,
    viewport_width,
)
from kring.testing.helpers import run_worker

from .a11y import (
    assert_accessible,
    assert_no_horizontal_scroll,
    axe_page,  # noqa: F401 (fixture)
    require_axe,
    tab_to,
    type_into,
)
from .conftest import PARENT_EMAIL, ensure_regions, make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = 375


def t(msgid: str) -> str:
    with translation.override("nl"):
        return translation.gettext(msgid)


@pytest.fixture
def family(flushable_access_log, live_server, settings):  # noqa: F811
    require_axe()
    ensure_regions()
    settings.SMS_BACKEND = "locmem"
    cache.clear()
    sms.outbox.clear()
    return make_family()


def check(page, shots, name: str) -> None:
    """Every family page: no axe violations, no sideways scrolling at 375 px, a screenshot."""
    assert_accessible(page)
    assert_no_horizontal_scroll(page, PHONE)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_a_parent_signs_in_reads_the_plan_withdraws_a_consent_and_sees_the_log(
        family, axe_page, live_server, tmp_path):  # noqa: F811
    page = axe_page(base_url=live_server.url, width=PHONE)
    page.goto("/gezin/")
    check(page, tmp_path, "sign-in")
    page.get_by_label(t("Your e-mail address or mobile number")).fill(PARENT_EMAIL)
    page.get_by_role("button", name=t("Send me a code")).click()
    expect(page).to_have_url(re.compile(r"/gezin/inloggen/code/$"))
    check(page, tmp_path, "code")
    run_worker()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)[1]
    page.get_by_label(t("The code of 6 digits")).fill(code)
    page.get_by_role("button", name=t("Sign in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/gezin/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fatima el Amrani")
    check(page, tmp_path, "home")

    nav = page.get_by_role("navigation", name=t("Your family plan"))
    nav.get_by_role("link", name=t("Your plan")).click()
    expect(page.locator("main")).to_contain_text("Wie brengt de kinderen naar school?")
    check(page, tmp_path, "plan")
    with page.expect_download() as download:
        page.get_by_role("link", name=t("Download the plan (PDF)")).click()
    assert download.value.suggested_filename.endswith(".pdf")

    nav.get_by_role("link", name=t("Your circle")).click()
    expect(page.locator("svg.ecomap-svg")).to_be_visible()
    check(page, tmp_path, "circle")

    nav.get_by_role("link", name=t("Who may see what")).click()
    row = page.get_by_role("row").filter(has_text="Khadija Bakr")
    row.get_by_role("button", name=re.compile(t("Withdraw"))).click()
    expect(page.get_by_role("status")).to_contain_text(t("Withdrawn. This holds from now on."))
    check(page, tmp_path, "consent")
    assert not may_receive_copy(family.version, member=family.aunt)
    assert FamilyConsent.objects.get().by_person == family.parent

    nav.get_by_role("link", name=t("Who looked at your file")).click()
    expect(page.locator("table.access-log")).to_contain_text(t("family portal: consents"))  # the "why"
    check(page, tmp_path, "access-log")

    # Switch to English: the portal speaks it too.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who looked at your file")
    check(page, tmp_path, "access-log-en")


def test_a_family_makes_its_own_plan_with_the_keyboard_only(family, axe_page, live_server, tmp_path):  # noqa: F811
    page = axe_page(base_url=live_server.url, width=PHONE)
    page.goto("/gezin/zelf/")
    check(page, tmp_path, "self-start")
    type_into(page, "#id_name", "Samira Haddad")
    type_into(page, "#id_email", "samira@example.org")
    type_into(page, "#id_municipality", "Utrecht")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/gezin/zelf/problem/$"))
    check(page, tmp_path, "self-problem")
    type_into(page, "#id_problem", "مَن يأخذ الأطفال إلى المدرسة؟")  # any script, right to left
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/gezin/zelf/people/$"))
    check(page, tmp_path, "self-people")
    type_into(page, "#id_person-name", "Oma Fatna")
    type_into(page, "#id_person-email", "oma@example.org")
    tab_to(page, "button[value=add_person]")
    page.keyboard.press("Space")
    expect(page.get_by_role("status")).to_contain_text("Oma Fatna")
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/gezin/zelf/meeting/$"))
    check(page, tmp_path, "self-meeting")
    type_into(page, "#id_place", "Bij oma thuis")
    tab_to(page, "button[value=save]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_be_visible()
    tab_to(page, "input[name=invite]")
    page.keyboard.press("Space")
    tab_to(page, "button[value=invite]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("1")
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/gezin/zelf/agreements/$"))
    check(page, tmp_path, "self-agreements")
    tab_to(page, "#id_agreement-who")
    page.keyboard.type("Oma")  # a select takes the first letters typed
    type_into(page, "#id_agreement-what", "Brengt de kinderen naar school")
    type_into(page, "#id_agreement-when", "elke dag")
    tab_to(page, "button[value=add_agreement]")
    page.keyboard.press("Enter")
    expect(page.locator("ol.agreements")).to_contain_text("Brengt de kinderen naar school")
    type_into(page, "#id_writer", "Samira")
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/gezin/zelf/sharing/$"))
    check(page, tmp_path, "self-sharing")
    tab_to(page, "input[name=copy]:not([value='0'])")
    oma_box = page.get_by_label("Oma Fatna")
    tab_to(page, f"#{oma_box.get_attribute('id')}")
    page.keyboard.press("Space")
    type_into(page, "#id_when_not_kept", "We bellen elkaar")
    type_into(page, "#id_keep_informed", "Een groepsapp")
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/gezin/zelf/finish/$"))
    check(page, tmp_path, "self-finish")
    tab_to(page, "button[value=finish]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/gezin/plan/$"))
    written = page.locator("p.written").first
    expect(written).to_have_attribute("dir", "auto")
    assert written.evaluate("el => getComputedStyle(el).direction") == "rtl"
    check(page, tmp_path, "self-plan")
    tab_to(page, "a[href*='/gezin/plan/pdf/']")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert read_start(download.value.path()).startswith(b"%PDF")

    case = Case.objects.get(requester_email="samira@example.org")
    assert case.plan.source == Source.SELF_MADE and case.coordinator is None
    assert [a.what for a in case.plan.current.agreements.all()] == ["Brengt de kinderen naar school"]
    assert [m.name for m in case.plan.current.copy_recipients.all()] == ["Oma Fatna"]


def read_start(path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(5)


def test_a_circle_member_sees_their_agreements(family, axe_page, live_server, tmp_path):  # noqa: F811
    page = axe_page(base_url=live_server.url, width=PHONE)
    url = member_link_url(family.neighbour)
    page.goto(url[url.index("/gezin/"):])
    expect(page.locator("main")).to_contain_text("Haalt de boodschappen")
    expect(page.locator("main")).not_to_contain_text("Brengt Adam")
    check(page, tmp_path, "member")
    url = member_link_url(family.aunt)
    page.goto(url[url.index("/gezin/"):])
    expect(page.locator("main")).to_contain_text("Haalt de boodschappen")  # the whole plan: a copy recipient
    check(page, tmp_path, "member-with-plan")
