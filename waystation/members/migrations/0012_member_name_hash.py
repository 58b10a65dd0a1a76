"""Members are found by name through a keyed hash of the name as it is looked up (spaces and
full-width forms aside, validators.name_search_key): the column, and its values for the members
there are (the normalisation copied here as it was when this ran, so that the migration does
not change when the function does)."""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.db import migrations, models

_DOTS = str.maketrans({"•": "·", "・": "·", "‧": "·", "．": "·", ".": "·", "･": "·"})
BATCH = 5000


def _hash(name: str) -> str:
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name).translate(_DOTS)).casefold()
    return hmac.new(settings.PII_HASH_KEY.encode(), key.encode(), hashlib.sha256).hexdigest()


def backfill(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    last = 0
    while True:
        rows = list(
            Member.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "name")[:BATCH]
        )
        if not rows:
            return
        Member.objects.bulk_update(
            [Member(pk=pk, name_hash=_hash(name)) for pk, name in rows], ["name_hash"]
        )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0011_tallies"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="name_hash",
            field=models.CharField(db_index=True, default="", max_length=64),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
