"""The foundation flow in a real browser: request, inbox, assignment, first contact.

A professional sends a request, the regional manager of Utrecht assigns the best
coordinator with one click, the coordinator records the first contact, and the norm
clocks stop. Each person signs in through the real password and TOTP steps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core import mail
from django.utils import translation

from kring.cases.models import Case, LegalFrame, State, TriggerMoment
from kring.intake.forms import ChildForm, PersonForm, ProfessionalRequestForm
from kring.testing import factories as f
from kring.testing.browser import (  # noqa: F401 (fixtures)
    browser,
    expect,
    flushable_access_log,
    new_page,
    sign_in,
    viewport_width,
)
from kring.testing.helpers import run_worker

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback: the regions and municipalities (a data migration) are put
    # back before this test even when an earlier transactional test flushed them.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANG = "nl"  # the browser asks for Dutch, the default interface language
PASSWORD = f.TEST_PASSWORD
SECRET = f.TEST_TOTP_SECRET


def t(msgid: str) -> str:
    """A message as the Dutch interface shows it (English until it is translated)."""
    with translation.override(LANG):
        return translation.gettext(msgid)


def in_dutch(lazy_text) -> str:
    with translation.override(LANG):
        return str(lazy_text)


def label(form_class, field: str) -> str:
    return in_dutch(form_class.base_fields[field].label)


@dataclass
class People:
    professional: object
    manager: object
    arabic_coordinator: object
    other_coordinator: object
    limburg_coordinator: object


@pytest.fixture
def people(flushable_access_log, live_server) -> People:  # noqa: F811
    """Made with the factories in the test thread; the live server sees them (no
    transaction wraps the test)."""
    utrecht = f.region("utrecht")
    return People(
        professional=f.ProfessionalFactory(username="petra", first_name="Petra", last_name="Jansen"),
        manager=f.ManagerFactory(username="marco", first_name="Marco", last_name="Visser",
                                 in_regions=[utrecht]),
        arabic_coordinator=f.CoordinatorFactory(
            username="samira", first_name="Samira", last_name="Bakker",
            profile__languages=["nl", "ar"], profile__max_cases=3,
        ),
        # More room, but no Arabic: the family's language wish must weigh more.
        other_coordinator=f.CoordinatorFactory(
            username="anouk", first_name="Anouk", last_name="Aalders",
            profile__languages=["nl", "en"], profile__max_cases=6,
        ),
        limburg_coordinator=f.CoordinatorFactory(
            username="lars", first_name="Lars", last_name="Hendriks",
            profile__languages=["nl", "ar"], profile__regions=[f.region("limburg")],
        ),
    )


def test_request_assignment_and_first_contact_in_the_browser(people, new_page, live_server):  # noqa: F811
    url = live_server.url

    # 1. The professional sends a request and lands on the new case.
    professional = new_page(base_url=url)
    sign_in(professional, url, "petra", PASSWORD, SECRET)
    menu = professional.get_by_role("navigation", name=t("Main menu"))
    menu.get_by_role("link", name=t("New request"), exact=True).click()
    expect(professional).to_have_url(f"{url}/requests/new/")
    professional.get_by_label(label(ProfessionalRequestForm, "municipality")).fill("Utrecht")
    professional.get_by_label(label(ProfessionalRequestForm, "situation")).fill(
        "Moeder is overbelast, de kinderen gaan niet meer naar school. Vader woont in Marokko."
    )
    professional.get_by_label(label(ProfessionalRequestForm, "legal_frame")).select_option(
        LegalFrame.VOLUNTARY.value
    )
    professional.get_by_label(label(ProfessionalRequestForm, "trigger_moment")).select_option(
        TriggerMoment.WAITING_LIST.value
    )
    parent = professional.get_by_role("group", name=f"{t('Parent or carer')} 1", exact=True)
    parent.get_by_label(label(PersonForm, "name")).fill("Fatima el Amrani")
    child = professional.get_by_role("group", name=f"{t('Child')} 1", exact=True)
    child.get_by_label(label(ChildForm, "name")).fill("Yasmina el Amrani")
    child.get_by_label(label(ChildForm, "birth_date")).fill("2015-03-14")
    professional.get_by_label(label(ProfessionalRequestForm, "pref_language")).select_option("ar")
    with professional.expect_navigation():
        professional.get_by_role("button", name=t("Send request"), exact=True).click()

    match = re.fullmatch(rf"{re.escape(url)}/cases/(\d+)/", professional.url)
    assert match, f"not on a case page after sending: {professional.url}\n" + \
        professional.locator("main").inner_text()
    case = Case.objects.get(pk=int(match[1]))
    heading = professional.get_by_role("heading", level=1)
    expect(heading).to_contain_text(case.reference)
    reference = re.search(r"K-[A-Z0-9]{8}", heading.inner_text())[0]
    assert reference == case.reference
    assert (case.state, case.referred_by, case.municipality.name, case.pref_language) == (
        State.REQUEST, people.professional, "Utrecht", "ar"
    )
    assert sorted((p.role, p.name) for p in case.persons.all()) == [
        ("child", "Yasmina el Amrani"), ("parent", "Fatima el Amrani"),
    ]

    # 2. The regional manager sees it in the inbox with both clocks running ...
    manager = new_page(base_url=url)
    sign_in(manager, url, "marco", PASSWORD, SECRET)
    expect(manager).to_have_url(f"{url}/inbox/")
    row = manager.locator(f"#case-{case.pk}")
    expect(row).to_contain_text(reference)
    expect(row.locator(".clock-running")).to_have_count(2)
    expect(row.locator(".clock-met")).to_have_count(0)

    # ... opens the assign page: the Arabic-speaking coordinator first, with the reason.
    row.get_by_role("link", name=t("Assign"), exact=True).click()
    expect(manager).to_have_url(f"{url}/cases/{case.pk}/assign/")
    suggestions = manager.locator("table.suggestions tbody tr")
    expect(suggestions).to_have_count(2)  # not the coordinator of Limburg
    first = suggestions.nth(0)
    expect(first).to_have_attribute("data-coordinator", str(people.arabic_coordinator.pk))
    expect(first).to_contain_text("Samira Bakker")
    expect(first).to_contain_text("Arabisch")
    expect(suggestions.nth(1)).to_have_attribute("data-coordinator", str(people.other_coordinator.pk))

    # ... and assigns her with one click.
    mail.outbox.clear()
    assign_samira = t("Assign %(name)s") % {"name": people.arabic_coordinator.display_name}
    with manager.expect_navigation():
        first.get_by_role("button", name=assign_samira, exact=True).click()
    expect(manager).to_have_url(f"{url}/inbox/")
    row = manager.locator(f"#case-{case.pk}")
    expect(row).to_contain_text("Samira Bakker")
    expect(row.locator(".clock-met")).to_have_count(1)  # coordinator within 24 hours
    expect(row.locator(".clock-running")).to_have_count(1)  # family contacted within 2 days
    case.refresh_from_db()
    assert case.coordinator == people.arabic_coordinator

    # The assignment e-mail goes out through the worker.
    run_worker()
    to_samira = [m for m in mail.outbox if m.to == [people.arabic_coordinator.email]]
    assert len(to_samira) == 1, [(m.to, m.subject) for m in mail.outbox]
    assert reference in to_samira[0].subject + to_samira[0].body
    assert f"/cases/{case.pk}/" in to_samira[0].body

    # 3. The coordinator records the first contact.
    coordinator = new_page(base_url=url)
    sign_in(coordinator, url, "samira", PASSWORD, SECRET)
    coordinator.goto(f"/cases/{case.pk}/")
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text(reference)
    coordinator.get_by_label(t("Step"), exact=True).select_option("first_contact")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name=t("Save step"), exact=True).click()
    expect(coordinator).to_have_url(f"{url}/cases/{case.pk}/")
    expect(coordinator.locator("#case-state")).to_have_text(in_dutch(State.INFORMING.label))
    clocks = coordinator.locator(".clocks")
    expect(clocks.locator(".clock-met")).to_have_count(2)
    expect(clocks.locator(".clock-running, .clock-overdue, .clock-late")).to_have_count(0)

    # No clock runs any more, so the case has left the manager's inbox.
    manager.reload()
    expect(manager.get_by_role("heading", level=1)).to_be_visible()
    expect(manager.locator(f"#case-{case.pk}")).to_have_count(0)
    case.refresh_from_db()
    assert (case.state, case.next_deadline_at) == (State.INFORMING, None)
    assert case.first_contact_at is not None
