"""The case's log is read newest first through the (case, newest first, id) index alone.

With a separate index on the case column, PostgreSQL's generic plan for the prepared log-page
statement sorted a case's whole log (docs/performance.md). SQLite changes a column by
rebuilding the table, which drops the append-only triggers: they are made again after it
(and, going back, after the reverse rebuild).
"""

import importlib

from django.db import migrations, models


def _sqlite_triggers():
    """The append-only triggers as 0002 and 0003 left them (SQLite rebuilds the table below)."""
    first = importlib.import_module("kring.audit.migrations.0002_append_only_triggers")
    retention = importlib.import_module("kring.audit.migrations.0003_access_log_retention")
    return ["DROP TRIGGER IF EXISTS audit_accesslogentry_no_update;", first.SQLITE[0], *retention.SQLITE]


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in _sqlite_triggers():
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_log_page_index'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_triggers),
        migrations.AlterField(
            model_name='accesslogentry',
            name='case_id',
            field=models.BigIntegerField(null=True, verbose_name='case'),
        ),
        # SQLite changes a column by rebuilding the table, which drops its triggers.
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
    ]
