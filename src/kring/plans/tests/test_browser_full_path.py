"""The whole path of a conference in a real browser, from the circle to the plan in the mailbox.

The coordinator builds a circle with a restriction (the mother must not meet the
father, as in the seed story), plans the conference and sends the invitations;
they reach a real local SMTP server with a calendar file. Two people confirm
through the personal link in their e-mail, without an account. The professional
linked to the case fills in the information form with two safety conditions.
The coordinator records the conference (no professional in the private family
time), marks it held and writes the plan down with an Arabic agreement; the
circle presents it, the professional tests each condition and accepts it, and
the PDF is downloaded from the page and read back. Finally the plan goes out
through the worker, to exactly the people the family chose.

Only the starting point (users, the case, its state "preparing") is built in the
test thread; every step named above goes through the pages.
"""

from __future__ import annotations

import email
import gc
import io
import re
import socket
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import icalendar
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.utils import timezone, translation
from pypdf import PdfReader

from kring.cases.models import Case, State
from kring.conferences.forms import ConferenceForm, RecordForm
from kring.conferences.models import Conference, Invitation, PrepItem, Presence, Response
from kring.core import sms
from kring.network.forms import ArrangementForm, MemberForm
from kring.network.models import (
    ArrangementKind,
    Attendance,
    CircleMember,
    Closeness,
    MemberRole,
    MemberStatus,
    SafetyArrangement,
    Side,
)
from kring.plans.forms import ConditionForm, InformationFormForm, PlanForm
from kring.plans.models import Distribution, PlanStatus
from kring.regions.loading import load_regions
from kring.regions.models import Municipality, Region
from kring.testing import factories as f
from kring.testing.browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    CHROMIUM_ARGS,
    browser_unavailable_reason,
    expect,
    flushable_access_log,
    new_page,
    sign_in,
    viewport_width,
)
from kring.testing.helpers import run_worker

from .builders import ARABIC_AGREEMENT, ARABIC_WORDS, MEALS, NEVER_ALONE, set_state

