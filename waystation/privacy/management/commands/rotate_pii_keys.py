"""Re-encrypt every encrypted column under the newest key of PII_KEYS.

Rotation: put the new key first in PII_KEYS (keep the old ones after it), deploy, run this
command, then remove the old keys. The keyed hashes are not affected.
"""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from waystation.privacy import crypto


def encrypted_fields() -> dict:
    """Every model field holding ciphertext: by convention, a text field named `*_enc`."""
    found: dict = {}
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if f.name.endswith("_enc")]
        if names:
            found[model] = names
    return found


class Command(BaseCommand):
    help = "Re-encrypt personal data under the newest PII key."

    def handle(self, *args: Any, **options: Any) -> None:
        for model, fields in encrypted_fields().items():
            label = model._meta.label
            n = 0
            ids = list(model.objects.values_list("pk", flat=True).order_by("pk"))
            for start in range(0, len(ids), 2000):
                with transaction.atomic():
                    rows = list(model.objects.filter(pk__in=ids[start : start + 2000]))
                    for row in rows:
                        for f in fields:
                            value = getattr(row, f)
                            if value:
                                setattr(row, f, crypto.reencrypt(value))
                    model.objects.bulk_update(rows, fields, batch_size=1000)
                    n += len(rows)
            self.stdout.write(f"{label}: {n} rows re-encrypted")
