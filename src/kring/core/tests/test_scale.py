"""The national data set (`kring demo --scale N`), at a small scale: counts, spread, consistency, pages."""

from __future__ import annotations

import io
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone

from kring.accounts.models import Role, User
from kring.audit.log import log_access
from kring.audit.models import AccessLogEntry, Action
from kring.cases.models import FINAL_STATES, Case, CaseEvent, CasePerson, State
from kring.conferences.models import PreparationItem
from kring.conferences.services import preparation_items
from kring.core.scale import CasesExist, generate
from kring.core.scale.cases import PER_CASE
from kring.core.scale.cases import tables as scale_tables
from kring.family.session import SESSION_KEY
from kring.followup.models import Evaluation, Outcome, Reminder
from kring.followup.services import followup_schedule_create
from kring.intake.services import RequestData, request_submit
from kring.network.models import CircleMember
from kring.network.services import circle_seed, member_add
from kring.plans.models import InformationForm, Plan, PlanVersion
from kring.regions.models import Municipality, Region
from kring.testing.helpers import login

pytestmark = pytest.mark.django_db

N = 60
SEED = 7


def _generate(n: int = N, **kwargs):
    kwargs.setdefault("summaries", False)
    return generate(n, seed=SEED, out=io.StringIO(), analyze=False, **kwargs)


def _scale_models() -> list[type[models.Model]]:
    return [t.model for t in scale_tables().values()]


def test_it_makes_the_promised_rows_spread_over_regions_years_and_states():
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)  # a fixed moment: the same cases every run
    result = _generate(300, now=now)
    assert Case.objects.count() == 300
    assert result.rows["cases_case"] == 300
    # Every table the generator promises has rows; the averages stay in the documented ranges.
    assert all(count > 0 for count in result.rows.values()), result.rows
    per_case = {name: count / 300 for name, count in result.rows.items()}
    assert 2.5 <= per_case["cases_caseperson"] <= 5
    assert 5 <= per_case["cases_caseevent"] <= 12
    assert 5 <= per_case["audit_accesslogentry"] <= 30
    assert 8 <= per_case["followup_reminder"] <= 30
    for name, count in result.rows.items():  # the counts printed are the rows in the database
        model = next(m for m in _scale_models() if m._meta.db_table == name)
        assert model.objects.count() >= count, name

    assert Case.objects.values("region").distinct().count() == Region.objects.count() == 14
    years = {d.year for d in Case.objects.values_list("submitted_at", flat=True)}
    assert len(years) >= 10 and min(years) <= now.year - 9
    # More requests in later years.
    old = Case.objects.filter(submitted_at__lt=now - timedelta(days=365 * 8)).count()
    recent = Case.objects.filter(submitted_at__gte=now - timedelta(days=365 * 2)).count()
    assert recent > old
    # Old cases are finished; recent ones are in many states, and the inbox has open requests.
    assert not Case.objects.filter(submitted_at__lt=now - timedelta(days=730)).exclude(
        state__in=FINAL_STATES).exists()
    assert Case.objects.filter(state=State.CLOSED).count() > 300 * 0.4
    big = _generate(1500, append=True, now=now)
    assert big.rows["cases_case"] == 1500
    open_states = set(Case.objects.exclude(state__in=FINAL_STATES).values_list("state", flat=True))
    assert len(open_states) >= 5, open_states
    # A norm clock runs for a week at most: only recent requests wait in the inbox.
    assert not Case.objects.in_inbox().filter(submitted_at__lt=now - timedelta(days=8)).exists()

    # Circles of 3 to 30 people for the cases that got to the preparation.
    sizes = Counter(CircleMember.objects.filter(case__first_contact_at__isnull=False,
                                                case__events__name="start_preparing")
                    .values_list("case_id", flat=True))
    assert sizes and min(sizes.values()) >= 3 and max(sizes.values()) <= 30

    # Staff to match: coordinators in every region, managers, professionals with cases, policy.
    assert User.objects.filter(role=Role.COORDINATOR, coordinator_profile__regions__isnull=False).values(
        "coordinator_profile__regions").distinct().count() == 14
    assert User.objects.filter(role=Role.REGIONAL_MANAGER, regions__isnull=False).values("regions").distinct(
        ).count() == 14
    assert User.objects.filter(role=Role.PROFESSIONAL, referred_cases__isnull=False).exists()
    assert User.objects.filter(role=Role.POLICY).count() >= 15
    assert User.objects.filter(is_demo=True, role=Role.COORDINATOR, is_active=False).exists()


