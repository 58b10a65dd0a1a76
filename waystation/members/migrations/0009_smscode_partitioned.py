"""SMS codes are partitioned by month of `created_at`, so that old ones go by whole partitions.
Wrong guesses (members_smsguess) are not: few, short-lived rows, deleted by retention alone.

See waystation/core/partitions.py: one partition per month with rows, this month and the next
three, and a default one; every row, index, foreign key, trigger and the id sequence are kept, the
primary key becomes (id, created_at). PostgreSQL only. Reversible, rows kept."""

from django.db import migrations

from waystation.core.partitions import partition_operation


class Migration(migrations.Migration):
    dependencies = [("members", "0008_city_required_codes_as_rows")]
    operations = [partition_operation("members_smscode", "created_at")]
