"""The circle page builds its table rows in Python and keeps its empty forms and the widening
questions per language: the page must show the same as the template did, escape what people
typed, keep nothing personal, and read the database the same number of times for any circle."""

from __future__ import annotations

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kring.core import kept
from kring.network import fragments
from kring.network.ecomap import read_circle
from kring.network.forms import ArrangementForm, MemberForm
from kring.network.models import ArrangementKind, MemberStatus, SafetyArrangement
from kring.network.widening import FOUR_QUESTIONS, YES_BUTS

from .conftest import add_member


def url(case) -> str:
    return f"/cases/{case.pk}/circle/"


def test_the_empty_arrangement_form_is_the_one_django_renders(circle):
    add_member(circle.case, "<b>O'Brien & Zn</b>")
    listed = read_circle(circle.case).listed
    for language in ("nl", "en"):
        with translation.override(language):
            expected = render_to_string("network/_arrangement_fields.html",
                                        {"arrangement_form": ArrangementForm(case=circle.case)})
            assert str(fragments.arrangement_form_fields(listed=listed)) == expected
    assert "&lt;b&gt;O&#x27;Brien &amp; Zn&lt;/b&gt;" in expected and "<b>O'Brien" not in expected


def test_an_empty_circle_gets_an_arrangement_form_without_people(assigned):
    expected = render_to_string("network/_arrangement_fields.html",
                                {"arrangement_form": ArrangementForm(case=assigned.case)})
    assert str(fragments.arrangement_form_fields(listed=[])) == expected


def test_kept_pieces_follow_the_language_and_hold_nothing_personal(circle, assigned, as_user):
    kept.forget()
    client = as_user(assigned.coordinator)
    pages = {}
    for language in ("nl", "en"):
        with translation.override(language):
            pages[language] = client.get(url(circle.case), HTTP_ACCEPT_LANGUAGE=language).content.decode()
            assert str(fragments.widening()) == render_to_string(
                "network/_widening.html", {"questions": FOUR_QUESTIONS, "yes_buts": YES_BUTS})
            assert str(fragments.member_form_fields()) == render_to_string(
                "network/_member_fields.html", {"member_form": MemberForm()})
    assert "Vier vragen die je steeds opnieuw stelt" in pages["nl"]
    assert "Four questions to ask again and again" in pages["en"]
    assert "Four questions to ask again and again" not in pages["nl"]
    assert {language for _name, language in kept._KEPT} == {"nl", "en"}
    for html in kept._KEPT.values():
        assert "csrfmiddlewaretoken" not in html
        for member in (circle.mother, circle.aunt, circle.neighbour):
            assert member.name not in html
        assert f"/cases/{circle.case.pk}/" not in html
        assert circle.case.reference not in html


def test_names_and_relations_in_the_table_are_escaped(circle, assigned, as_user):
    odd = add_member(circle.case, '<script>alert("x")</script>', relation="<i>buurman</i>",
                     phone="+31612345678", email="a&b@example.org")
    html = as_user(assigned.coordinator).get(url(circle.case)).content.decode()
    row = html[html.index(f'<tr id="member-{odd.pk}">'):]
    row = row[:row.index("</tr>")]
    assert "<script>" not in row and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in row
    assert "&lt;i&gt;buurman&lt;/i&gt;" in row
    assert 'href="mailto:a&amp;b@example.org"' in row
    assert f'href="/cases/{circle.case.pk}/circle/members/{odd.pk}/"' in row


