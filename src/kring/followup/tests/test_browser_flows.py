"""The follow-up in a real browser: check-ins, the convenor's alert, reconvening, the evaluation,
plan versions side by side, and misused links.

The starting point is the follow-up tests' accepted plan (`accept_plan`: the aunt keeps an
eye on it and has agreement 1, the mother has agreement 2, the uncle calls the circle
together, the neighbour cannot be reached), built in the test thread. Every step after it
goes through the pages: the circle members without an account use the personal links
from the real e-mails (a local SMTP server), the coordinator signs in with password and
TOTP. Only the controls a keyboard reaches are used (labels, roles), and axe-core checks
every page on the way (WCAG 2.1 AA: 0 violations).
"""

from __future__ import annotations

import email
import re
from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone, translation

from kring.cases.models import Case, State
from kring.conferences.models import Conference, Invitation, Response
from kring.core import links
from kring.family.services import member_link_url
from kring.family.tests.a11y import assert_accessible, axe_page, require_axe  # noqa: F401 (fixture)
from kring.family.tests.conftest import ensure_regions, make_family
from kring.followup import dispatch, services
from kring.followup.models import (
    CheckIn,
    CheckInAnswer,
    Evaluation,
    Reminder,
    ReminderKind,
    ReminderStatus,
)
from kring.plans.models import Distribution, PlanStatus, PlanVersion
from kring.plans.tests.builders import ARABIC_AGREEMENT
from kring.testing import factories as f
from kring.testing.browser import expect, flushable_access_log, sign_in  # noqa: F401 (fixtures)
from kring.testing.helpers import run_worker

from .conftest import Accepted, accept_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LANG = "nl"
COORDINATOR = "samira"
COORDINATOR_EMAIL = "samira@example.org"
AUNT_EMAIL, MOTHER_EMAIL, UNCLE_EMAIL = "barbara@example.org", "fatima@example.org", "omar@example.org"
BREAKFAST = "Moeder zorgt voor ontbijt voor Yasmina."  # agreement 2, the mother's


def t(msgid: str) -> str:
    """A message as the Dutch interface shows it."""
    with translation.override(LANG):
        return translation.gettext(msgid)


def nt(singular: str, plural: str, count: int) -> str:
    with translation.override(LANG):
        return translation.ngettext(singular, plural, count) % {"counter": count}


def field(scope, text: str):
    """The control labelled `text`, or `text (optional)` as optional fields show it."""
    optional = re.escape(t("optional"))
    return scope.get_by_label(re.compile(rf"^{re.escape(text)}(\s*\({optional}\))?$"))


def click_and_wait(page, name: str, *, scope=None) -> None:
    """Press a button that submits a form and wait for the page that follows."""
    with page.expect_navigation():
        (scope or page).get_by_role("button", name=name, exact=True).click()


def refused(page, title: str) -> None:
    """The page a refused link shows: what is wrong, in Dutch, and that nothing changed."""
    expect(page.get_by_role("heading", level=1)).to_have_text(t(title))
    expect(page.locator("main")).to_contain_text(t("Nothing has been changed."))
    expect(page.locator("main").get_by_role("button")).to_have_count(0)  # nothing to send from here
    assert_accessible(page)


# --- the clock, the world, the mail ------------------------------------------------------------


@pytest.fixture(autouse=True)
def clock():
    """Real, running time instead of the package's frozen clock: the live server, the worker and
    the TOTP codes need time to pass. A test that needs a later moment travels there itself."""
    yield None


