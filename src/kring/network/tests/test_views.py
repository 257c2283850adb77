"""The circle page: who may see and change it, the forms, stale edits and the access log."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kring.audit.models import Action, Outcome
from kring.network.models import (
    ArrangementKind,
    CircleMember,
    MemberRole,
    MemberStatus,
    SafetyArrangement,
    Side,
)
from kring.network.services import member_update

from .conftest import add_member


def url(case, rest: str = "") -> str:
    return f"/cases/{case.pk}/circle/{rest}"


NEW_PERSON = {"name": "Oma Aicha", "relation": "oma (moeder van moeder)", "role": "network",
              "side": "mother", "kind": "family", "closeness": "1", "phone": "06 1234 5678",
              "email": "", "language": "ar", "notes": ""}


def test_the_coordinator_builds_a_circle_with_a_restriction(assigned, as_user, log):
    case = assigned.case
    client = as_user(assigned.coordinator)

    counter = log()
    page = client.get(url(case))
    assert page.status_code == 200
    entry = counter.one()
    assert (entry.action, entry.outcome, entry.case_id) == (Action.READ, Outcome.SUCCESS, case.pk)
    mother = CircleMember.objects.get(case=case, role=MemberRole.MAIN)

    counter = log()
    response = client.post(url(case, "members/"), NEW_PERSON)
    assert response.status_code == 302
    oma = CircleMember.objects.get(case=case, name="Oma Aicha")
    assert (oma.phone, oma.language, oma.side, oma.added_by) == ("+31612345678", "ar", Side.MOTHER,
                                                                  assigned.coordinator)
    entry = counter.one()
    assert (entry.action, entry.object_type, entry.object_id) == (Action.CREATE, "circlemember", str(oma.pk))

    client.post(url(case, "members/"), {**NEW_PERSON, "name": "Karim el Amrani", "relation": "vader",
                                        "side": "father", "phone": "", "language": ""})
    father = CircleMember.objects.get(case=case, name="Karim el Amrani")

    counter = log()
    response = client.post(url(case, "arrangements/"), {"kind": "must_not_meet", "person": mother.pk,
                                                         "other": father.pk, "note": "Contactverbod"})
    assert response.status_code == 302
    arrangement = SafetyArrangement.objects.get(case=case)
    assert (arrangement.person, arrangement.other) == (mother, father)
    assert counter.one().action == Action.CREATE

    counter = log()
    response = client.post(url(case, f"members/{oma.pk}/status/"), {"status": "invited"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#member-{oma.pk}")
    assert counter.one().purpose == "circle: status invited"
    oma.refresh_from_db()
    assert oma.status == MemberStatus.INVITED

    with translation.override("en"):
        html = client.get(url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "must not meet Karim el Amrani" in html
    assert "Contactverbod" in html
    root = ET.fromstring(html[html.index("<svg"):html.index("</svg>") + 6])
    lines = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "restriction"]
    assert [(g.get("data-person"), g.get("data-other")) for g in lines] == [(str(mother.pk), str(father.pk))]


def test_the_page_shows_the_map_figures_table_and_questions(circle, assigned, as_user):
    CircleMember.objects.filter(pk=circle.aunt.pk).update(status=MemberStatus.INVITED)
    CircleMember.objects.filter(pk=circle.uncle.pk).update(status=MemberStatus.CONFIRMED)
    response = as_user(assigned.coordinator).get(url(circle.case), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert 'role="img"' in html and "<desc" in html
    assert 'id="circle-table"' in html
    figures = response.context["figures"]
    assert (figures.size, figures.invited, figures.both_sides, figures.outside_family) == (3, 2, True, 1)
    assert '<dd id="figure-both-sides"><strong>yes</strong>' in html
    assert html.count("<details") >= 14
    assert "There is nobody I can ask." in html
    assert "+31612345678" in html, "the coordinator sees contact details"
    assert "network/network.css" in html


def test_the_page_asks_for_the_other_side_when_it_is_missing(circle, assigned, as_user):
    html = as_user(assigned.coordinator).get(url(circle.case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ask about the other side too." in html


def test_only_the_next_statuses_are_offered(circle, assigned, as_user):
    CircleMember.objects.filter(pk=circle.uncle.pk).update(status=MemberStatus.CONFIRMED)
    html = as_user(assigned.coordinator).get(url(circle.case)).content.decode()

    def offered(member) -> list[tuple[str, str]]:
        row = html[html.index(f'<tr id="member-{member.pk}">'):]
        row = row[:row.index("</tr>")]
        assert row.count(f'action="/cases/{circle.case.pk}/circle/members/{member.pk}/status/"') == row.count("<form")
        return re.findall(r'name="status" value="([^"]*)"><input type="hidden" name="attendance" value="([^"]*)"', row)

    assert offered(circle.uncle) == [("declined", ""), ("attended", "in_person"), ("attended", "remote")]
    assert [s for s, _a in offered(circle.aunt)] == ["approached", "invited"]


def test_a_refused_status_step_says_why_and_changes_nothing(circle, assigned, as_user, log):
    client = as_user(assigned.coordinator)
    counter = log()
    response = client.post(url(circle.case, f"members/{circle.aunt.pk}/status/"), {"status": "agreement"},
                           HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "cannot become" in response.content.decode()
    circle.aunt.refresh_from_db()
    assert circle.aunt.status == MemberStatus.IDENTIFIED
    entry = counter.rows()[0]
    assert (entry.outcome, entry.purpose) == (Outcome.DENIED, "circle: status refused: agreement")
    assert len(counter.rows()) == 2  # the refusal, and then the circle page it leads back to


def test_came_in_person_or_from_a_distance(circle, assigned, as_user):
    CircleMember.objects.filter(pk=circle.uncle.pk).update(status=MemberStatus.CONFIRMED)
    as_user(assigned.coordinator).post(url(circle.case, f"members/{circle.uncle.pk}/status/"),
                                       {"status": "attended", "attendance": "remote"})
    circle.uncle.refresh_from_db()
    assert (circle.uncle.status, circle.uncle.attendance) == ("attended", "remote")


def test_bad_input_gets_a_translated_error_and_nothing_is_saved(assigned, as_user, log):
    client = as_user(assigned.coordinator)
    client.get(url(assigned.case))
    count = CircleMember.objects.count()
    counter = log()
    response = client.post(url(assigned.case, "members/"), {**NEW_PERSON, "phone": "bel me", "email": "nope",
                                                             "side": "uncle"}, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    form = response.context["member_form"]
    assert set(form.errors) == {"phone", "email", "side"}
    with translation.override("nl"):
        assert form.errors["phone"] == [translation.gettext("This is not a phone number we can use.")]
    assert CircleMember.objects.count() == count
    entry = counter.one()
    assert (entry.action, entry.outcome) == (Action.CHANGE, Outcome.DENIED)


def test_a_bad_arrangement_is_refused_with_a_message(circle, assigned, as_user, log):
    counter = log()
    response = as_user(assigned.coordinator).post(
        url(circle.case, "arrangements/"), {"kind": "only_with_person", "person": circle.child.pk,
                                            "other": circle.uncle.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["arrangement_form"].errors == {"present": ["Choose who must be there."]}
    assert not SafetyArrangement.objects.exists()
    assert counter.one().outcome == Outcome.DENIED


def test_a_person_of_another_case_cannot_be_chosen(circle, assigned, as_user, world):
    from kring.testing import factories as f

    other = add_member(f.CaseFactory(coordinator=world.coordinator), "Iemand anders")
    response = as_user(assigned.coordinator).post(url(circle.case, "arrangements/"), {
        "kind": "must_not_meet", "person": circle.mother.pk, "other": other.pk})
    assert "other" in response.context["arrangement_form"].errors
    assert not SafetyArrangement.objects.exists()


def test_removing_an_arrangement(circle, assigned, as_user, log):
    arrangement = SafetyArrangement.objects.create(case=circle.case, kind=ArrangementKind.REMOTE_ONLY,
                                                   person=circle.uncle)
    counter = log()
    response = as_user(assigned.manager).post(url(circle.case, f"arrangements/{arrangement.pk}/remove/"))
    assert response.status_code == 302
    assert not SafetyArrangement.objects.exists()
    entry = counter.one()
    assert (entry.object_type, entry.object_id, entry.case_id) == (
        "safetyarrangement", str(arrangement.pk), circle.case.pk)


# --- editing a person, and two people editing at once ---------------------------------------


def test_editing_a_person(circle, assigned, as_user, log):
    client = as_user(assigned.coordinator)
    counter = log()
    page = client.get(url(circle.case, f"members/{circle.aunt.pk}/"))
    assert page.status_code == 200
    assert page.context["form"]["version"].value() == 1
    assert counter.one().action == Action.READ
    data = {**NEW_PERSON, "name": "Samira Bakker", "phone": "0687654321", "version": "1"}
    data.pop("role")
    counter = log()
    response = client.post(url(circle.case, f"members/{circle.aunt.pk}/"), data)
    assert response.status_code == 302
    circle.aunt.refresh_from_db()
    assert (circle.aunt.phone, circle.aunt.closeness, circle.aunt.version) == ("+31687654321", 1, 2)
    assert counter.one().purpose == "circle: person changed"


def test_a_stale_edit_shows_what_changed_and_overwrites_nothing(circle, assigned, as_user, log):
    client = as_user(assigned.coordinator)
    form = client.get(url(circle.case, f"members/{circle.aunt.pk}/")).context["form"]
    assert form["version"].value() == 1
    # Meanwhile the regional manager changes the phone number.
    member_update(member=circle.aunt, data={"phone": "+31687654321"}, expected_version=1, by=assigned.manager)

    data = {"name": "Samira Bakker", "relation": "tante", "side": "mother", "kind": "family",
            "closeness": "1", "phone": "+31612345678", "notes": "Neemt de kinderen mee.", "version": "1"}
    counter = log()
    response = client.post(url(circle.case, f"members/{circle.aunt.pk}/"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert f"{assigned.manager.display_name} changed Samira Bakker" in html
    assert "Phone: +31687654321" in html
    circle.aunt.refresh_from_db()
    assert (circle.aunt.phone, circle.aunt.notes, circle.aunt.relation, circle.aunt.version) == (
        "+31687654321", "", "tante (zus van moeder)", 2)
    refreshed = response.context["form"]
    assert refreshed["phone"].value() == "+31687654321", "the other person's value is shown"
    assert refreshed["notes"].value() == "Neemt de kinderen mee.", "the editor's own input is kept"
    assert str(refreshed["version"].value()) == "2"
    entry = counter.one()
    assert (entry.outcome, entry.purpose) == (Outcome.DENIED, "circle: stale edit refused")

    # Saving again, now on the current version, works.
    response = client.post(url(circle.case, f"members/{circle.aunt.pk}/"), refreshed.data)
    assert response.status_code == 302, (response.context["form"].errors, response.context["stale"], dict(refreshed.data))
    circle.aunt.refresh_from_db()
    assert (circle.aunt.phone, circle.aunt.notes, circle.aunt.version) == (
        "+31687654321", "Neemt de kinderen mee.", 3)


def test_a_person_of_another_case_is_not_found(circle, assigned, as_user, log, world):
    from kring.testing import factories as f

    other = add_member(f.CaseFactory(coordinator=world.coordinator), "Iemand anders")
    counter = log()
    response = as_user(assigned.coordinator).get(url(circle.case, f"members/{other.pk}/"))
    assert response.status_code == 404
    assert counter.one().outcome == Outcome.DENIED


# --- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["professional", "linked_professional"])
def test_the_professional_sees_the_circle_without_contact_details_or_forms(circle, assigned, as_user, persona,
                                                                          log):
    counter = log()
    response = as_user(assigned.by_name(persona)).get(url(circle.case))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Samira Bakker" in html and "<svg" in html
    assert "+31612345678" not in html
    assert "member_form" not in response.context and "<form method=\"post\" action=\"/cases" not in html
    assert counter.one().action == Action.READ
    assert CircleMember.objects.filter(case=circle.case).count() == 5


def test_the_professional_does_not_seed_the_circle(assigned, as_user):
    as_user(assigned.professional).get(url(assigned.case))
    assert not CircleMember.objects.filter(case=assigned.case).exists()


@pytest.mark.parametrize(("method", "rest", "data"), [
    ("post", "members/", NEW_PERSON),
    ("get", "members/{aunt}/", None),
    ("post", "members/{aunt}/", {"name": "x", "version": "1"}),
    ("post", "members/{aunt}/status/", {"status": "invited"}),
    ("post", "arrangements/", {"kind": "remote_only", "person": "{aunt}"}),
    ("post", "arrangements/{arrangement}/remove/", {}),
])
@pytest.mark.parametrize(("persona", "status"), [
    ("professional", 403), ("linked_professional", 403), ("stranger_coordinator", 404),
    ("stranger_manager", 404), ("stranger_professional", 404), ("policy", 404), ("admin", 404),
])
def test_only_the_coordinator_and_manager_change_the_circle(circle, assigned, as_user, log, method, rest,
                                                            data, persona, status):
    arrangement = SafetyArrangement.objects.create(case=circle.case, kind=ArrangementKind.REMOTE_ONLY,
                                                   person=circle.uncle)
    ids = {"aunt": circle.aunt.pk, "arrangement": arrangement.pk}
    path = url(circle.case, rest.format(**ids))
    data = {k: str(v).format(**ids) for k, v in data.items()} if data is not None else None
    counter = log()
    client = as_user(assigned.by_name(persona))
    response = getattr(client, method)(path, data) if data is not None else client.get(path)
    assert response.status_code == status
    entry = counter.one()
    assert entry.outcome == Outcome.DENIED
    assert CircleMember.objects.filter(case=circle.case).count() == 5
    assert SafetyArrangement.objects.filter(case=circle.case).count() == 1
    circle.aunt.refresh_from_db()
    assert (circle.aunt.status, circle.aunt.version) == (MemberStatus.IDENTIFIED, 1)


@pytest.mark.parametrize("persona", ["stranger_coordinator", "stranger_manager", "stranger_professional"])
def test_strangers_get_404_for_the_page_and_the_map(circle, assigned, as_user, log, persona):
    client = as_user(assigned.by_name(persona))
    for path in (url(circle.case), url(circle.case, "ecomap.svg")):
        counter = log()
        assert client.get(path).status_code == 404
        assert counter.one().outcome == Outcome.DENIED


def test_the_circle_of_a_closed_case_can_be_seen_not_changed(circle, assigned, as_user):
    from kring.cases.models import Case, State

    Case.objects.filter(pk=circle.case.pk).update(state=State.CLOSED)
    client = as_user(assigned.coordinator)
    response = client.get(url(circle.case))
    assert response.status_code == 200 and not response.context["may_change"]
    response = client.post(url(circle.case, "members/"), NEW_PERSON, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "can no longer be changed" in response.content.decode()
    assert not CircleMember.objects.filter(name="Oma Aicha").exists()


# --- the eco-map file -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "manager", "professional"])
def test_the_ecomap_file_is_svg_checked_and_logged(circle, assigned, as_user, log, persona):
    counter = log()
    response = as_user(assigned.by_name(persona)).get(url(circle.case, "ecomap.svg"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.get("role") == "img"
    entry = counter.one()
    assert (entry.action, entry.purpose, entry.case_id) == (Action.EXPORT, "eco-map (SVG)", circle.case.pk)


def test_the_ecomap_file_follows_the_data(circle, assigned, as_user):
    client = as_user(assigned.coordinator)
    before = client.get(url(circle.case, "ecomap.svg")).content
    client.post(url(circle.case, "members/"), NEW_PERSON)
    after = client.get(url(circle.case, "ecomap.svg")).content
    assert before.count(b'class="node"') + 1 == after.count(b'class="node"')
    assert b"Oma Aicha" in after and b"Oma Aicha" not in before


def test_adding_with_htmx_swaps_the_page_body(assigned, as_user):
    client = as_user(assigned.coordinator)
    response = client.post(url(assigned.case, "members/"), NEW_PERSON, HTTP_HX_REQUEST="true", follow=True)
    assert response.status_code == 200
    assert b'id="main"' in response.content and b"Oma Aicha" in response.content


def test_the_page_needs_the_same_number_of_queries_for_a_big_circle(circle, assigned, as_user):
    client = as_user(assigned.coordinator)
    client.get(url(circle.case))
    with CaptureQueriesContext(connection) as small:
        client.get(url(circle.case))
    for i in range(15):
        member = add_member(circle.case, f"Persoon {i}", side=Side.FATHER)
        SafetyArrangement.objects.create(case=circle.case, kind=ArrangementKind.MUST_NOT_MEET,
                                         person=circle.mother, other=member)
    with CaptureQueriesContext(connection) as big:
        client.get(url(circle.case))
    assert len(big) == len(small)
