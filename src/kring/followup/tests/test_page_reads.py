"""The follow-up page: the current version read once, labels looked up once, the empty form rendered
once per language, and as many queries however long the schedule or the plan."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kring.core.kept import _KEPT
from kring.followup import services, views
from kring.followup.models import CheckInAnswer, Reminder, ReminderKind
from kring.followup.views import reconvene_fields_html
from kring.plans.models import Agreement
from kring.plans.tests.builders import member

from .helpers import link_for, ratings


def _get(client, url, language="nl"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def test_the_schedule_shows_the_labels_and_moments_as_the_models_and_the_date_filter_give_them(accepted, as_user):
    page, _count = _get(as_user(accepted.world.coordinator), f"/cases/{accepted.case.pk}/followup/")
    moment = Template("""<time datetime="{{ d|date:'c' }}">{{ d|date:"j F Y H:i" }}</time>""")
    with translation.override("nl"):
        for reminder in accepted.case.reminders.all():
            assert moment.render(Context({"d": reminder.due_at})) in page
            assert f"<td>{reminder.get_kind_display()}" in page
            assert f"<td>{reminder.get_status_display()}" in page


def test_the_empty_reconvene_form_is_rendered_once_per_language_without_a_token(accepted, as_user):
    with translation.override("nl"):
        dutch = reconvene_fields_html()
    with translation.override("en"):
        english = reconvene_fields_html()
        assert reconvene_fields_html() == english
    assert {(views.RECONVENE_FIELDS, "nl"), (views.RECONVENE_FIELDS, "en")} <= set(_KEPT)  # kept, per language
    assert dutch != english and "Where?" in english and 'name="venue"' in dutch
    assert "csrfmiddlewaretoken" not in dutch + english
    client = as_user(accepted.world.coordinator)
    for language, fields in (("nl", dutch), ("en", english)):
        page, _count = _get(client, f"/cases/{accepted.case.pk}/followup/", language)
        assert fields in page
        assert page.count("csrfmiddlewaretoken") >= 2  # the forms around the fields keep their token


def test_unreachable_and_not_going_well_from_one_read_are_what_the_services_say(accepted, client):
    aunt_check_in, aunt_token = link_for(accepted, accepted.circle.aunt)
    client.post(f"/followup/c/{aunt_token}/", ratings(aunt_check_in, "not", "partly"))
    mother_check_in, mother_token = link_for(accepted, accepted.circle.mother)
    client.post(f"/followup/c/{mother_token}/", ratings(mother_check_in, "good"))
    client.post(f"/followup/c/{mother_token}/", ratings(mother_check_in, "not"))  # the latest counts
    case = accepted.case
    version = services.current_version_of_carriers(case)
    agreements = services.current_agreements(version)
    answers = services.answers_on(agreements)
    assert CheckInAnswer.objects.count() == len(answers) == 3
    now = timezone.now()
    assert ({a.pk for a in services.not_going_well_among(case, answers, now)}
            == {a.pk for a in services.not_going_well(case, now)})
    assert len(services.not_going_well(case, now)) == 2
    later = now + services.NOT_WINDOW + timedelta(days=1)
    assert services.not_going_well_among(case, answers, later) == services.not_going_well(case, later) == []
    assert services.summarise_check_ins(agreements, answers) == services.check_in_summary(case)
    assert ([m.pk for m in services.unreachable_among(version, agreements)]
            == [m.pk for m in services.unreachable(case)])


def test_the_follow_up_page_reads_as_often_with_a_longer_schedule_and_plan(accepted, as_user):
    client = as_user(accepted.world.coordinator)
    url = f"/cases/{accepted.case.pk}/followup/"
    _get(client, url)
    _page, before = _get(client, url)
    version = accepted.version
    for i in range(4):
        who = member(accepted.case, f"Buur {i}")  # no e-mail address, no phone: unreachable
        Agreement.objects.create(version=version, order=20 + i, who=who, what=f"Afspraak {i}", when="soms")
        Reminder.objects.create(case=accepted.case, kind=ReminderKind.CHECK_IN, member=who,
                                due_at=timezone.now() + timedelta(days=i + 1))
        Reminder.objects.create(case=accepted.case, kind=ReminderKind.COORDINATOR_CALL,
                                user=accepted.world.coordinator, due_at=timezone.now() + timedelta(days=i + 1))
    page, after = _get(client, url)
    assert "Buur 3" in page and "Afspraak 3" in page
    assert after == before


def test_evaluations_and_outcomes_read_once_compiled_are_what_the_models_give(accepted, as_user):
    from kring.followup.models import Evaluation, Outcome

    case, version = accepted.case, accepted.version
    today = timezone.localdate()
    Evaluation.objects.create(case=case, held_on=today, changes="Oma kookt vaker", plan_version=version,
                              recorded_by=accepted.world.coordinator)
    Evaluation.objects.create(case=case, held_on=today - timedelta(days=3), changes="",
                              recorded_by=accepted.world.coordinator)
    Outcome.objects.filter(case=case, months=3).update(recorded_at=timezone.now(), family_satisfaction=4,
                                                       professional_satisfaction=3, plan_running="yes")
    expected = [(e.held_on, e.changes, e.plan_version.number if e.plan_version else None)
                for e in Evaluation.objects.filter(case=case)]
    assert [(e.held_on, e.changes, e.plan_version.number if e.plan_version else None)
            for e in services.evaluations_of(case.pk)] == expected
    assert expected[0][2] is None and expected[1][2] == version.number
    outcomes = services.outcomes_of(case.pk)
    models = list(Outcome.objects.filter(case=case))
    assert outcomes == models and len(models) == 3
    assert [o.__dict__ | {"_state": None} for o in outcomes] == [o.__dict__ | {"_state": None} for o in models]
    assert outcomes[0].get_plan_running_display() == models[0].get_plan_running_display()
    assert services.evaluations_of(case.pk + 1000) == [] and services.outcomes_of(case.pk + 1000) == []
    page, _count = _get(as_user(accepted.world.coordinator), f"/cases/{case.pk}/followup/", "en")
    assert "Oma kookt vaker" in page and f"made version {version.number}" in page and "4 / 3" in page