@pytest.fixture
def accepted(flushable_access_log, live_server, smtp_server, settings) -> Accepted:  # noqa: F811
    """The accepted plan with its follow-up schedule; e-mail goes to the local SMTP server and
    its links lead to the live server."""
    require_axe()
    ensure_regions()
    settings.SITE_URL = live_server.url
    settings.FOLLOWUP_NOT_THRESHOLD = 2
    coordinator = f.CoordinatorFactory(username=COORDINATOR, first_name="Samira", last_name="Bakker",
                                       email=COORDINATOR_EMAIL)
    professional = f.ProfessionalFactory(username="petra", first_name="Petra", last_name="Jansen")
    linked = f.ProfessionalFactory(username="linked", professional_kind="jhv")
    case = f.CaseFactory(referred_by=professional)
    f.link_professional(case, linked)
    world = SimpleNamespace(coordinator=coordinator, professional=professional, linked_professional=linked,
                            case=case)
    result = accept_plan(world)
    run_worker()  # whatever accepting the plan queued
    smtp_server.messages.clear()
    return result


def body_of(message: email.message.Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain" and part.get_filename() is None:
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError(f"no text body in {message['Subject']!r}")


def recipients(smtp_server) -> list[str]:
    return sorted(m["To"].lower() for m in smtp_server.messages)


def one_link(message, base: str, path: str) -> str:
    found = re.findall(rf"{re.escape(base)}{re.escape(path)}[^\s/]+/", body_of(message))
    assert len(found) == 1, body_of(message)
    return found[0]


def send_next_reminder(accepted, member, kind, smtp_server, base: str) -> str:
    """Make the member's next reminder of `kind` due, let the dispatcher send it, and return the
    personal link from the e-mail that arrived."""
    reminder = (accepted.case.reminders.filter(member=member, kind=kind, status=ReminderStatus.SCHEDULED)
                .order_by("due_at").first())
    Reminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now())
    smtp_server.messages.clear()
    dispatch.send_due_reminders()
    (message,) = smtp_server.messages
    assert message["To"].lower() == member.email.lower()
    return one_link(message, base, "/followup/c/")


def agreements(accepted):
    return list(accepted.version.agreements.order_by("order", "pk"))


def answers_of(member) -> set[tuple[str, str, str]]:
    return {(a.agreement.what, a.rating, a.comment) for a in CheckInAnswer.objects.filter(
        check_in__member=member).select_related("agreement")}


def rate(page, agreement_text: str, rating_label: str, comment: str) -> None:
    """Rate one agreement on the check-in page: its group is named after the agreement."""
    group = page.get_by_role("group", name=re.compile(re.escape(agreement_text)))
    group.get_by_label(t(rating_label), exact=True).check()
    field(group, t("Comment (optional)")).fill(comment)


# --- 1 and 4: check-ins, the alert, the convenor calls the circle together ------------------------


