"""The audit log is partitioned by month of `at`, so that retention drops whole months and never
deletes a row; its append-only trigger is kept (a row trigger on the partitioned table, cloned
onto every partition).

See waystation/core/partitions.py: one partition per month with rows, this month and the next
three, and a default one; every row, index, foreign key, trigger and the id sequence are kept, the
primary key becomes (id, at). PostgreSQL only. Reversible, rows kept."""

from django.db import migrations

from waystation.core.partitions import partition_operation


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_auditlog_city")]
    operations = [partition_operation("privacy_auditlog", "at")]
