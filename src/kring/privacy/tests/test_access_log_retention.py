"""Access-log rows are kept 5 years; only older rows can be deleted, and only by the retention path."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kring.audit.models import AccessLogEntry, AppendOnlyError
from kring.audit.retention import access_log_purge


def _entry(age: timedelta) -> AccessLogEntry:
    return AccessLogEntry.objects.create(
        action="read", outcome="success", user_label="x", role="coordinator", on_behalf_of="EKC",
        object_type="case", object_id="1", case_id=1, purpose="test", at=timezone.now() - age)


def test_rows_older_than_5_years_are_deleted_younger_rows_stay(db):
    old = _entry(timedelta(days=365 * 5 + 10))
    young = _entry(timedelta(days=365 * 4))
    assert access_log_purge() == 1
    assert not AccessLogEntry.objects.filter(pk=old.pk).exists()
    assert AccessLogEntry.objects.filter(pk=young.pk).exists()


def test_the_database_refuses_to_delete_a_row_younger_than_5_years(db):
    young = _entry(timedelta(days=365 * 4))
    table = AccessLogEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [young.pk])
    assert AccessLogEntry.objects.filter(pk=young.pk).exists()


def test_a_purge_with_a_wrong_clock_cannot_delete_young_rows(db):
    """Even if the application's clock were 10 years ahead, the trigger uses the database's."""
    _entry(timedelta(days=30))
    with pytest.raises(DatabaseError), transaction.atomic():
        access_log_purge(now=timezone.now() + timedelta(days=365 * 10))
    assert AccessLogEntry.objects.count() == 1


def test_old_rows_still_cannot_be_changed(db):
    old = _entry(timedelta(days=365 * 6))
    table = AccessLogEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET purpose = 'x' WHERE id = %s", [old.pk])
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(pk=old.pk).delete()