def test_check_ins_from_the_reminder_emails_alert_the_convenor_who_calls_the_circle_together(
        accepted, axe_page, live_server, smtp_server):  # noqa: F811
    base = live_server.url
    circle, case = accepted.circle, accepted.case
    first, second = agreements(accepted)

    # The aunt keeps an eye on the plan: her first reminder brings her personal link.
    aunt_link = send_next_reminder(accepted, circle.aunt, ReminderKind.MONITOR, smtp_server, base)
    aunt = axe_page(base_url=base)
    aunt.goto(aunt_link)
    expect(aunt.get_by_role("heading", level=1)).to_have_text(t("Hello %(first_name)s") % {"first_name": "Barbara"})
    expect(aunt.locator("main")).to_contain_text(t("You keep an eye on the plan. How are the agreements going?"))
    expect(aunt.locator("main").get_by_role("group")).to_have_count(2)  # the monitor rates every agreement
    assert_accessible(aunt)
    rate(aunt, ARABIC_AGREEMENT, "Not going well", "Tante is ziek, oom brengt haar nu.")
    rate(aunt, BREAKFAST, "Partly", "Lukt op schooldagen.")
    click_and_wait(aunt, t("Send my answers"))
    expect(aunt.get_by_role("status")).to_contain_text(t("Thank you! Your answers have been saved."))
    expect(aunt.locator("#answered")).to_have_text(t("We have your answers. You can change them below."))
    group = aunt.get_by_role("group", name=re.compile(re.escape(ARABIC_AGREEMENT)))
    expect(group.get_by_label(t("Not going well"), exact=True)).to_be_checked()
    assert_accessible(aunt)
    aunt_check_in = CheckIn.objects.get(member=circle.aunt)
    assert aunt_check_in.answered_at is not None
    assert answers_of(circle.aunt) == {(first.what, "not", "Tante is ziek, oom brengt haar nu."),
                                       (second.what, "partly", "Lukt op schooldagen.")}
    assert not Reminder.objects.filter(case=case, kind=ReminderKind.ALERT).exists()  # 1 "not", threshold 2

    # The mother checks in on her own agreement only; her "not" makes two: the convenor is alerted.
    mother_link = send_next_reminder(accepted, circle.mother, ReminderKind.CHECK_IN, smtp_server, base)
    mother = axe_page(base_url=base)
    mother.goto(mother_link)
    expect(mother.locator("main").get_by_role("group")).to_have_count(1)
    expect(mother.locator("main")).not_to_contain_text(ARABIC_AGREEMENT)
    assert_accessible(mother)
    rate(mother, BREAKFAST, "Not going well", "Ik werk nu vroeg.")
    click_and_wait(mother, t("Send my answers"))
    expect(mother.get_by_role("status")).to_contain_text(t("Thank you! Your answers have been saved."))
    assert answers_of(circle.mother) == {(second.what, "not", "Ik werk nu vroeg.")}
    alert = Reminder.objects.get(case=case, kind=ReminderKind.ALERT)
    assert alert.member == circle.uncle

    # The coordinator sees it on the follow-up page.
    coordinator = axe_page(base_url=base)
    sign_in(coordinator, base, COORDINATOR, f.TEST_PASSWORD, f.TEST_TOTP_SECRET)
    coordinator.goto(f"/cases/{case.pk}/")
    coordinator.get_by_role("navigation", name=t("Parts of this case")).get_by_role(
        "link", name=t("Follow-up"), exact=True).click()
    expect(coordinator).to_have_url(f"{base}/cases/{case.pk}/followup/")
    expect(coordinator.locator("#not-count")).to_have_text(nt(
        "%(counter)s agreement is not going well.", "%(counter)s agreements are not going well.", 2))
    summary = coordinator.locator("#check-in-summary")
    expect(summary).to_contain_text("Tante is ziek, oom brengt haar nu.")
    expect(summary).to_contain_text("Ik werk nu vroeg.")
    assert_accessible(coordinator)

    # The alert reaches the uncle, who calls the circle together through his link.
    smtp_server.messages.clear()
    dispatch.send_due_reminders()
    (alert_mail,) = smtp_server.messages
    assert alert_mail["To"] == UNCLE_EMAIL
    uncle = axe_page(base_url=base)
    uncle.goto(one_link(alert_mail, base, "/followup/c/"))
    expect(uncle.locator("main")).to_contain_text(t("You have no agreements of your own in the plan."))
    assert_accessible(uncle)
    meet_on = timezone.localdate() + timedelta(days=10)
    form = uncle.locator("form#reconvene")
    expect(form.get_by_role("heading", name=t("Call the circle together"))).to_be_visible()
    field(form, t("When does the circle meet?")).fill(f"{meet_on:%Y-%m-%d}T19:30")
    field(form, t("Where?")).fill("Bij oma thuis")
    field(form, t("Address")).fill("Lindelaan 3, Utrecht")
    click_and_wait(uncle, t("Invite the circle"), scope=form)
    expect(uncle.get_by_role("status")).to_contain_text(
        t("Everyone is invited. They will get a message with the date and place."))
    assert_accessible(uncle)
    conference = Conference.objects.get(case=case)
    assert conference.starts_at == datetime.combine(meet_on, time(19, 30), tzinfo=timezone.get_current_timezone())
    assert (conference.venue, conference.address) == ("Bij oma thuis", "Lindelaan 3, Utrecht")
    assert "Omar el Amrani" in conference.notes
    invited = {i.member for i in Invitation.objects.filter(conference=conference)}
    assert invited == {circle.aunt, circle.mother, circle.uncle}  # the neighbour cannot be reached

    # The invitations go out, each with a calendar file and a personal link; the coordinator is told.
    smtp_server.messages.clear()
    dispatch.send_due_reminders()
    assert recipients(smtp_server) == sorted([AUNT_EMAIL, MOTHER_EMAIL, UNCLE_EMAIL, COORDINATOR_EMAIL])
    invitation_links = {}
    for message in smtp_server.messages:
        if message["To"] == COORDINATOR_EMAIL:
            assert "/followup/r/" not in body_of(message)
            continue
        assert [p.get_content_type() for p in message.walk() if p.get_filename()] == ["text/calendar"]
        invitation_links[message["To"].lower()] = one_link(message, base, "/followup/r/")
    assert len(set(invitation_links.values())) == 3

    # The aunt answers through her invitation link.
    aunt.goto(invitation_links[AUNT_EMAIL])
    expect(aunt.get_by_role("heading", level=1)).to_have_text(t("Hello %(first_name)s") % {"first_name": "Barbara"})
    expect(aunt.locator("main")).to_contain_text("Bij oma thuis")
    assert_accessible(aunt)
    click_and_wait(aunt, t("Yes, I will come"))
    expect(aunt.get_by_role("status")).to_contain_text(t("Thank you! We have noted your answer."))
    expect(aunt.locator("#current-answer")).to_be_visible()
    assert_accessible(aunt)
    answers = dict(Invitation.objects.filter(conference=conference).values_list("member__name", "response"))
    assert answers == {circle.aunt.name: Response.CONFIRMED, circle.mother.name: "", circle.uncle.name: ""}