pytestmark = [
    pytest.mark.browser,
    # The regions and municipalities (a data migration) are put back by `ensure_regions`:
    # serialized_rollback alone does not manage it once Playwright runs (see there).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANG = "nl"  # the browser asks for Dutch, the default interface language
PASSWORD = f.TEST_PASSWORD
SECRET = f.TEST_TOTP_SECRET

MOTHER = "Fatima el Amrani"  # the main person of the request (CaseFactory)
CHILD = "Yasmina el Amrani"
FATHER = "Karim el Amrani"
AUNT = "Barbara el Amrani"
MOTHER_EMAIL = "fatima@example.org"
FATHER_EMAIL = "karim@example.org"
AUNT_EMAIL = "barbara@example.org"
PROFESSIONAL_EMAIL = "petra.jansen@example.org"
COORDINATOR_EMAIL = "samira@example.org"


def t(msgid: str) -> str:
    """A message as the Dutch interface shows it (English until it is translated)."""
    with translation.override(LANG):
        return translation.gettext(msgid)


def in_dutch(lazy_text) -> str:
    with translation.override(LANG):
        return str(lazy_text)


def label(form_class, field: str) -> str:
    return in_dutch(form_class.base_fields[field].label)


def field(scope, text: str):
    """The control labelled exactly `text`, or `text (optional)` as optional fields show it."""
    optional = re.escape(t("optional"))
    return scope.get_by_label(re.compile(rf"^{re.escape(text)}(\s*\({optional}\))?$"))


def click_and_wait(page, name: str, *, scope=None) -> None:
    """Press a button that submits a form and wait for the page that follows."""
    with page.expect_navigation():
        (scope or page).get_by_role("button", name=name, exact=True).click()


# --- the regions, and the browser ------------------------------------------------------------


def ensure_regions() -> None:
    """Load the regions and municipalities (a data migration) when a flush removed them.

    serialized_rollback cannot put them back while Playwright's sync API runs: it
    leaves an asyncio loop running in this thread, so Django's connections (an
    asgiref Local) become other, context-local objects without the serialized data.
    """
    if not Municipality.objects.exists():
        load_regions(Region, Municipality)


@pytest.fixture(scope="module", autouse=True)
def regions_left_behind(django_db_setup, django_db_blocker):
    """After the flush that ends this module's transactional test, put the regions back,
    so that a browser test of another module that runs later still finds them."""
    yield
    with django_db_blocker.unblock():
        ensure_regions()


@pytest.fixture(scope="module")
def browser():
    """Chromium, shared with another browser-test module when one already started it.

    Playwright's sync API runs one instance per thread, but each module that imports
    the session fixture `kring.testing.browser.browser` gets its own copy of it: the
    second module to start one fails with "using Playwright Sync API inside the
    asyncio loop". So this module reuses a Chromium that is already running in this
    process, or starts its own and stops it when the module is done (so a module
    that runs later can start one again).
    """
    reason = browser_unavailable_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import Browser, sync_playwright

    running = next((o for o in gc.get_objects() if type(o) is Browser and o.is_connected()), None)
    if running is not None:
        yield running
        return
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


# --- a real SMTP server ----------------------------------------------------------------------


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[email.message.Message] = []

    def handle_message(self, message) -> None:
        self.messages.append(message)

    def to(self, address: str) -> list[email.message.Message]:
        return [m for m in self.messages if address in self.envelope(m)]

    @staticmethod
    def envelope(message: email.message.Message) -> list[str]:
        """Every address the message was delivered to (the SMTP envelope, Bcc included)."""
        return [a.strip() for a in message["X-RcptTo"].split(",")]

    def recipients(self) -> list[str]:
        return sorted(a for m in self.messages for a in self.envelope(m))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings, live_server):
    """aiosmtpd on a free port; Kring sends through it, with links to the live server."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.SITE_URL = live_server.url  # the personal links in the e-mails lead to this server
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    yield handler
    controller.stop()
    sms.outbox.clear()


def body_of(message: email.message.Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain" and part.get_filename() is None:
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError(f"no text body in {message['Subject']!r}")


def attachments(message: email.message.Message, content_type: str) -> list[tuple[str, bytes]]:
    return [(part.get_filename(), part.get_payload(decode=True))
            for part in message.walk() if part.get_content_type() == content_type]


# --- the starting point ------------------------------------------------------------------------


@dataclass
class Start:
    case: Case
    coordinator: object
    professional: object


@pytest.fixture
def start(flushable_access_log, live_server) -> Start:  # noqa: F811
    """A case in preparation, with its coordinator and the professional linked to it.

    Made with the factories in the test thread; the live server sees them (no
    transaction wraps the test).
    """
    ensure_regions()
    coordinator = f.CoordinatorFactory(username="samira", first_name="Samira", last_name="Bakker",
                                       email=COORDINATOR_EMAIL, profile__languages=["nl", "ar"])
    professional = f.ProfessionalFactory(username="petra", first_name="Petra", last_name="Jansen",
                                         email=PROFESSIONAL_EMAIL)
    case = f.CaseFactory(referred_by=professional)
    linked = f.link_professional(case, professional)
    linked.email = PROFESSIONAL_EMAIL
    linked.save(update_fields=["email"])
    # The mother can be reached by e-mail too: she must get neither an invitation nor the plan.
    case.persons.filter(is_main_person=True).update(email=MOTHER_EMAIL)
    set_state(case, State.PREPARING, coordinator=coordinator)
    return Start(case=case, coordinator=coordinator, professional=professional)


# --- the test --------------------------------------------------------------------------------


def test_the_whole_path_from_circle_to_the_plan_in_the_mailbox(start, smtp_server, new_page, live_server):  # noqa: F811
    url = live_server.url
    case = start.case
    today = timezone.localdate()
    conference_day = today + timedelta(days=7)
    evaluation_day = today + timedelta(days=90)

    coordinator = new_page(base_url=url)
    sign_in(coordinator, url, "samira", PASSWORD, SECRET)
    professional = new_page(base_url=url)
    sign_in(professional, url, "petra", PASSWORD, SECRET)

    # 1. The coordinator builds the circle: the mother is there from the request ...
    coordinator.goto(f"/cases/{case.pk}/")
    coordinator.get_by_role("navigation", name=t("Parts of this case")).get_by_role(
        "link", name=t("Circle"), exact=True).click()
    expect(coordinator).to_have_url(f"{url}/cases/{case.pk}/circle/")
    table = coordinator.locator("#circle-table")
    expect(table).to_contain_text(MOTHER)
    expect(table).to_contain_text(CHILD)

    # ... she adds the father and the aunt ...
    add_member = coordinator.locator("#add-member")
    for name, relation, role, side, closeness, address in (
        (FATHER, "vader", MemberRole.MAIN, Side.FATHER, Closeness.NEAR, FATHER_EMAIL),
        (AUNT, "tante (zus van moeder)", MemberRole.NETWORK, Side.MOTHER, Closeness.CLOSE, AUNT_EMAIL),
    ):
        field(add_member, label(MemberForm, "name")).fill(name)
        field(add_member, label(MemberForm, "relation")).fill(relation)
        field(add_member, label(MemberForm, "role")).select_option(role.value)
        field(add_member, label(MemberForm, "side")).select_option(side.value)
        field(add_member, label(MemberForm, "closeness")).select_option(str(closeness.value))
        field(add_member, label(MemberForm, "email")).fill(address)
        # The form is sent with htmx: the circle page is swapped in without a page load.
        add_member.get_by_role("button", name=t("Add to the circle"), exact=True).click()
        expect(coordinator.locator("#circle-table")).to_contain_text(name)
        expect(coordinator.locator(".messages")).to_contain_text(name)
        add_member = coordinator.locator("#add-member")
    expect(field(add_member, label(MemberForm, "name"))).to_have_value("")  # ready for the next

    # ... and records that the mother must not meet the father.
    arrangement = coordinator.locator("#add-arrangement")
    arrangement.locator("summary").click()
    field(arrangement, label(ArrangementForm, "kind")).select_option(ArrangementKind.MUST_NOT_MEET.value)
    field(arrangement, label(ArrangementForm, "person")).select_option(label=MOTHER)
    field(arrangement, label(ArrangementForm, "other")).select_option(label=FATHER)
    field(arrangement, label(ArrangementForm, "note")).fill("Contactverbod via de rechter.")
    click_and_wait(coordinator, t("Save the arrangement"), scope=arrangement)
    expect(coordinator).to_have_url(f"{url}/cases/{case.pk}/circle/#arrangements")
    must_not_meet = t("must not meet %(name)s")
    expect(coordinator.locator("#arrangements")).to_contain_text(must_not_meet % {"name": FATHER})
    mother, father, aunt = (CircleMember.objects.get(case=case, name=n) for n in (MOTHER, FATHER, AUNT))
    expect(coordinator.locator(f"#member-{father.pk} .restriction")).to_have_text(must_not_meet % {"name": MOTHER})
    expect(coordinator.locator(f"#member-{mother.pk} .restriction")).to_have_text(must_not_meet % {"name": FATHER})
    # The eco-map draws the restriction as a line between the two.
    expect(coordinator.locator("svg.ecomap-svg g.restriction")).to_have_count(1)
    restriction = SafetyArrangement.objects.get(case=case)
    assert (restriction.kind, {restriction.person, restriction.other}) == (
        ArrangementKind.MUST_NOT_MEET, {mother, father})
    assert (father.role, father.side, father.email, aunt.side, aunt.email) == (
        MemberRole.MAIN, Side.FATHER, FATHER_EMAIL, Side.MOTHER, AUNT_EMAIL)

    # 2. The preparation: the safety arrangements are done; the conference is planned.
    coordinator.goto(f"/cases/{case.pk}/")
    coordinator.get_by_role("link", name=t("Preparation and conference"), exact=True).click()
    expect(coordinator).to_have_url(f"{url}/cases/{case.pk}/conference/")
    safety = coordinator.get_by_role("group", name=in_dutch(PrepItem.SAFETY.label), exact=True)
    safety.get_by_label(t("Done"), exact=True).check()
    coordinator.get_by_label(t("Note for %(item)s") % {"item": in_dutch(PrepItem.SAFETY.label)}).fill(
        "Vader via video, nooit in dezelfde ruimte als moeder.")
    click_and_wait(coordinator, t("Save checklist"))
    expect(coordinator.locator("#prep-progress-label")).to_have_text(
        t("%(done)s of %(total)s items done or not needed") % {"done": 1, "total": len(PrepItem.values)})

    coordinator.get_by_role("link", name=t("Plan the conference"), exact=True).click()
    expect(coordinator).to_have_url(f"{url}/cases/{case.pk}/conference/edit/")
    field(coordinator, label(ConferenceForm, "starts_at")).fill(f"{conference_day:%Y-%m-%d}T10:00")
    field(coordinator, label(ConferenceForm, "ends_at")).fill(f"{conference_day:%Y-%m-%d}T14:00")
    field(coordinator, label(ConferenceForm, "venue")).fill("Buurthuis De Linde")
    field(coordinator, label(ConferenceForm, "address")).fill("Lindelaan 3, Utrecht")
    field(coordinator, label(ConferenceForm, "remote_link")).fill("https://meet.example.org/kring-123")
    click_and_wait(coordinator, t("Save"))
    expect(coordinator).to_have_url(f"{url}/cases/{case.pk}/conference/")
    expect(coordinator.locator("#case-state")).to_have_text(in_dutch(State.SCHEDULED.label))

    # 3. The invitations: to the father and the aunt (not to the mother).
    invite = coordinator.locator(f"form[action='/cases/{case.pk}/conference/invitations/']")
    for name in (FATHER, AUNT):
        invite.get_by_label(name).check()
    expect(invite.get_by_label(MOTHER)).not_to_be_checked()
    click_and_wait(coordinator, t("Send invitations"), scope=invite)
    expect(coordinator.locator(".messages")).to_contain_text(t("The invitations are being sent."))
    assert smtp_server.messages == []  # nothing leaves in the request itself

    run_worker()
    assert smtp_server.recipients() == sorted([AUNT_EMAIL, FATHER_EMAIL])
    assert sms.outbox == []  # nobody has a phone number
    conference = Conference.objects.get(case=case)
    links = {}
    for name, address in ((FATHER, FATHER_EMAIL), (AUNT, AUNT_EMAIL)):
        (message,) = smtp_server.to(address)
        (calendar_file,) = attachments(message, "text/calendar")
        assert calendar_file[0] == "invitation.ics"
        calendar = icalendar.Calendar.from_ical(calendar_file[1])
        assert str(calendar["METHOD"]) == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("DTSTART") == conference.starts_at
        assert event.decoded("DTSTART") == datetime.combine(conference_day, time(10),
                                                            tzinfo=timezone.get_current_timezone())
        attendee = event["ATTENDEE"]
        assert str(attendee) == f"mailto:{address}"
        assert attendee.params["CN"] == name.split()[0]
        assert "Buurthuis De Linde" in str(event["LOCATION"])
        body = body_of(message)
        assert "el Amrani" not in body and "Yasmina" not in body  # only the own first name
        found = re.findall(rf"{re.escape(url)}/i/[^\s/]+/", body)
        assert len(found) == 1, body
        links[name] = found[0]
    assert links[FATHER] != links[AUNT]

    # 4. Both confirm through their own link, as visitors without an account.
    for name, link in links.items():
        visitor = new_page()
        visitor.goto(link)
        expect(visitor.get_by_role("heading", level=1)).to_have_text(
            t("Hello %(first_name)s") % {"first_name": name.split()[0]})
        expect(visitor.locator("main")).not_to_contain_text(CHILD)
        click_and_wait(visitor, t("Yes, I will come"))
        expect(visitor.locator(".messages")).to_contain_text(t("Thank you! We have noted that you will come."))
        expect(visitor.locator("#current-answer")).to_be_visible()
    assert sorted(Invitation.objects.filter(conference=conference).values_list("member__name", "response")) == [
        (AUNT, Response.CONFIRMED), (FATHER, Response.CONFIRMED)]
    assert {m.name: m.status for m in CircleMember.objects.filter(case=case)} == {
        MOTHER: MemberStatus.IDENTIFIED, CHILD: MemberStatus.IDENTIFIED,
        FATHER: MemberStatus.CONFIRMED, AUNT: MemberStatus.CONFIRMED}
    coordinator.reload()
    expect(coordinator.locator("section[aria-labelledby='inv-heading'] tbody tr")).to_have_count(2)
    for row in coordinator.locator("section[aria-labelledby='inv-heading'] tbody tr").all():
        expect(row).to_contain_text(in_dutch(Response.CONFIRMED.label))

    # 5. The professional fills in the information form: two conditions, one not negotiable.
    professional.goto(f"/cases/{case.pk}/")
    professional.get_by_role("link", name=t("Information form"), exact=True).click()
    expect(professional).to_have_url(f"{url}/cases/{case.pk}/information-form/")
    field(professional, label(InformationFormForm, "concerns")).fill(
        "Vader is twee keer boos geworden waar Yasmina bij was. Yasmina verzuimt school.")
    first = professional.get_by_role("group", name=f"{t('Safety condition')} 1", exact=True)
    field(first, label(ConditionForm, "text")).fill(NEVER_ALONE)
    first.get_by_label(t("Not negotiable"), exact=True).check()
    click_and_wait(professional, t("Add a condition"))
    second = professional.get_by_role("group", name=f"{t('Safety condition')} 2", exact=True)
    field(second, label(ConditionForm, "text")).fill(MEALS)
    second.get_by_label(t("Negotiable"), exact=True).check()
    field(professional, label(InformationFormForm, "tested_against")).fill(
        "De veiligheidsvoorwaarden hieronder.")
    field(professional, label(InformationFormForm, "help_available")).fill(
        "Opvoedondersteuning binnen twee weken.")
    click_and_wait(professional, t("Save the information form"))
    expect(professional.locator(".messages")).to_contain_text(
        t("Information form saved as version %(number)s.") % {"number": 1})
    conditions = list(case.information_form.current.conditions.order_by("order"))
    assert [(c.text, c.non_negotiable) for c in conditions] == [(NEVER_ALONE, True), (MEALS, False)]

    # 6. The day of the conference: the coordinator records it ...
    coordinator.goto(f"/cases/{case.pk}/conference/")
    coordinator.get_by_role("link", name=t("Record the meeting"), exact=True).click()
    expect(coordinator).to_have_url(f"{url}/cases/{case.pk}/conference/record/")
    for part, start_at, end_at in ((1, "10:00", "10:45"), (2, "11:00", "12:30"), (3, "12:45", "13:30")):
        coordinator.get_by_label(t("Part %(part)s started at") % {"part": part}, exact=True).fill(start_at)
        coordinator.get_by_label(t("Part %(part)s ended at") % {"part": part}, exact=True).fill(end_at)
    present = t("%(name)s present in part %(part)s")
    pro_name = start.professional.display_name
    attendance = {MOTHER: (1, 2, 3), AUNT: (1, 2, 3), CHILD: (1,), FATHER: (1,), pro_name: (1, 3)}
    for name, parts in attendance.items():
        for part in parts:
            coordinator.get_by_label(present % {"name": name, "part": part}, exact=True).check()
    # The father joins from a distance: he never is in the room with the mother.
    coordinator.get_by_label(t("%(name)s took part from a distance") % {"name": FATHER}, exact=True).check()
    # Nobody can even tick a professional into the private family time.
    expect(coordinator.get_by_label(present % {"name": pro_name, "part": 2}, exact=True)).to_have_count(0)
    field(coordinator, label(RecordForm, "chair")).select_option(label=AUNT)
    field(coordinator, label(RecordForm, "writer")).select_option(label=AUNT)
    click_and_wait(coordinator, t("Save"))
    expect(coordinator).to_have_url(f"{url}/cases/{case.pk}/conference/")
    expect(coordinator.locator(".messages")).to_contain_text(t("Saved who was present."))
    presences = {(p.member.name if p.member else p.professional.name, p.part, p.remote)
                 for p in Presence.objects.filter(conference=conference).select_related("member", "professional")}
    assert presences == {
        (MOTHER, 1, False), (MOTHER, 2, False), (MOTHER, 3, False),
        (AUNT, 1, False), (AUNT, 2, False), (AUNT, 3, False),
        (CHILD, 1, False), (FATHER, 1, True), (pro_name, 1, False), (pro_name, 3, False),
    }
    assert not Presence.objects.filter(conference=conference, part=2, professional__isnull=False).exists()

    # ... and marks it held: the case moves on, the information form is locked.
    click_and_wait(coordinator, t("The conference took place"))
    expect(coordinator.locator("#case-state")).to_have_text(in_dutch(State.HELD.label))
    conference.refresh_from_db()
    assert conference.is_held and (conference.chair, conference.writer) == (aunt, aunt)
    assert {m.name: (m.status, m.attendance) for m in CircleMember.objects.filter(case=case)} == {
        MOTHER: (MemberStatus.ATTENDED, Attendance.IN_PERSON), CHILD: (MemberStatus.ATTENDED, Attendance.IN_PERSON),
        AUNT: (MemberStatus.ATTENDED, Attendance.IN_PERSON), FATHER: (MemberStatus.ATTENDED, Attendance.REMOTE)}
    case.information_form.refresh_from_db()
    assert case.information_form.is_locked

    # 7. The coordinator writes the plan down, in the family's own words and script.
    coordinator.goto(f"/cases/{case.pk}/")
    coordinator.get_by_role("navigation", name=t("Parts of this case")).get_by_role(
        "link", name=t("Plan"), exact=True).click()
    coordinator.get_by_role("link", name=t("Write the plan down"), exact=True).click()
    expect(coordinator).to_have_url(f"{url}/cases/{case.pk}/plan/edit/")
    field(coordinator, label(PlanForm, "language")).select_option("ar")
    field(coordinator, label(PlanForm, "concerns_answered")).fill(
        "Yasmina is veilig en gaat weer elke dag naar school.")
    agreement = coordinator.get_by_role("group", name=f"{t('Agreement')} 1", exact=True)
    field(agreement, t("Who")).select_option(label=f"{AUNT} (tante (zus van moeder))")
    field(agreement, t("What")).fill(ARABIC_AGREEMENT)
    field(agreement, t("When or how often")).fill("elke dinsdag")
    field(agreement, t("From")).fill(f"{today:%Y-%m-%d}")
    agreement.get_by_label(NEVER_ALONE).check()
    field(coordinator, label(PlanForm, "monitor")).select_option(label=f"{AUNT} (tante (zus van moeder))")
    field(coordinator, label(PlanForm, "convenor")).select_option(label=f"{MOTHER}")
    field(coordinator, label(PlanForm, "evaluation_date")).fill(f"{evaluation_day:%Y-%m-%d}")
    field(coordinator, label(PlanForm, "keep_informed")).fill("Elke zondag een groepsgesprek in de app.")
    field(coordinator, label(PlanForm, "when_not_kept")).fill("Tante Barbara belt iedereen.")
    # Copies: the aunt (of the three with an e-mail address) and the professional.
    coordinator.get_by_label(f"{AUNT} ({AUNT_EMAIL})", exact=True).check()
    coordinator.get_by_label(f"{pro_name}, {start.professional.organisation} ({PROFESSIONAL_EMAIL})",
                             exact=True).check()
    expect(coordinator.get_by_label(f"{FATHER} ({FATHER_EMAIL})", exact=True)).not_to_be_checked()
    expect(coordinator.get_by_label(f"{MOTHER} ({MOTHER_EMAIL})", exact=True)).not_to_be_checked()
    click_and_wait(coordinator, t("Save the plan"))
    expect(coordinator).to_have_url(f"{url}/cases/{case.pk}/plan/")
    expect(coordinator.locator(".messages")).to_contain_text(
        t("Plan saved as version %(number)s.") % {"number": 1})
    expect(coordinator.locator("#plan-problems")).to_have_count(0)
    expect(coordinator.locator(".plan-text")).to_contain_text(ARABIC_WORDS)

    # 8. Part 3: the circle presents it ...
    click_and_wait(coordinator, t("The circle presents this plan"))
    expect(coordinator.locator("#plan-status")).to_have_text(in_dutch(PlanStatus.PRESENTED.label))

    # ... the professional tests each condition and accepts the plan.
    professional.goto(f"/cases/{case.pk}/plan/")
    professional.get_by_role("link", name=t("Test the plan"), exact=True).click()
    expect(professional).to_have_url(f"{url}/cases/{case.pk}/plan/test/")
    for condition, reason in ((NEVER_ALONE, "Afspraak 1: tante brengt Yasmina; vader alleen via video."),
                              (MEALS, "Moeder en tante zorgen samen voor de maaltijden.")):
        row = professional.locator("fieldset.row", has_text=condition)
        row.get_by_label(t("Met"), exact=True).check()
        field(row, t("Reason")).fill(reason)
    click_and_wait(professional, t("Save the test"))
    expect(professional).to_have_url(f"{url}/cases/{case.pk}/plan/")
    results = professional.locator("section[aria-labelledby='test-heading'] tbody tr td:nth-child(3)")
    expect(results).to_have_text([t("Met"), t("Met")])
    professional.get_by_label(t("Accept the plan"), exact=True).check()
    click_and_wait(professional, t("Save the decision"))
    expect(professional.locator(".messages")).to_contain_text(t("The plan is accepted."))
    expect(professional.locator("#plan-status")).to_have_text(in_dutch(PlanStatus.ACCEPTED.label))
    case.refresh_from_db()
    assert case.state == State.PLAN_ACCEPTED

    # 9. The plan document, downloaded from the page and read back.
    coordinator.reload()
    with coordinator.expect_download() as download_info:
        coordinator.get_by_role("link", name=t("Download as PDF, headings in Dutch"), exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf_file:
        pdf = pdf_file.read()
    assert pdf.startswith(b"%PDF")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    text = " ".join(pages)
    assert case.reference in pages[0]
    assert ARABIC_WORDS in text  # the agreement in Arabic script, as text
    # The information form is attached: its concerns and both conditions.
    form_pages = [i for i, page in enumerate(pages) if i > 0 and t("Information form") in page]
    assert form_pages, pages
    form_text = re.sub(r"\s+", " ", " ".join(pages[form_pages[0]:]))
    assert "Vader is twee keer boos geworden" in form_text
    assert NEVER_ALONE in form_text and MEALS in form_text

    # 10. The plan goes to exactly the people the family chose.
    smtp_server.messages.clear()
    click_and_wait(coordinator, t("Send the plan to everyone who may receive a copy"))
    expect(coordinator.locator(".messages")).to_contain_text(
        t("The plan goes out by e-mail within a few minutes. Number of addresses: %(count)s.") % {"count": 2})
    assert smtp_server.messages == []
    run_worker()
    assert smtp_server.recipients() == sorted([AUNT_EMAIL, PROFESSIONAL_EMAIL])  # one e-mail each
    for message in smtp_server.messages:
        assert message["To"] in (AUNT_EMAIL, PROFESSIONAL_EMAIL) and message["Cc"] is None
        assert case.reference in message["Subject"]
        (pdf_attachment,) = attachments(message, "application/pdf")
        mailed = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_attachment[1])).pages)
        assert case.reference in mailed and ARABIC_WORDS in mailed
    for nobody in (MOTHER_EMAIL, FATHER_EMAIL, COORDINATOR_EMAIL):
        assert smtp_server.to(nobody) == []
    sent = Distribution.objects.filter(version__plan__case=case)
    assert sorted((d.email, d.version.number, d.sent_at is not None) for d in sent) == sorted([
        (AUNT_EMAIL, 1, True), (PROFESSIONAL_EMAIL, 1, True)])
    coordinator.reload()
    sent_table = coordinator.locator("section", has=coordinator.get_by_role("heading", name=t("Sent"), exact=True))
    expect(sent_table).to_contain_text(AUNT_EMAIL)
    expect(sent_table).to_contain_text(PROFESSIONAL_EMAIL)
