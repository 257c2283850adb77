"""The case list and inbox rows are built in Python: same links, names, dates and escaping as the template's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from kring.cases.forms import CaseFilterForm, filter_field_html
from kring.cases.models import Case
from kring.cases.rows import LIST_FIELDS, case_rows, display_name, url_for_pk
from kring.testing import factories as f


def test_row_links_are_the_reversed_urls():
    for name in ("case_detail", "case_assign"):
        url = url_for_pk(name)
        for pk in (1, 7, 918273645, 123456789012):
            assert url(pk) == reverse(name, args=[pk])


def test_display_name_is_the_users(db):
    for first, last, username in [("Ans", "de Wit", "ans"), ("", "", "bo"), ("Cor", "", "c"), ("", "Wit", "w")]:
        user = f.CoordinatorFactory(first_name=first, last_name=last, username=username)
        assert display_name(user.first_name, user.last_name, user.username) == user.display_name
    assert display_name(None, None, None) == ""


def test_the_received_day_is_the_date_filters_in_each_language(db):
    moment = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # already 2 March in Amsterdam
    f.CaseFactory(family=False, submitted_at=moment)
    template = Template('{{ at|date:"j M Y" }}')
    received = {}
    for language in ("en", "nl"):
        with translation.override(language):
            [row] = case_rows(Case.objects.values_list(*LIST_FIELDS, named=True))
            assert row.received == template.render(Context({"at": moment}))
            received[language] = row.received
    assert received == {"en": "2 Mar 2026", "nl": "2 Mrt 2026"}


def test_a_row_escapes_what_people_typed_and_marks_urgent_cases(world, as_user):
    world.coordinator.first_name = "<b>Jan</b>"
    world.coordinator.save()
    urgent = f.CaseFactory(family=False, coordinator=world.coordinator, urgency="urgent")
    plain = f.CaseFactory(family=False, coordinator=world.coordinator, submitted_at=timezone.now() - timedelta(days=1))
    html = as_user(world.coordinator).get("/cases/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<b>Jan</b>" not in html and "&lt;b&gt;Jan&lt;/b&gt;" in html
    assert f'<a href="/cases/{urgent.pk}/">{urgent.reference}</a> <span class="urgent">urgent</span></td>' in html
    assert f'<a href="/cases/{plain.pk}/">{plain.reference}</a></td>' in html
    html = as_user(world.manager).get("/cases/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<span class="urgent">spoed</span>' in html
    assert "<td>Aanvraag</td><td>-</td></tr>" in html  # no coordinator: a dash


def test_the_kept_filter_fields_follow_the_language_and_the_chosen_state(db):
    with translation.override("en"):
        english = filter_field_html(CaseFilterForm(), "state")
        assert "All states" in english
    with translation.override("nl"):
        assert filter_field_html(CaseFilterForm(), "state") != english
    with translation.override("en"):
        form = CaseFilterForm({"state": "preparing", "q": ""})
        assert form.is_valid()
        chosen = filter_field_html(form, "state")
        assert '<option value="preparing" selected>' in chosen and chosen != english
        assert filter_field_html(CaseFilterForm(), "state") == english
        assert filter_field_html(None, "state") == english  # the page without parameters makes no form
        assert filter_field_html(None, "q") == filter_field_html(CaseFilterForm(), "q")


def test_a_typed_search_and_errors_are_rendered_each_time(db):
    with translation.override("en"):
        form = CaseFilterForm({"q": "K-ABC", "state": "nonsense"})
        assert not form.is_valid()
        assert 'value="K-ABC"' in filter_field_html(form, "q")
        assert "errorlist" in filter_field_html(form, "state")
        other = CaseFilterForm({"q": "K-XYZ"})
        assert other.is_valid()
        assert 'value="K-XYZ"' in filter_field_html(other, "q")
        assert "value=" not in filter_field_html(CaseFilterForm(), "q")


def test_the_case_page_links_are_the_reversed_urls(world):
    from kring.cases.rows import CASE_LINKS, case_links

    links = case_links(world.case.pk)
    assert links == {key: reverse(name, args=[world.case.pk]) for key, name in CASE_LINKS.items()}


def test_a_url_that_does_not_exist_here_is_empty_as_in_url_as():
    from django.urls import NoReverseMatch

    from kring.cases.rows import url_or_empty

    assert url_or_empty("no_such_page", 3) == ""
    try:
        url_for_pk("no_such_page")
    except NoReverseMatch:
        pass
    else:
        raise AssertionError("url_for_pk must refuse an unknown name")


def test_the_timeline_names_the_step_the_state_and_who_took_it(world):
    from kring.cases.models import CaseEvent
    from kring.cases.rows import timeline

    at = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    CaseEvent.objects.create(case=world.case, name="submitted", from_state="request", to_state="request",
                             actor=None, actor_role="", at=at)
    CaseEvent.objects.create(case=world.case, name="first_contact", from_state="request", to_state="informing",
                             actor=world.coordinator, actor_role="coordinator", at=at + timedelta(hours=1),
                             reason="<script>")
    with translation.override("en"):
        first, second = (str(e) for e in timeline(world.case.pk))
    assert first == ('<li><time datetime="2026-03-02T00:30:00+01:00">2 Mar 2026 00:30</time> · '
                     "<strong>Request received</strong> · public form</li>")
    assert second == ('<li><time datetime="2026-03-02T01:30:00+01:00">2 Mar 2026 01:30</time> · '
                      "<strong>Record first contact with the family</strong> → Informing · "
                      f'{world.coordinator.display_name} · <span dir="auto">&lt;script&gt;</span></li>')


def test_the_family_rows_show_age_and_dashes(world):
    from kring.cases.rows import person_rows

    world.case.persons.all().delete()
    world.case.persons.create(role="child", name="Bo <b>", birth_date="2020-02-29", phone="06 1")
    world.case.persons.create(role="parent", name="Ma")
    with translation.override("en"):
        rows = [str(r) for r in person_rows(world.case.pk, datetime(2026, 2, 28).date())]
    assert rows == [
        '<tr><td dir="auto">Bo &lt;b&gt;</td><td>Child</td><td>29 Feb 2020</td><td>5</td><td>06 1</td></tr>',
        '<tr><td dir="auto">Ma</td><td>Parent or carer</td><td>-</td><td>-</td><td>-</td></tr>',
    ]


def test_the_empty_reason_field_is_kept_per_language(db):
    from kring.cases.forms import StepForm, step_reason_html

    for language, label in (("en", "Reason"), ("nl", "Reden")):
        with translation.override(language):
            html = step_reason_html()
            assert f'<label for="id_reason">{label}' in html and "></textarea>" in html.replace("\n", "")
            assert html == step_reason_html()
            assert html == Template('{% include "includes/field.html" %}').render(
                Context({"field": StepForm()["reason"]}))


def test_the_inbox_pages_its_rows_and_counts_without_joins(world, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    now = timezone.now()
    for i in range(54):
        f.CaseFactory(family=False, submitted_at=now - timedelta(minutes=i))
    client = as_user(world.manager)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en")
    [count] = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
    assert "JOIN" not in count
    second = client.get("/inbox/?page=2", HTTP_ACCEPT_LANGUAGE="en")
    pks = [row.pk for row in first.context["page"]] + [row.pk for row in second.context["page"]]
    assert len(pks) == 55 and len(set(pks)) == 55
    assert "55 requests open." in second.content.decode() and "Page 2 of 2" in second.content.decode()
    row = second.context["page"][0]
    assert f'<a class="button" href="/cases/{row.pk}/assign/">Assign</a>' in second.content.decode()
