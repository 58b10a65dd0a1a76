"""Audit rows get the city the act belongs to. The rows already written are Changzhou's (the
one city an existing deployment served), except the national ones (a platform's API token),
which keep no city. The log is append-only: a trigger refuses every UPDATE, so the rows are
given their city with the trigger off for that one statement and on again straight after, in
the migration's transaction (a failure rolls both back). SQLite's trigger cannot be disabled:
it is dropped and created again around the statement."""

import django.db.models.deletion
from django.db import migrations, models

from waystation.accounts.migrations._changzhou import legacy_city_ensure

NATIONAL = ["accounts.platform"]  # object types of acts that belong to no city
UPDATE = (
    "UPDATE privacy_auditlog SET city_id = %s"
    " WHERE city_id IS NULL AND object_type NOT IN (" + ", ".join(["%s"] * len(NATIONAL)) + ")"
)
SQLITE_TRIGGER = (  # as 0002 created it
    "CREATE TRIGGER privacy_auditlog_no_update BEFORE UPDATE ON privacy_auditlog "
    "BEGIN SELECT RAISE(ABORT, 'privacy_auditlog is append-only'); END;"
)


def forwards(apps, schema_editor):
    AuditLog = apps.get_model("privacy", "AuditLog")
    if not AuditLog.objects.exclude(object_type__in=NATIONAL).exists():
        return
    city = legacy_city_ensure(apps)
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cur:
        if vendor == "postgresql":
            cur.execute("ALTER TABLE privacy_auditlog DISABLE TRIGGER privacy_auditlog_no_change")
            cur.execute(UPDATE, [city.pk, *NATIONAL])
            # The new column's foreign key is checked at commit; with those checks pending
            # PostgreSQL refuses the ALTER TABLE that turns the trigger back on.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("ALTER TABLE privacy_auditlog ENABLE TRIGGER privacy_auditlog_no_change")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        elif vendor == "sqlite":
            cur.execute("DROP TRIGGER IF EXISTS privacy_auditlog_no_update")
            cur.execute(UPDATE, [city.pk, *NATIONAL])
            cur.execute(SQLITE_TRIGGER)
        else:
            cur.execute(UPDATE, [city.pk, *NATIONAL])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_vocabulary_as_data"),
        ("privacy", "0002_auditlog_append_only_trigger"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditlog",
            name="city",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.city"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="auditlog",
            index=models.Index(fields=["city", "at"], name="privacy_aud_city_id_943e4c_idx"),
        ),
    ]