# --- 3 and 4: the evaluation, two versions side by side, the coordinator reconvenes ----------------


def test_the_coordinator_records_the_evaluation_compares_the_versions_and_calls_the_circle_together(
        accepted, axe_page, live_server, smtp_server):  # noqa: F811
    base = live_server.url
    circle, case = accepted.circle, accepted.case
    first, second = agreements(accepted)
    today = timezone.localdate()
    next_evaluation = today + timedelta(days=120)

    page = axe_page(base_url=base)
    sign_in(page, base, COORDINATOR, f.TEST_PASSWORD, f.TEST_TOTP_SECRET)
    page.goto(f"/cases/{case.pk}/followup/")
    assert_accessible(page)
    page.get_by_role("link", name=t("Record the evaluation"), exact=True).click()
    expect(page).to_have_url(f"{base}/cases/{case.pk}/followup/evaluation/")
    assert_accessible(page)
    expect(field(page, t("Date of the evaluation"))).to_have_value(today.isoformat())
    came = page.get_by_role("group", name=t("Who came?"))
    came.get_by_label(circle.aunt.name, exact=True).check()
    came.get_by_label(circle.mother.name, exact=True).check()
    aunts = page.get_by_role("region", name=re.compile(re.escape(ARABIC_AGREEMENT)))
    aunts.get_by_label(t("Going well"), exact=True).check()
    field(aunts, t("Note (optional)")).fill("Elke dinsdag gelukt.")
    mothers = page.get_by_role("region", name=re.compile(re.escape(BREAKFAST)))
    mothers.get_by_label(t("Not going well"), exact=True).check()
    field(mothers, t("Note (optional)")).fill("Moeder werkt nu vroeg.")
    mothers.get_by_label(t("Stop this agreement"), exact=True).check()
    field(page, t("What changes in the plan?")).fill("Oom Omar maakt voortaan het ontbijt.")
    field(page, t("Next evaluation date (optional)")).fill(next_evaluation.isoformat())
    click_and_wait(page, t("Save the evaluation"))

    expect(page).to_have_url(f"{base}/cases/{case.pk}/followup/")
    expect(page.get_by_role("status")).to_contain_text(
        t("The evaluation is saved. Version %(number)s of the plan is being sent to everyone who may receive "
          "a copy.") % {"number": 2})
    evaluations = page.locator("section[aria-labelledby='eval-heading']")
    expect(evaluations).to_contain_text("Oom Omar maakt voortaan het ontbijt.")
    assert_accessible(page)
    evaluation = Evaluation.objects.get(case=case)
    assert evaluation.held_on == today
    assert set(evaluation.attendees.all()) == {circle.aunt, circle.mother}
    assert {(i.agreement_id, i.rating, i.note) for i in evaluation.items.all()} == {
        (first.pk, "good", "Elke dinsdag gelukt."), (second.pk, "not", "Moeder werkt nu vroeg.")}
    new = evaluation.plan_version
    assert (new.number, new.status, new.created_by) == (2, PlanStatus.ACCEPTED, accepted.world.coordinator)
    assert [a.what for a in new.agreements.order_by("order")] == [ARABIC_AGREEMENT]  # the mother's stopped
    assert (new.evaluation_date, new.change_note) == (next_evaluation, "Oom Omar maakt voortaan het ontbijt.")
    assert PlanVersion.objects.filter(plan__case=case).count() == 2

    # Version 2 goes to everyone who may receive a copy.
    smtp_server.messages.clear()
    run_worker()
    assert recipients(smtp_server) == sorted([AUNT_EMAIL, MOTHER_EMAIL, "jhv@example.org"])
    assert {d.email.lower() for d in Distribution.objects.filter(version=new, sent_at__isnull=False)} == {
        AUNT_EMAIL, MOTHER_EMAIL, "jhv@example.org"}

    # The two versions side by side.
    page.get_by_role("link", name=t("Compare plan versions"), exact=True).click()
    expect(page).to_have_url(f"{base}/cases/{case.pk}/plan/versions/")
    diff = page.get_by_role("table")
    expect(diff.locator("caption")).to_have_text(
        t("Version %(a)s (left) and version %(b)s (right)") % {"a": 1, "b": 2})
    removed = diff.locator("tr.diff-removed")
    expect(removed.filter(has_text=BREAKFAST)).to_have_count(1)
    expect(removed.filter(has_text=BREAKFAST).locator("del")).to_contain_text(BREAKFAST)
    evaluation_row = diff.get_by_role("row").filter(has_text=t("Evaluation date"))
    expect(evaluation_row.locator("ins")).to_have_text(f"{t('Evaluation date')}: {next_evaluation.isoformat()}")
    rows = services.version_diff(accepted.version, new)
    changed = sum(1 for r in rows if r["kind"] != "equal")
    expect(page.locator("#changed")).to_have_text(nt("%(counter)s line differs.", "%(counter)s lines differ.", changed))
    assert changed >= 2
    assert_accessible(page)
    # Any two versions: version 2 with itself differs nowhere.
    page.get_by_label(t("Compare version"), exact=True).select_option("2")
    click_and_wait(page, t("Compare"))
    expect(page.locator("#changed")).to_have_text(nt("%(counter)s line differs.", "%(counter)s lines differ.", 0))

    # The coordinator calls the circle together again from the follow-up page.
    page.goto(f"/cases/{case.pk}/followup/")
    meet_on = timezone.localdate() + timedelta(days=14)
    form = page.locator("form", has=page.get_by_role("heading", name=t("Call the circle together again")))
    field(form, t("When does the circle meet?")).fill(f"{meet_on:%Y-%m-%d}T10:00")
    field(form, t("Where?")).fill("Buurthuis De Linde")
    click_and_wait(page, t("Invite the circle"), scope=form)
    starts_at = datetime.combine(meet_on, time(10), tzinfo=timezone.get_current_timezone())
    expect(page.get_by_role("status")).to_contain_text(
        t("The circle is invited for %(date)s. The invitations are being sent.")
        % {"date": starts_at.strftime("%d-%m-%Y %H:%M")})
    assert_accessible(page)
    conference = Conference.objects.get(case=case)
    assert (conference.starts_at, conference.venue) == (starts_at, "Buurthuis De Linde")
    # Version 2 is what counts now: the mother has no agreement left, so the aunt and the uncle are invited.
    assert {i.member for i in Invitation.objects.filter(conference=conference)} == {circle.aunt, circle.uncle}
    smtp_server.messages.clear()
    dispatch.send_due_reminders()
    assert recipients(smtp_server) == sorted([AUNT_EMAIL, UNCLE_EMAIL])
    (uncle_mail,) = [m for m in smtp_server.messages if m["To"] == UNCLE_EMAIL]
    uncle = axe_page(base_url=base)
    uncle.goto(one_link(uncle_mail, base, "/followup/r/"))
    expect(uncle.locator("main")).to_contain_text("Buurthuis De Linde")
    click_and_wait(uncle, t("No, I cannot come"))
    expect(uncle.get_by_role("status")).to_contain_text(t("Thank you! We have noted your answer."))
    assert_accessible(uncle)
    assert Invitation.objects.get(conference=conference, member=circle.uncle).response == Response.DECLINED


