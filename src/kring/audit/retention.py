"""Deleting access-log rows after their 5 years (NEN 7513), the one documented way.

The access log is append-only: the model, the queryset and database triggers
refuse UPDATE and DELETE. Since migration 0003 the DELETE trigger makes one
exception: a row whose `at` is more than 5 years ago may be deleted. The
database checks the age itself (its own clock), so no application bug can
delete a younger row. Only the worker calls this (`kring manage destroy_expired`).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import AccessLogEntry

#: Also written into the trigger of migration 0003; change both together.
RETENTION_YEARS = 5


def access_log_cutoff(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    try:
        return now.replace(year=now.year - RETENTION_YEARS)
    except ValueError:  # 29 February
        return now.replace(year=now.year - RETENTION_YEARS, day=28)


@transaction.atomic
def access_log_purge(*, now: datetime | None = None) -> int:
    """Delete access-log rows older than 5 years; returns how many. The trigger refuses younger rows."""
    assert settings.ACCESS_LOG_RETENTION_YEARS == RETENTION_YEARS
    table = connection.ops.quote_name(AccessLogEntry._meta.db_table)
    with connection.cursor() as cursor:
        cutoff = connection.ops.adapt_datetimefield_value(access_log_cutoff(now))
        cursor.execute(f"DELETE FROM {table} WHERE at < %s", [cutoff])  # noqa: S608
        return cursor.rowcount
