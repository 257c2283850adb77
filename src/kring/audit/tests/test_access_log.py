"""The access log: one complete row per logged action, and nothing can change a row."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from kring.audit.models import AccessLogEntry, AppendOnlyError

FIELDS = ["event_id", "action", "at", "outcome", "user_id", "user_label", "role", "on_behalf_of",
          "client_address", "object_type", "object_id", "purpose"]


def _only_new_row(before: int) -> AccessLogEntry:
    rows = list(AccessLogEntry.objects.order_by("id")[before:])
    assert len(rows) == 1, [str(r) for r in rows]
    return rows[0]


def assert_complete(entry: AccessLogEntry, *, user=None) -> None:
    for name in FIELDS:
        if name == "user_id" and user is None:
            continue
        assert getattr(entry, name) not in (None, ""), f"{name} is empty"
    if user is not None:
        assert entry.user_id == user.pk
        assert entry.role == user.role


LOGGED_PAGES = [
    ("manager", "get", "/cases/{id}/", "read"),
    ("coordinator", "get", "/cases/{id}/", "read"),
    ("professional", "get", "/cases/{id}/", "read"),
    ("manager", "get", "/cases/{id}/assign/", "read"),
    ("manager", "get", "/cases/{id}/log/", "read"),
    ("manager", "get", "/inbox/", "search"),
    ("professional", "get", "/cases/", "search"),
    ("manager", "post", "/cases/{id}/step/", "change"),
]


@pytest.mark.parametrize(("persona", "method", "path", "action"), LOGGED_PAGES)
def test_each_logged_action_writes_exactly_one_complete_row(world, as_user, persona, method, path, action):
    from kring.cases.models import Case

    Case.objects.filter(pk=world.case.pk).update(coordinator=world.coordinator)
    user = world.by_name(persona)
    client = as_user(user)
    before = AccessLogEntry.objects.count()
    url = path.format(id=world.case.pk)
    if method == "post":
        response = client.post(url, {"step": "withdraw", "reason": "gezin trekt aanvraag in"})
    else:
        response = client.get(url)
    assert response.status_code in (200, 302)
    entry = _only_new_row(before)
    assert entry.action == action
    assert entry.outcome == "success"
    assert entry.client_address == "127.0.0.1"
    assert_complete(entry, user=user)
    if "{id}" in path:
        assert entry.case_id == world.case.pk and entry.object_id == str(world.case.pk)


def test_a_refused_read_by_a_stranger_is_logged_as_denied(world, as_user):
    client = as_user(world.stranger_coordinator)
    before = AccessLogEntry.objects.count()
    assert client.get(f"/cases/{world.case.pk}/").status_code == 404
    entry = _only_new_row(before)
    assert entry.outcome == "denied"
    assert_complete(entry, user=world.stranger_coordinator)


def test_a_public_request_writes_one_create_row(db, client):
    from kring.intake.tests.test_public_form import valid_public_post

    before = AccessLogEntry.objects.count()
    response = client.post("/request/", valid_public_post())
    assert response.status_code == 302
    entry = _only_new_row(before)
    assert (entry.action, entry.role, entry.user_id) == ("create", "anonymous", None)
    assert_complete(entry)


def test_rows_cannot_be_changed_or_deleted_through_the_orm(world):
    entry = AccessLogEntry.objects.create(action="read", outcome="success", user_label="x", role="r",
                                          on_behalf_of="o", object_type="case", object_id="1", purpose="p")
    entry.purpose = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(purpose="changed")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()
    entry.refresh_from_db()
    assert entry.purpose == "p"


def test_the_database_refuses_changes_even_through_raw_sql(world):
    entry = AccessLogEntry.objects.create(action="read", outcome="success", user_label="x", role="r",
                                          on_behalf_of="o", object_type="case", object_id="1", purpose="p")
    for sql in ["UPDATE audit_accesslogentry SET purpose = 'x'", "DELETE FROM audit_accesslogentry"]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    entry.refresh_from_db()
    assert entry.purpose == "p"


def test_only_the_regional_manager_sees_the_log_and_it_shows_who_looked(world, as_user):
    as_user(world.professional).get(f"/cases/{world.case.pk}/")
    client = as_user(world.manager)
    html = client.get(f"/cases/{world.case.pk}/log/").content.decode()
    assert world.professional.display_name in html
    assert as_user(world.professional).get(f"/cases/{world.case.pk}/log/").status_code == 403


@pytest.mark.django_db
def test_append_entry_writes_what_the_model_reads_back(world):
    """The log's own INSERT (not the ORM's save) stores every value as the model would."""
    import uuid
    from datetime import UTC, datetime

    from kring.audit.log import append_entry

    at = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    event = uuid.uuid4()
    returned = append_entry(
        event_id=event, at=at, action="read", outcome="denied", user=world.coordinator,
        user_label="Ann Coördinator", role="coordinator", on_behalf_of="Eigen Kracht Centrale",
        client_address="2001:db8::1", object_type="case", object_id="42", case_id=42,
        purpose="circle of the case",
    )
    assert returned == event
    row = AccessLogEntry.objects.get(event_id=event)
    assert (row.at, row.action, row.outcome, row.user_id, row.user_label, row.role, row.on_behalf_of,
            row.client_address, row.object_type, row.object_id, row.case_id, row.purpose) == (
        at, "read", "denied", world.coordinator.pk, "Ann Coördinator", "coordinator",
        "Eigen Kracht Centrale", "2001:db8::1", "case", "42", 42, "circle of the case")
    anonymous = append_entry(action="read", outcome="success", user=None, user_label="anonymous",
                             role="anonymous", on_behalf_of="self", client_address=None,
                             object_type="case", object_id="-", case_id=None, purpose="x")
    row = AccessLogEntry.objects.get(event_id=anonymous)
    assert row.user_id is None and row.client_address is None and row.at is not None
