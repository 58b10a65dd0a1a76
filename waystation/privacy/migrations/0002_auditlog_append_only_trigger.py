from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION privacy_auditlog_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'privacy_auditlog is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER privacy_auditlog_no_change BEFORE UPDATE OR DELETE ON privacy_auditlog
  FOR EACH ROW EXECUTE FUNCTION privacy_auditlog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS privacy_auditlog_no_change ON privacy_auditlog;
DROP FUNCTION IF EXISTS privacy_auditlog_append_only();
"""
SQLITE_TRIGGERS = [
    "CREATE TRIGGER privacy_auditlog_no_update BEFORE UPDATE ON privacy_auditlog "
    "BEGIN SELECT RAISE(ABORT, 'privacy_auditlog is append-only'); END;",
    # No DELETE trigger on SQLite: test databases are flushed with DELETE (PostgreSQL uses
    # TRUNCATE, which row triggers do not see). The model refuses deletes on every database.
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS privacy_auditlog_no_update")


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