def test_the_table_shows_labels_restrictions_and_contact_only_to_who_may_change(circle, assigned, as_user):
    SafetyArrangement.objects.create(case=circle.case, kind=ArrangementKind.MUST_NOT_MEET,
                                     person=circle.aunt, other=circle.uncle)
    type(circle.aunt).objects.filter(pk=circle.aunt.pk).update(
        status=MemberStatus.ATTENDED, attendance="remote", interpreter_needed=True)
    for user, contact in ((assigned.coordinator, True), (assigned.professional, False)):
        html = as_user(user).get(url(circle.case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        row = html[html.index(f'<tr id="member-{circle.aunt.pk}">'):]
        row = row[:row.index("</tr>")]
        assert "tante (zus van moeder)" in row and "Mother&#x27;s side" in row and "Very close" in row
        assert '<span class="badge status-attended">Attended</span> (from a distance)' in row
        assert "needs an interpreter" in row
        assert '<span class="restriction">must not meet Karim el Amrani</span>' in row
        assert ('href="tel:+31612345678"' in row) is contact
        assert ("<form" in row) is contact
        assert ('aria-label="Samira Bakker: Took on an agreement"' in row) is contact
        assert ('<th scope="col">Contact</th>' in html) is contact  # the kept table head per right
        assert ('id="add-member"' in html) is contact


def test_the_page_reads_the_same_number_of_times_for_a_bigger_circle(circle, assigned, as_user):
    client = as_user(assigned.coordinator)
    client.get(url(circle.case))

    def queries() -> int:
        with CaptureQueriesContext(connection) as made:
            assert client.get(url(circle.case)).status_code == 200
        return len(made)

    before = queries()
    for i in range(6):
        add_member(circle.case, f"Buur {i}", phone="0612345678", email=f"b{i}@example.org")
    SafetyArrangement.objects.create(case=circle.case, kind=ArrangementKind.MUST_NOT_MEET,
                                     person=circle.aunt, other=circle.uncle)
    SafetyArrangement.objects.create(case=circle.case, kind=ArrangementKind.ONLY_WITH_PERSON,
                                     person=circle.mother, other=circle.uncle, present=circle.neighbour)
    SafetyArrangement.objects.create(case=circle.case, kind=ArrangementKind.SOME_PARTS_ONLY,
                                     person=circle.neighbour, parts=[1, 2])
    assert queries() == before
    with CaptureQueriesContext(connection) as made:
        assert client.get(f"{url(circle.case)}ecomap.svg").status_code == 200
    assert not any("network_circlemember" in q["sql"] and "IN (" in q["sql"] for q in made.captured_queries)


def test_arrangements_get_their_people_from_the_circle_read(circle):
    SafetyArrangement.objects.create(case=circle.case, kind=ArrangementKind.ONLY_WITH_PERSON,
                                     person=circle.mother, other=circle.uncle, present=circle.neighbour)
    with CaptureQueriesContext(connection) as made, translation.override("en"):
        read = read_circle(circle.case, fields=("id", "name", "role", "closeness"))
        summary = read.arrangements[0].summary
    assert len(made) == 2
    assert summary == "Fatima el Amrani: meets Karim el Amrani only when Els de Boer is there"
    by_id = {m.pk: m for m in read.members}
    a = read.arrangements[0]
    assert a.person is by_id[circle.mother.pk] and a.present is by_id[circle.neighbour.pk]
    assert [m.pk for m in read.listed] == list(
        type(circle.mother).objects.filter(case=circle.case).order_by("role", "name", "id").values_list("pk", flat=True))


def test_the_quick_choice_labels_are_the_ones_django_gives():
    from django.db.models import Model

    from kring.network.models import CircleMember

    for language in ("nl", "en"):
        with translation.override(language):
            for name in ("role", "side", "kind", "status", "attendance"):
                field = CircleMember._meta.get_field(name)
                for value in [*(v for v, _l in field.choices), "", "unknown"]:
                    member = CircleMember(**{name: value})
                    assert getattr(member, f"get_{name}_display")() == Model._get_FIELD_display(member, field)
            field = SafetyArrangement._meta.get_field("kind")
            for value in [*(v for v, _l in field.choices), "unknown"]:
                arrangement = SafetyArrangement(kind=value)
                assert arrangement.get_kind_display() == Model._get_FIELD_display(arrangement, field)


def test_a_page_without_arrangements_reads_the_circle_in_one_query(circle):
    SafetyArrangement.objects.create(case=circle.case, kind=ArrangementKind.MUST_NOT_MEET,
                                     person=circle.aunt, other=circle.uncle)
    with CaptureQueriesContext(connection) as made:
        read = read_circle(circle.case, arrangements=False)
    assert len(made) == 1 and read.arrangements == [] and len(read.members) == 5


def test_a_person_outside_the_circle_read_is_read_once_for_all_arrangements(circle):
    from kring.testing.factories import CaseFactory

    stranger = add_member(CaseFactory(), "Iemand anders")
    for kind in (ArrangementKind.MUST_NOT_MEET, ArrangementKind.ONLY_WITH_PERSON):
        SafetyArrangement.objects.create(case=circle.case, kind=kind, person=circle.aunt, other=stranger,
                                         present=circle.mother if kind == ArrangementKind.ONLY_WITH_PERSON else None)
    with CaptureQueriesContext(connection) as made:
        read = read_circle(circle.case)
        names = [(a.person.name, a.other.name) for a in read.arrangements]
    assert len(made) == 3
    assert names == [("Samira Bakker", "Iemand anders")] * 2


def test_a_refused_form_shows_what_was_typed_and_the_errors_not_the_kept_empty_form(circle, assigned, as_user):
    client = as_user(assigned.coordinator)
    client.get(url(circle.case), HTTP_ACCEPT_LANGUAGE="en")  # the empty forms are kept now
    html = client.post(f"{url(circle.case)}members/", {"name": "Oma <Aicha>", "role": "network", "side": "uncle",
                                                       "kind": "family", "closeness": "1", "phone": "bel me"},
                       HTTP_ACCEPT_LANGUAGE="en").content.decode()
    member_form = html[html.index('id="add-member"'):]
    assert 'value="Oma &lt;Aicha&gt;"' in member_form and 'class="errorlist"' in member_form
    assert '<details class="card no-print" id="add-arrangement">' in html  # closed: not the refused one
    html = client.post(f"{url(circle.case)}arrangements/", {"kind": "only_with_person", "person": circle.child.pk,
                                                            "other": circle.uncle.pk}, HTTP_ACCEPT_LANGUAGE="en"
                       ).content.decode()
    arrangement_form = html[html.index('id="add-arrangement"'):html.index('id="add-member"')]
    assert arrangement_form.startswith('id="add-arrangement" open>')
    assert "Choose who must be there." in arrangement_form
    assert f'<option value="{circle.child.pk}" selected>' in arrangement_form
    assert 'value="Oma' not in html