def test_every_foreign_key_points_at_a_row():
    _generate()
    checked = 0
    for model in [*_scale_models(), User, Case]:
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                continue
            target = field.related_model
            orphans = model.objects.exclude(**{f"{field.name}__isnull": True}).exclude(
                **{f"{field.attname}__in": target.objects.values("pk")})
            assert not orphans.exists(), f"{model._meta.db_table}.{field.column}"
            checked += 1
    # The access log refers to cases by id (no constraint): those cases exist too.
    case_ids = set(AccessLogEntry.objects.exclude(case_id=None).values_list("case_id", flat=True))
    assert case_ids and case_ids <= set(Case.objects.values_list("pk", flat=True))
    assert checked > 60


def test_derived_fields_are_what_the_services_would_compute():
    _generate()
    for case in Case.objects.all():
        assert case.next_deadline_at == case.compute_next_deadline(), case.pk
        events = list(case.events.order_by("at", "id"))
        assert events[0].name == "submitted" and events[0].at == case.submitted_at
        transitions = [e for e in events if e.name not in ("submitted", "assign")]
        assert case.state == (transitions[-1].to_state if transitions else State.REQUEST)
        assert case.state_changed_at == (transitions[-1].at if transitions else case.submitted_at)
        first = {}
        for event in events:
            first.setdefault(event.name, event.at)
            assert event.from_state in State.values and event.to_state in State.values
        assert case.assigned_at == first.get("assign")
        assert case.first_contact_at == first.get("first_contact")
        assert case.held_at == first.get("hold")
        assert case.plan_accepted_at == first.get("accept_plan")
        assert case.closed_at == first.get("close")
        assert (case.coordinator_id is None) == (case.assigned_at is None)
        # The information form: its counter is its number of versions; locked from the conference on.
        form = InformationForm.objects.filter(case=case).first()
        if form is not None:
            assert form.version == form.versions.count()
            assert (form.locked_at is not None) == (case.held_at is not None)
        # The plan's current version matches the state.
        plan = Plan.objects.filter(case=case).first()
        assert (plan is not None) == (case.held_at is not None)
        if plan is not None:
            current = plan.current
            if case.plan_accepted_at is not None:
                assert current.status == "accepted"
            elif case.state == State.PLAN_NOT_ACCEPTED:
                assert current.status == "not_accepted"
        # Nothing for the services to fill in on a first visit.
        if CircleMember.objects.filter(case=case).exists():
            assert circle_seed(case=case) == []
        if case.events.filter(name="start_preparing").exists():
            before = PreparationItem.objects.filter(case=case).count()
            preparation_items(case)
            assert PreparationItem.objects.filter(case=case).count() == before == 11


def test_the_follow_up_schedule_is_the_one_the_service_makes():
    _generate(200)
    cases = (Case.objects.filter(plan_accepted_at__isnull=False).exclude(evaluations__isnull=False)
             .order_by("pk")[:8])
    assert cases
    for case in cases:
        generated = sorted(Reminder.objects.filter(case=case).values_list(
            "kind", "member_id", "user_id", "due_at", "note"), key=str)
        outcomes = sorted(Outcome.objects.filter(case=case).values_list("months", "due_on"))
        Reminder.objects.filter(case=case).delete()
        Outcome.objects.filter(case=case).delete()
        with mock.patch("django.utils.timezone.now", return_value=case.plan_accepted_at):
            followup_schedule_create(case)
        made = sorted(Reminder.objects.filter(case=case).values_list(
            "kind", "member_id", "user_id", "due_at", "note"), key=str)
        assert made == generated, case.pk
        assert sorted(Outcome.objects.filter(case=case).values_list("months", "due_on")) == outcomes
    # Evaluations made a newer, accepted version of the plan.
    for evaluation in Evaluation.objects.select_related("plan_version")[:10]:
        assert evaluation.plan_version.status == "accepted"
        assert evaluation.plan_version.number > 1


