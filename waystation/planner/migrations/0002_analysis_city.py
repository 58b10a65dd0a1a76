"""An analysis is of one city. An existing deployment's analyses are Changzhou's (the one city it
served, `legacy_city_ensure`). Reversible."""

import django.db.models.deletion
from django.db import migrations, models

from waystation.accounts.migrations._changzhou import legacy_city_ensure


def forwards(apps, schema_editor):
    Analysis = apps.get_model("planner", "Analysis")
    if not Analysis.objects.exists():
        return
    Analysis.objects.filter(city__isnull=True).update(city=legacy_city_ensure(apps))


def _city(null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="accounts.city",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_vocabulary_as_data"),
        ("planner", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="analysis", name="city", field=_city(True)),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(model_name="analysis", name="city", field=_city(False)),
        migrations.AddIndex(
            model_name="analysis",
            index=models.Index(
                fields=["city", "-created_at"], name="planner_analysis_city_created"
            ),
        ),
    ]
