"""A network member checks in from their own page (/gezin/netwerk/…), in a real browser on a phone.

The member has no account: their personal link is the key. In the first test it comes from
the real invitation e-mail, sent when the parent (signed in with a one-time code) invites
them to the family's self-made plan; the plan is then followed up like a conference plan.
Only keyboard-reachable controls are used (labels, roles); every page gets axe-core
(WCAG 2.1 AA: 0 violations) and the 375-pixel check for sideways scrolling.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import translation

from kring.audit.models import AccessLogEntry
from kring.cases.models import Case, State
from kring.core import sms
from kring.family.models import SelfPlanStep
from kring.family.services import (
    member_link_url,
    self_plan_add_person,
    self_plan_finish,
    self_plan_save,
    self_plan_start,
)
from kring.family.session import Family
from kring.followup.models import CheckIn, CheckInAnswer
from kring.network.models import CircleMember, MemberRole
from kring.regions.models import Municipality
from kring.testing.browser import expect, flushable_access_log  # noqa: F401 (fixtures)
from kring.testing.helpers import run_worker

from .a11y import assert_accessible, assert_no_horizontal_scroll, axe_page, require_axe  # noqa: F401 (fixture)
from .conftest import ensure_regions, make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = 375
PARENT_EMAIL = "samira.haddad@example.org"
OMA_EMAIL = "oma.fatna@example.org"
SCHOOL = "Brengt de kinderen op maandag naar school"


def t(msgid: str) -> str:
    with translation.override("nl"):
        return translation.gettext(msgid)


def in_dutch(lazy_text) -> str:
    with translation.override("nl"):
        return str(lazy_text)


def check(page) -> None:
    assert_accessible(page)
    assert_no_horizontal_scroll(page, PHONE)


def click_and_wait(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


@pytest.fixture
def portal(flushable_access_log, live_server, settings):  # noqa: F811
    require_axe()
    ensure_regions()
    settings.SMS_BACKEND = "locmem"
    settings.SITE_URL = live_server.url  # the links in the e-mails lead to the live server
    cache.clear()
    sms.outbox.clear()
    mail.outbox.clear()


@pytest.fixture
def self_made(portal):
    """A family that made its own plan (the wizard itself is the family browser test's subject):
    Oma Fatna brings the children to school."""
    _self_plan, parent = self_plan_start(name="Samira Haddad", email=PARENT_EMAIL,
                                         municipality=Municipality.objects.get(name="Utrecht"))
    family = Family(person=parent, case=parent.case)
    oma = self_plan_add_person(family=family, data={"name": "Oma Fatna", "relation": "oma", "email": OMA_EMAIL})
    self_plan_save(family=family, step="finish", answers={
        "problem": "Wie brengt de kinderen naar school?",
        "agreements": [{"who": oma.pk, "what": SCHOOL, "when": "elke maandag"}],
        "keep_informed": "Een groepsapp", "when_not_kept": "We bellen elkaar",
    })
    self_plan_finish(family=family)
    return family, oma


def test_a_network_member_invited_to_a_self_made_plan_checks_in_from_their_own_page(
        self_made, axe_page, live_server):  # noqa: F811
    family, oma = self_made
    base = live_server.url

    # The parent signs in with a one-time code and invites Oma; Oma's e-mail holds her own link.
    parent = axe_page(base_url=base, width=PHONE)
    parent.goto("/gezin/")
    parent.get_by_label(t("Your e-mail address or mobile number")).fill(PARENT_EMAIL)
    parent.get_by_role("button", name=t("Send me a code")).click()
    expect(parent).to_have_url(re.compile(r"/gezin/inloggen/code/$"))
    run_worker()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)[1]
    parent.get_by_label(t("The code of 6 digits")).fill(code)
    parent.get_by_role("button", name=t("Sign in"), exact=True).click()
    expect(parent).to_have_url(re.compile(r"/gezin/$"))
    parent.get_by_role("link", name=t("Change your plan")).click()
    parent.get_by_role("navigation", name=t("Steps")).get_by_role(
        "link", name=in_dutch(SelfPlanStep.MEETING.label)).click()
    expect(parent).to_have_url(re.compile(r"/gezin/zelf/meeting/$"))
    invite = parent.get_by_role("group", name=t("Send an invitation by e-mail"))
    invite.get_by_label("Oma Fatna").check()
    click_and_wait(parent, t("Send the invitations"))
    expect(parent.get_by_role("status")).to_contain_text(t("Invitations sent: %(count)s.") % {"count": 1})
    mail.outbox.clear()
    run_worker()
    (invitation,) = mail.outbox
    assert invitation.to == [OMA_EMAIL]
    (link,) = re.findall(rf"{re.escape(base)}/gezin/netwerk/[^\s/]+/", invitation.body)

    # Oma opens her page, sees her agreement and says how it is going.
    oma_page = axe_page(base_url=base, width=PHONE)
    oma_page.goto(link)
    expect(oma_page.get_by_role("heading", level=1)).to_have_text(
        t("Hello %(name)s") % {"name": "Oma Fatna"})
    expect(oma_page.locator("ol.agreements")).to_contain_text(SCHOOL)
    section = oma_page.get_by_role("region", name=t("How is it going?"))
    expect(section).to_contain_text(t("Tell us how the agreements are going. It takes two minutes."))
    check(oma_page)
    click_and_wait(oma_page, t("Say how it is going"))
    expect(oma_page).to_have_url(re.compile(r"/followup/c/[^/]+/$"))
    expect(oma_page.get_by_role("heading", level=1)).to_have_text(t("Hello %(first_name)s") % {"first_name": "Oma"})
    check(oma_page)
    group = oma_page.get_by_role("group", name=re.compile(re.escape(SCHOOL)))
    group.get_by_label(t("Partly"), exact=True).check()
    group.get_by_role("textbox").fill("Op maandag lukt het, op regendagen niet.")
    click_and_wait(oma_page, t("Send my answers"))
    expect(oma_page.get_by_role("status")).to_contain_text(t("Thank you! Your answers have been saved."))
    expect(oma_page.locator("#answered")).to_be_visible()
    expect(group.get_by_label(t("Partly"), exact=True)).to_be_checked()
    check(oma_page)

    check_in = CheckIn.objects.get(member=oma)
    assert check_in.reminder is None and check_in.answered_at is not None
    assert check_in.plan_version == family.case.plan.current
    assert list(CheckInAnswer.objects.filter(check_in=check_in).values_list("agreement__what", "rating", "comment")) == [
        (SCHOOL, "partly", "Op maandag lukt het, op regendagen niet.")]
    purposes = set(AccessLogEntry.objects.filter(case_id=family.case.pk).values_list("purpose", flat=True))
    assert {"circle member: check-in started from their own page",
            "check-in answered by the circle member"} <= purposes


def test_only_a_member_with_something_to_rate_is_offered_a_check_in_and_a_stale_button_changes_nothing(
        portal, axe_page, live_server):  # noqa: F811
    world = make_family()
    grandpa = CircleMember.objects.create(case=world.case, role=MemberRole.NETWORK, name="Opa Jan",
                                          email="opa@example.org")
    page = axe_page(base_url=live_server.url, width=PHONE)

    def open_own_page(member) -> None:
        url = member_link_url(member)
        page.goto(url[url.index("/gezin/"):])

    # No agreement of his own: nothing to check in on.
    open_own_page(grandpa)
    expect(page.locator("main")).to_contain_text(t("You have no agreements in the plan (yet)."))
    expect(page.get_by_role("button", name=t("Say how it is going"))).to_have_count(0)
    check(page)

    # The aunt keeps an eye on the plan: she rates every agreement. Pressing twice opens one check-in.
    open_own_page(world.aunt)
    click_and_wait(page, t("Say how it is going"))
    expect(page.locator("main").get_by_role("group")).to_have_count(2)
    open_own_page(world.aunt)
    click_and_wait(page, t("Say how it is going"))
    expect(page).to_have_url(re.compile(r"/followup/c/[^/]+/$"))
    assert CheckIn.objects.filter(member=world.aunt).count() == 1

    # The neighbour's page is open when the case is closed: his press is refused, nothing is made.
    open_own_page(world.neighbour)
    Case.objects.filter(pk=world.case.pk).update(state=State.CLOSED)
    click_and_wait(page, t("Say how it is going"))
    expect(page.get_by_role("status")).to_contain_text(
        t("There is nothing to check in on now: the plan is not being followed up."))
    expect(page.get_by_role("button", name=t("Say how it is going"))).to_have_count(0)
    check(page)
    assert not CheckIn.objects.filter(member=world.neighbour).exists()
    assert not CheckInAnswer.objects.exists()
