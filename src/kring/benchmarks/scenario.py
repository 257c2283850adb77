"""What the benchmarks measure: real people and objects from the database, and the pages of each role.

`pick_scenario()` looks for one case that has everything a page can show (a
coordinator, a referring professional, a regional manager of its region, a
main parent who may sign in to the portal, an accepted plan) and the people
around it; `pages()` lists the pages and API reads of every role for that case,
with their share in the load mix. Sessions are real database sessions: staff
are signed in with the second factor marked as passed, the way the test
helpers do it, and a parent gets the family session the portal's sign-in gives.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management.base import CommandError
from django.test import Client
from django.utils.module_loading import import_string

from kring.accounts.models import Role, User
from kring.cases.models import Case, CasePerson, PersonRole, State
from kring.family.session import SESSION_KEY as FAMILY_SESSION_KEY
from kring.plans.models import PlanStatus
from kring.testing.helpers import login

FLOOR = "floor"


@dataclass(frozen=True)
class Page:
    """One page or API read as one role: `path` is absolute, `marker` proves the real page came back."""

    role: str
    name: str
    path: str
    weight: int
    marker: bytes = b""

    @property
    def key(self) -> str:
        return f"{self.role}: {self.name}"


@dataclass
class Scenario:
    case: Case
    users: dict[str, User]
    parent: CasePerson
    cases_in_database: int
    has_plan: bool = True
    made_second_factors: list[str] = field(default_factory=list)


def pick_scenario(case_id: int | None = None) -> Scenario:
    """One case with a plan, a portal parent, a coordinator, a referrer and a manager of its region
    (the newest such case, or `case_id`).

    Without any accepted plan in the database (the small demo has none) a case without
    one is taken, and the plan documents are left out (`skipped()`).
    """
    missing = pending_migrations()
    if missing:
        raise CommandError(f"The database lacks {len(missing)} migration(s) ({', '.join(missing)}): "
                           "run `kring migrate` first.")
    parents = (
        CasePerson.objects.filter(
            role=PersonRole.PARENT, is_main_person=True, case__coordinator__is_active=True,
            case__referred_by__role=Role.PROFESSIONAL, case__referred_by__is_active=True,
        )
        .order_by("-case_id", "pk")
        .values_list("pk", flat=True)
    )
    if case_id is not None:
        parents = parents.filter(case_id=case_id)
    parent_id = parents.filter(case__plan__versions__status=PlanStatus.ACCEPTED).first()
    has_plan = parent_id is not None
    if parent_id is None:
        parent_id = (parents.filter(case__state__in=[State.FOLLOW_UP, State.PLAN_ACCEPTED]).first()
                     or parents.first())
    if parent_id is None:
        raise CommandError("No case with a coordinator, a referring professional and a main parent: "
                           "load data first (`kring demo`, or `kring demo --scale N`).")
    parent = CasePerson.objects.select_related("case").get(pk=parent_id)
    case = parent.case
    manager = (User.objects.filter(role=Role.REGIONAL_MANAGER, is_active=True, regions=case.region_id)
               .order_by("pk").first())
    policy = User.objects.filter(role=Role.POLICY, is_active=True).order_by("pk").first()
    missing = [name for name, user in (("regional manager of the case's region", manager),
                                       ("policy officer", policy)) if user is None]
    if missing:
        raise CommandError(f"The database holds no {' and no '.join(missing)}.")
    users = {
        "coordinator": User.objects.get(pk=case.coordinator_id),
        "manager": manager,
        "professional": User.objects.get(pk=case.referred_by_id),
        "policy": policy,
    }
    scenario = Scenario(case=case, users=users, parent=parent, cases_in_database=Case.objects.count(),
                        has_plan=has_plan)
    for user in users.values():
        if ensure_second_factor(user):
            scenario.made_second_factors.append(user.username)
    return scenario


def pending_migrations() -> list[str]:
    """Migrations the database lacks: pages would fail on them, so the benchmarks refuse to start."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def ensure_second_factor(user: User) -> bool:
    """Staff cannot open a page without a TOTP authenticator; give one (a random secret) to a
    generated account that has none. True when one was made."""
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return False
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secrets.token_hex(10).upper())
    return True


