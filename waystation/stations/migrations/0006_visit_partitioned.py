"""Check-ins (stations_visit) are partitioned by month of `at`.

See waystation/core/partitions.py: one partition per month with rows, this month and the next
three, and a default one; every row, index, foreign key, trigger and the id sequence are kept, the
primary key becomes (id, at). PostgreSQL only. Reversible, rows kept."""

from django.db import migrations

from waystation.core.partitions import partition_operation


class Migration(migrations.Migration):
    dependencies = [("stations", "0005_services")]
    operations = [partition_operation("stations_visit", "at")]
