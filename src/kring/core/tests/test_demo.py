"""The demo data: a browsable world in every state, loaded twice without change."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from kring.accounts.models import ProfessionalKind, Role, User
from kring.cases.models import Case, Channel, State
from kring.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_counts, load_demo

pytestmark = pytest.mark.django_db(transaction=False)


def test_it_loads_every_state_and_a_second_run_changes_nothing(settings):
    settings.DEMO = True
    out = StringIO()
    call_command("demo", stdout=out)
    counts = demo_counts()

    assert all(counts["states"][state] > 0 for state in State.values), counts["states"]
    assert 190 <= counts["cases"] <= 210
    assert 38 <= counts["coordinators"] <= 42
    assert counts["admins"] == 1 and counts["policy"] == 1
    assert counts["regional_managers"] >= 14
    assert counts["professionals"] >= 14
    assert 0.1 <= counts["urgent_cases"] / counts["cases"] <= 0.2
    professional_kinds = set(
        User.objects.filter(is_demo=True, role=Role.PROFESSIONAL)
        .values_list("professional_kind", flat=True)
    )
    assert professional_kinds == set(ProfessionalKind.values)
    # No e-mail to made-up people (nor to the regions' real mailboxes) is left queued.
    assert not DBTaskResult.objects.exists()

    text = out.getvalue()
    for expected in (DEMO_PASSWORD, DEMO_TOTP_SECRET, "beheer", "beleid", "rm-utrecht",
                     "KRING_DEMO=1"):
        assert expected in text

    assert load_demo() == counts


def test_it_refuses_outside_demo_mode(settings):
    settings.DEMO = False
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo", stdout=StringIO())
    assert not User.objects.filter(is_demo=True).exists()


def test_timelines_are_consistent_and_demo_users_can_sign_in(settings):
    load_demo()
    cases = Case.objects.filter(channel=Channel.DEMO).select_related("municipality")
    for case in cases.prefetch_related("events"):
        assert case.region_id == case.municipality.region_id, case
        events = sorted(case.events.all(), key=lambda e: e.pk)
        assert events[0].name == "submitted"
        assert events[0].at == case.submitted_at
        moments = [e.at for e in events]
        assert moments == sorted(moments), case
        assert events[-1].to_state == case.state, case
        milestones = [m for m in (case.submitted_at, case.assigned_at, case.first_contact_at,
                                  case.held_at, case.plan_accepted_at, case.closed_at) if m]
        assert milestones == sorted(milestones), case
        assert case.next_deadline_at == case.compute_next_deadline(), case
        if case.state not in (State.REQUEST, State.WITHDRAWN):
            assert case.coordinator_id is not None, case
    # The manager's inbox shows clocks running and overdue, in the big regions too.
    statuses = {c.status for case in Case.objects.in_inbox() for c in case.clocks()}
    assert {"running", "overdue", "met"} <= statuses
    assert Case.objects.in_inbox().filter(region__code="utrecht").exists()

    demo_users = list(User.objects.filter(is_demo=True))
    assert len(demo_users) >= 70
    validate_password(DEMO_PASSWORD, user=demo_users[0])
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // settings.MFA_TOTP_PERIOD))
    for username in ("beheer", "beleid", "rm-utrecht", "co-marieke", "jb-sophie"):
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None and user.is_demo, username
        authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        assert decrypt(authenticator.data["secret"]) == DEMO_TOTP_SECRET
        assert TOTP(authenticator).validate_code(code)
    for user in demo_users:
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).count() == 1
    admin = User.objects.get(username="beheer")
    assert admin.role == Role.ADMIN and admin.is_staff and admin.is_superuser
    assert set(User.objects.get(username="rm-utrecht").regions.values_list("code", flat=True)) == {
        "utrecht"}