def skipped(scenario: Scenario) -> list[str]:
    """Pages that cannot be measured on this database."""
    return [] if scenario.has_plan else ["coordinator: plan PDF", "family: plan PDF"]


def pages(scenario: Scenario) -> list[Page]:
    """Every measured page and API read, the floor first. Weights make the load mix (per mille)."""
    leave_out = set(skipped(scenario))
    return [p for p in all_pages(scenario) if p.key not in leave_out]


def all_pages(scenario: Scenario) -> list[Page]:
    c = scenario.case.pk
    ref = scenario.case.reference.encode()
    family = b"/gezin/uitloggen/"  # the sign-out button: only on the pages of a signed-in family
    return [
        Page("coordinator", FLOOR, f"/bench/floor/{c}/", 0, ref),
        Page("manager", "inbox", "/inbox/", 80),
        Page("manager", "case list", "/cases/", 30),
        Page("manager", "search (reference)", f"/cases/?q={scenario.case.reference}", 25, ref),
        Page("manager", "search (part of a reference)", f"/cases/?q={scenario.case.reference[2:7]}", 5, ref),
        Page("manager", "case page", f"/cases/{c}/", 40, ref),
        Page("manager", "dashboard", "/dashboard/", 10),
        Page("coordinator", "case list", "/cases/", 80),
        Page("coordinator", "case page", f"/cases/{c}/", 120, ref),
        Page("coordinator", "circle with eco-map", f"/cases/{c}/circle/", 80, b"<svg"),
        Page("coordinator", "eco-map (SVG)", f"/cases/{c}/circle/ecomap.svg", 20, b"<svg"),
        Page("coordinator", "plan page", f"/cases/{c}/plan/", 70, ref),
        Page("coordinator", "plan PDF", f"/cases/{c}/plan/pdf/", 10, b"%PDF"),
        Page("coordinator", "follow-up", f"/cases/{c}/followup/", 40, ref),
        Page("professional", "case list", "/cases/", 40),
        Page("professional", "case page", f"/cases/{c}/", 40, ref),
        Page("policy", "figures", "/figures/", 10),
        Page("family", "portal home", "/gezin/", 60, family),
        Page("family", "circle", "/gezin/kring/", 30, family),
        Page("family", "plan", "/gezin/plan/", 40, family),
        Page("family", "plan PDF", "/gezin/plan/pdf/", 10, b"%PDF"),
        Page("family", "who looked at my file", "/gezin/wie-keek/", 20, family),
        Page("coordinator", "API: case list", "/api/cases", 40, ref),
        Page("coordinator", "API: case", f"/api/cases/{c}", 40, ref),
        Page("coordinator", "API: circle", f"/api/cases/{c}/circle", 30),
        Page("coordinator", "API: plan", f"/api/cases/{c}/plan", 30),
        Page("manager", "API: case list", "/api/cases", 30),
        Page("policy", "API: figures", "/api/reports/figures", 10),
    ]


# --- sessions -----------------------------------------------------------------------------------


@contextmanager
def _quiet_security_log():
    """Signing in dozens of benchmark sessions would fill the console with security-log lines."""
    logger = logging.getLogger("kring.security")
    disabled, logger.disabled = logger.disabled, True
    try:
        yield
    finally:
        logger.disabled = disabled


def staff_session(user: User) -> str:
    """A saved session of `user` after password and TOTP: Django's `login()` (so the sign-in
    signals run and the session is tracked) with the second factor marked as passed."""
    with _quiet_security_log():
        client = login(Client(), user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def family_session(person: CasePerson) -> str:
    """A saved family session for one person, as the portal's sign-in by code leaves it."""
    session = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    now = time.time()
    session[FAMILY_SESSION_KEY] = {"persons": [person.pk], "person": person.pk, "started": now, "last_seen": now}
    session.save()
    return session.session_key


def sessions_for(scenario: Scenario) -> dict[str, str]:
    """One session key per role."""
    keys = {role: staff_session(user) for role, user in scenario.users.items()}
    keys["family"] = family_session(scenario.parent)
    return keys


def end_sessions(keys: Iterable[str]) -> None:
    """Sign the benchmark's sessions out again (the session rows and their tracking rows)."""
    from kring.accounts.models import UserSession

    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    keys = list(keys)
    for key in keys:
        store(key).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
