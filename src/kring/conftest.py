"""Personas shared by every app's tests (STYLE.md: alice owns, bob is a member, ...).

`world` builds one small, realistic world: a region with a manager, a coordinator
assigned to a case referred by a professional, and a stranger of every role.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kring.testing import factories as f
from kring.testing.helpers import login

# Browser fixtures (one Playwright and one Chromium for the whole run) and a local SMTP server.
pytest_plugins = ["kring.testing.browser", "kring.testing.smtp"]


@dataclass
class World:
    utrecht: object
    manager: object
    coordinator: object
    professional: object
    linked_professional: object
    policy: object
    admin: object
    stranger_manager: object
    stranger_coordinator: object
    stranger_professional: object
    case: object

    def by_name(self, name: str):
        return getattr(self, name)


@pytest.fixture
def world(db) -> World:
    utrecht = f.region("utrecht")
    manager = f.ManagerFactory(username="manager", in_regions=[utrecht])
    coordinator = f.CoordinatorFactory(username="coordinator")
    professional = f.ProfessionalFactory(username="professional")
    linked = f.ProfessionalFactory(username="linked", professional_kind="jhv")
    case = f.CaseFactory(referred_by=professional)
    f.link_professional(case, linked)
    return World(
        utrecht=utrecht,
        manager=manager,
        coordinator=coordinator,
        professional=professional,
        linked_professional=linked,
        policy=f.PolicyFactory(username="policy"),
        admin=f.AdminFactory(username="admin"),
        stranger_manager=f.ManagerFactory(username="stranger_manager", in_regions=[f.region("limburg")]),
        stranger_coordinator=f.CoordinatorFactory(username="stranger_coordinator"),
        stranger_professional=f.ProfessionalFactory(username="stranger_professional"),
        case=case,
    )


@pytest.fixture
def as_user(client):
    """`as_user(user)` returns the test client signed in as that user (with TOTP)."""

    def _as(user):
        client.logout()
        return login(client, user)

    return _as


TRUNCATE_TRIGGER = "audit_accesslogentry_no_truncate"


@pytest.fixture
def _truncate_trigger_back_on(django_db_blocker):
    """Set up before the database: its teardown runs after the test database was flushed."""
    from django.db import connection

    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE audit_accesslogentry ENABLE TRIGGER {TRUNCATE_TRIGGER}")


@pytest.fixture
def committed_db(_truncate_trigger_back_on, transactional_db, django_db_serialized_rollback):
    """Real commits, so a second connection sees the data (PostgreSQL row-lock races).

    Flushing the database afterwards TRUNCATEs the access log, which its trigger refuses:
    switched off for that flush only.
    """
    from django.db import connection

    yield
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE audit_accesslogentry DISABLE TRIGGER {TRUNCATE_TRIGGER}")