# --- 5: misused links -----------------------------------------------------------------------------


def _nothing_answered() -> None:
    assert not CheckInAnswer.objects.exists()
    assert not CheckIn.objects.filter(answered_at__isnull=False).exists()


def test_a_tampered_link_and_a_link_of_another_case_are_refused(
        accepted, axe_page, live_server, smtp_server):  # noqa: F811
    base = live_server.url
    link = send_next_reminder(accepted, accepted.circle.aunt, ReminderKind.MONITOR, smtp_server, base)
    page = axe_page(base_url=base)

    # One letter of the signature changed.
    token = link.rstrip("/").rsplit("/", 1)[1]
    last = "A" if token[-1] != "A" else "B"
    response = page.goto(f"{base}/followup/c/{token[:-1]}{last}/")
    assert response.status == 404
    refused(page, "This link does not work")

    # Another family's check-in: a link whose ids do not belong together (signed with the site's key,
    # as only a leaked key would allow) is someone else's link.
    other = make_family()
    theirs = services.check_in_for_member(other.aunt)
    mine = CheckIn.objects.get(member=accepted.circle.aunt)
    forged = links.make_token(services.CHECK_IN_LINK, expires_at=theirs.expires_at, check_in=theirs.pk,
                              member=mine.member_id, nonce=mine.nonce)
    response = page.goto(f"/followup/c/{forged}/")
    assert response.status == 404
    refused(page, "This link is not meant for you")
    expect(page.locator("main")).not_to_contain_text(other.aunt.name)
    _nothing_answered()

    # The real link still works.
    page.goto(link)
    expect(page.get_by_role("button", name=t("Send my answers"))).to_be_visible()