def test_normal_creates_work_afterwards():
    """The sequences are moved past the generated ids (PostgreSQL), so the services create rows as usual."""
    _generate()
    municipality = Municipality.objects.get(name="Utrecht")
    case = request_submit(data=RequestData(
        municipality=municipality, situation="Moeder is moe.", legal_frame="voluntary", trigger_moment="intake",
        urgency="normal", requester_kind="parent", requester_name="Anna Jansen", requester_email="a@example.org",
        parents=[{"name": "Anna Jansen"}], children=[{"name": "Tim Jansen", "birth_date": timezone.localdate()}],
    ), channel="public")
    assert case.pk > max(Case.objects.exclude(pk=case.pk).values_list("pk", flat=True))
    coordinator = User.objects.filter(role=Role.COORDINATOR, is_active=True).first()
    Case.objects.filter(pk=case.pk).update(coordinator=coordinator, state=State.PREPARING)
    case.refresh_from_db()
    member_add(case=case, data={"name": "Oma Jansen"}, by=coordinator)
    log_access(None, action=Action.READ, obj=case, user=coordinator)
    PlanVersion.objects.create(plan=Plan.objects.create(case=case), number=1)
    Reminder.objects.create(case=case, kind="coordinator_call", user=coordinator, due_at=timezone.now())
    assert CasePerson.objects.filter(case=case).count() == 2


def test_key_pages_answer_for_a_generated_case(client):
    _generate(summaries=True)
    accepted = Case.objects.filter(plan_accepted_at__isnull=False, coordinator__is_active=True).order_by("-pk")
    case = accepted.filter(evaluations__isnull=False).first() or accepted.first()
    login(client, case.coordinator)
    for name in ("case_detail", "network_circle", "network_ecomap", "plan_detail", "plan_pdf",
                 "conference_prepare", "followup_case", "plan_versions"):
        response = client.get(reverse(name, args=[case.pk]))
        assert response.status_code == 200, name
    assert client.get(reverse("plan_pdf", args=[case.pk]))["Content-Type"] == "application/pdf"
    for path in ("/inbox/", "/cases/", "/followup/tasks/"):
        assert client.get(path).status_code in (200, 403)  # the inbox is the manager's

    manager = User.objects.filter(role=Role.REGIONAL_MANAGER, regions=case.region).first()
    login(client, manager)
    for path in ("/inbox/", reverse("case_detail", args=[case.pk]), reverse("dashboard")):
        assert client.get(path).status_code == 200, path
    login(client, User.objects.filter(role=Role.POLICY).first())
    assert client.get(reverse("policy_figures")).status_code == 200

    # The family portal, for the main person.
    client.logout()
    person = case.persons.filter(is_main_person=True).first()
    session = client.session
    session[SESSION_KEY] = {"persons": [person.pk], "person": person.pk, "started": time.time(),
                            "last_seen": time.time()}
    session.save()
    for name in ("family_home", "family_circle", "family_plan", "family_plan_pdf", "family_access_log"):
        assert client.get(reverse(name)).status_code == 200, name


def test_it_refuses_a_database_with_cases_unless_told_to_append(settings):
    settings.DEMO = True
    _generate(10)
    with pytest.raises(CasesExist):
        _generate(10)
    with pytest.raises(CommandError):
        call_command("demo", "--scale", "5", "--no-analyze", stdout=io.StringIO())
    assert Case.objects.count() == 10
    call_command("demo", "--scale", "5", "--append", "--no-analyze", stdout=io.StringIO())
    assert Case.objects.count() == 15
    assert Case.objects.values("reference").distinct().count() == 15


def test_the_same_seed_makes_the_same_cases():
    now = timezone.now().replace(microsecond=0)
    _generate(25, now=now)
    first = list(Case.objects.order_by("pk").values_list(
        "state", "submitted_at", "region_id", "municipality_id", "situation", "urgency", "held_at"))
    events = Counter(CaseEvent.objects.values_list("name", flat=True))
    _generate(25, now=now, append=True)
    second = list(Case.objects.order_by("pk").values_list(
        "state", "submitted_at", "region_id", "municipality_id", "situation", "urgency", "held_at"))[25:]
    assert first == second
    assert Counter(CaseEvent.objects.values_list("name", flat=True)) == events + events


def test_a_chunk_that_outgrows_its_id_ranges_stops_the_run(monkeypatch):
    """Each chunk has PER_CASE ids per case in every table; more rows would collide with the next chunk."""
    assert set(PER_CASE) == {t.name for t in scale_tables().values()}
    monkeypatch.setitem(PER_CASE, "cases_caseevent", 1)  # every case has more than one event
    with pytest.raises(RuntimeError, match="cases_caseevent"):
        _generate(5, chunk=5)
