"""Stations belong to a city: Station.city, and the city of its station on every row of one
(exceptions, photos, visits, fault reports); Station.district and Visit.industry become foreign
keys to the District and Industry rows (same columns, same codes). An existing deployment is
Changzhou's: its city, districts and industries are created from the frozen constants
(accounts/_changzhou.py), each station gets the city of its district and each row the city of
its station; blank industries become NULL. A station whose district code is not a known
district stops the migration, naming it, rather than being put in a city by guess. Reversible
(the migration test goes both ways)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from waystation.accounts.migrations._changzhou import legacy_city_ensure

OF_STATION = ("stationexception", "stationphoto", "visit", "faultreport")


def _checks_now(schema_editor):
    # PostgreSQL defers the foreign-key checks of the updates made here to the commit, and refuses
    # to alter a table with checks pending in the same transaction: run them now.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def forwards(apps, schema_editor):
    _cities_set(apps)
    _checks_now(schema_editor)


def _cities_set(apps):
    Station = apps.get_model("stations", "Station")
    Visit = apps.get_model("stations", "Visit")
    District = apps.get_model("accounts", "District")
    Visit.objects.filter(industry="").update(industry=None)
    if not Station.objects.exists():
        return  # nor any row of a station
    legacy_city_ensure(apps)
    for code, city_id in District.objects.values_list("code", "city_id"):
        Station.objects.filter(district=code, city__isnull=True).update(city_id=city_id)
    unknown = sorted(set(Station.objects.filter(city__isnull=True).values_list("district", flat=True)))
    if unknown:
        raise RuntimeError(f"stations with unknown district codes {unknown}: add those districts first")
    city_of_station = Station.objects.filter(pk=OuterRef("station_id")).values("city_id")[:1]
    for name in OF_STATION:
        apps.get_model("stations", name).objects.filter(city__isnull=True).update(
            city_id=Subquery(city_of_station)
        )


def backwards(apps, schema_editor):
    Visit = apps.get_model("stations", "Visit")
    Visit.objects.filter(industry__isnull=True).update(industry="")
    _checks_now(schema_editor)


def city_field(null):
    return models.ForeignKey(
        null=null, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.city"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_vocabulary_as_data"),
        ("stations", "0003_checkin_proof"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=name, name="city", field=city_field(null=True))
            for name in ("station", *OF_STATION)
        ),
        migrations.AlterField(
            model_name="visit",
            name="industry",
            field=models.CharField(blank=True, max_length=20, null=True),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="station",
            name="district",
            field=models.ForeignKey(
                db_column="district",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.district",
                to_field="code",
            ),
        ),
        migrations.AlterField(
            model_name="visit",
            name="industry",
            field=models.ForeignKey(
                blank=True,
                db_column="industry",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.industry",
                to_field="code",
            ),
        ),
        *(
            migrations.AlterField(model_name=name, name="city", field=city_field(null=False))
            for name in ("station", *OF_STATION)
        ),
        migrations.AddIndex(
            model_name="station",
            index=models.Index(fields=["city", "district"], name="stations_st_city_id_38b523_idx"),
        ),
        migrations.AddIndex(
            model_name="station",
            index=models.Index(fields=["city", "status"], name="stations_st_city_id_42848b_idx"),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["city", "at"], name="stations_vi_city_id_c83f40_idx"),
        ),
        migrations.AddIndex(
            model_name="faultreport",
            index=models.Index(
                fields=["city", "status", "created_at"], name="stations_fa_city_id_db74e8_idx"
            ),
        ),
    ]