def test_a_replaced_an_expired_and_a_closed_link_refuse_the_answer_and_change_nothing(
        accepted, axe_page, live_server, smtp_server):  # noqa: F811
    base = live_server.url
    circle = accepted.circle

    # Replaced: the aunt fills in the form of her first link; meanwhile a second reminder is sent.
    old_link = send_next_reminder(accepted, circle.aunt, ReminderKind.MONITOR, smtp_server, base)
    page = axe_page(base_url=base)
    page.goto(old_link)
    rate(page, ARABIC_AGREEMENT, "Not going well", "Oude link")
    rate(page, BREAKFAST, "Not going well", "Oude link")
    new_link = send_next_reminder(accepted, circle.aunt, ReminderKind.MONITOR, smtp_server, base)
    assert new_link != old_link
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=t("Send my answers"), exact=True).click()
    assert navigation.value.status == 410
    refused(page, "A newer link was sent")
    _nothing_answered()

    # Expired: the mother opens her link and sends the form only after the link's last day.
    mother_link = send_next_reminder(accepted, circle.mother, ReminderKind.CHECK_IN, smtp_server, base)
    mother = axe_page(base_url=base)
    mother.goto(mother_link)
    rate(mother, BREAKFAST, "Partly", "Te laat")
    expires_at = CheckIn.objects.get(member=circle.mother).expires_at
    with time_machine.travel(expires_at + timedelta(minutes=1), tick=True):
        with mother.expect_navigation() as navigation:
            mother.get_by_role("button", name=t("Send my answers"), exact=True).click()
        assert navigation.value.status == 410
        refused(mother, "This link has expired")
        assert mother.goto(mother_link).status == 410
        refused(mother, "This link has expired")
    _nothing_answered()

    # Used again after it was answered: while the plan is followed up the link is there to correct
    # the answers (by design; the page says so) ...
    page.goto(new_link)
    rate(page, ARABIC_AGREEMENT, "Going well", "")
    rate(page, BREAKFAST, "Partly", "")
    click_and_wait(page, t("Send my answers"))
    expect(page.get_by_role("status")).to_contain_text(t("Thank you! Your answers have been saved."))
    page.goto(new_link)
    expect(page.locator("#answered")).to_have_text(t("We have your answers. You can change them below."))
    rate(page, BREAKFAST, "Not going well", "Toch niet")
    # ... but once the case is closed it is refused, also for a form that was already open.
    Case.objects.filter(pk=accepted.case.pk).update(state=State.CLOSED)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=t("Send my answers"), exact=True).click()
    assert navigation.value.status == 410
    refused(page, "The plan is no longer followed up")
    expect(page.locator("main")).to_contain_text(
        t("This case has been closed. If you have questions, contact the coordinator."))
    first, second = agreements(accepted)
    assert answers_of(circle.aunt) == {(first.what, "good", ""), (second.what, "partly", "")}
    assert CheckIn.objects.filter(answered_at__isnull=False).count() == 1


