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
