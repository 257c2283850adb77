"""Database triggers that refuse UPDATE and DELETE on the access log.

The application already refuses it; the trigger makes it hold for raw SQL too.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_accesslogentry_no_update BEFORE UPDATE ON audit_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END;""",
    """CREATE TRIGGER audit_accesslogentry_no_delete BEFORE DELETE ON audit_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update;",
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_accesslog_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'access log is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_accesslogentry_append_only BEFORE UPDATE OR DELETE ON audit_accesslogentry
       FOR EACH ROW EXECUTE FUNCTION audit_accesslog_refuse();""",
    """CREATE TRIGGER audit_accesslogentry_no_truncate BEFORE TRUNCATE ON audit_accesslogentry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_accesslog_refuse();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_append_only ON audit_accesslogentry;",
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_truncate ON audit_accesslogentry;",
    "DROP FUNCTION IF EXISTS audit_accesslog_refuse();",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
