"""Access-log rows may be deleted once they are more than 5 years old (NEN 7513 retention).

Replaces the DELETE part of the append-only triggers of 0002: UPDATE stays refused
always, TRUNCATE stays refused, DELETE is allowed only for rows whose `at` lies more
than 5 years before the database's own clock. `kring.audit.retention.access_log_purge`
is the only caller.
"""

from django.db import migrations

SQLITE = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_delete;",
    # Django stores `at` in UTC as 'YYYY-MM-DD HH:MM:SS[.ffffff]', comparable as text.
    """CREATE TRIGGER audit_accesslogentry_no_delete BEFORE DELETE ON audit_accesslogentry
       WHEN OLD.at >= datetime('now', '-5 years')
       BEGIN SELECT RAISE(ABORT, 'access log is append-only (rows are kept 5 years)'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_delete;",
    """CREATE TRIGGER audit_accesslogentry_no_delete BEFORE DELETE ON audit_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END;""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_accesslog_refuse() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW' THEN
           IF OLD.at < now() - interval '5 years' THEN
             RETURN OLD;
           END IF;
         END IF;
         RAISE EXCEPTION 'access log is append-only (rows are kept 5 years)';
       END; $$ LANGUAGE plpgsql;""",
]
POSTGRES_REVERSE = [
    """CREATE OR REPLACE FUNCTION audit_accesslog_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'access log is append-only'; END; $$ LANGUAGE plpgsql;""",
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
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