def test_an_invitation_link_used_again_after_the_meeting_is_refused(
        accepted, axe_page, live_server, smtp_server):  # noqa: F811
    base = live_server.url
    circle = accepted.circle
    meet_on = timezone.now() + timedelta(days=7)
    conference = services.reconvene(case=accepted.case, by=accepted.world.coordinator, starts_at=meet_on,
                                    venue="Buurthuis De Linde")
    smtp_server.messages.clear()
    dispatch.send_due_reminders()
    (aunt_mail,) = [m for m in smtp_server.messages if m["To"].lower() == AUNT_EMAIL]
    link = one_link(aunt_mail, base, "/followup/r/")

    page = axe_page(base_url=base)
    page.goto(link)
    click_and_wait(page, t("Yes, I will come"))
    expect(page.locator("#current-answer")).to_be_visible()
    second_tab = axe_page(base_url=base)
    second_tab.goto(link)  # the form, still open in another tab

    Conference.objects.filter(pk=conference.pk).update(held_at=timezone.now())
    response = page.goto(link)
    assert response.status == 410
    refused(page, "This meeting has already taken place")
    expect(page.locator("main")).to_contain_text(
        t("You can no longer answer this invitation. If you have questions, contact the coordinator."))
    with second_tab.expect_navigation() as navigation:
        second_tab.get_by_role("button", name=t("No, I cannot come"), exact=True).click()
    assert navigation.value.status == 410
    refused(second_tab, "This meeting has already taken place")
    invitation = Invitation.objects.get(conference=conference, member=circle.aunt)
    assert invitation.response == Response.CONFIRMED  # the first answer stands

    # A link to the member's own page (another purpose) does not open an invitation either.
    own_page = member_link_url(circle.aunt)
    response = page.goto(f"/followup/r/{own_page.rstrip('/').rsplit('/', 1)[1]}/")
    assert response.status == 404
    refused(page, "This link does not work")
