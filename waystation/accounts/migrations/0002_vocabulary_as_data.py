"""The vocabulary becomes rows: provinces, cities, districts, industries; org units and platforms
point at them. An existing deployment (org units present) is Changzhou's: its city, districts and
industries are created from the frozen constants and every unit is put in that city; blank codes
become NULL before the foreign keys are added. Reversible (the migration test goes both ways)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from ._changzhou import industries_ensure, legacy_city_ensure


def forwards(apps, schema_editor):
    OrgUnit = apps.get_model("accounts", "OrgUnit")
    Platform = apps.get_model("accounts", "Platform")
    industries_ensure(apps)
    OrgUnit.objects.filter(district="").update(district=None)
    OrgUnit.objects.filter(industry="").update(industry=None)
    Platform.objects.filter(industry="").update(industry=None)
    if OrgUnit.objects.exists():
        city = legacy_city_ensure(apps)
        OrgUnit.objects.filter(city__isnull=True).update(city=city)
    _constraints_now(schema_editor)


def _constraints_now(schema_editor):
    """Run PostgreSQL's deferred foreign-key checks of the rows just written, so that the ALTER
    TABLEs after this step do not meet "pending trigger events"."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def backwards(apps, schema_editor):
    OrgUnit = apps.get_model("accounts", "OrgUnit")
    Platform = apps.get_model("accounts", "Platform")
    # Province federations did not exist before: their cities' units lose that parent.
    provinces = OrgUnit.objects.filter(kind="province")
    OrgUnit.objects.filter(parent__in=provinces).update(parent=None)
    provinces.delete()
    OrgUnit.objects.filter(district__isnull=True).update(district="")
    OrgUnit.objects.filter(industry__isnull=True).update(industry="")
    Platform.objects.filter(industry__isnull=True).update(industry="")
    _constraints_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="Province",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("adcode", models.CharField(max_length=6, unique=True)),
                ("name", models.CharField(max_length=50)),
                ("union_name", models.CharField(max_length=100)),
                ("boundary", models.JSONField(blank=True, editable=False, null=True)),
            ],
            options={"ordering": ["adcode"]},
        ),
        migrations.CreateModel(
            name="City",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("adcode", models.CharField(max_length=6, unique=True)),
                ("name", models.CharField(max_length=50)),
                ("union_name", models.CharField(max_length=100)),
                ("sms_signature", models.CharField(max_length=20)),
                ("boundary", models.JSONField(blank=True, editable=False, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("province", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="cities", to="accounts.province")),
            ],
            options={"ordering": ["adcode"], "verbose_name_plural": "cities"},
        ),
        migrations.CreateModel(
            name="District",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=20, unique=True)),
                ("name", models.CharField(max_length=50)),
                ("adcode", models.CharField(max_length=6)),
                ("boundary", models.JSONField(blank=True, editable=False, null=True)),
                ("order", models.PositiveSmallIntegerField(default=0)),
                ("city", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="districts", to="accounts.city")),
            ],
            options={"ordering": ["city", "order", "code"]},
        ),
        migrations.CreateModel(
            name="Industry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=20, unique=True)),
                ("name", models.CharField(max_length=50)),
                ("order", models.PositiveSmallIntegerField(default=0)),
            ],
            options={"ordering": ["order", "code"], "verbose_name_plural": "industries"},
        ),
        migrations.RemoveConstraint(model_name="orgunit", name="orgunit_kind_fields"),
        migrations.AddField(
            model_name="orgunit",
            name="city",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="units", to="accounts.city"),
        ),
        migrations.AddField(
            model_name="orgunit",
            name="province",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="units", to="accounts.province"),
        ),
        migrations.AlterField(
            model_name="orgunit", name="district", field=models.CharField(blank=True, max_length=20, null=True)
        ),
        migrations.AlterField(
            model_name="orgunit", name="industry", field=models.CharField(blank=True, max_length=20, null=True)
        ),
        migrations.AlterField(
            model_name="platform", name="industry", field=models.CharField(blank=True, max_length=20, null=True)
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="orgunit",
            name="district",
            field=models.ForeignKey(blank=True, db_column="district", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="units", to="accounts.district", to_field="code"),
        ),
        migrations.AlterField(
            model_name="orgunit",
            name="industry",
            field=models.ForeignKey(blank=True, db_column="industry", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="units", to="accounts.industry", to_field="code"),
        ),
        migrations.AlterField(
            model_name="platform",
            name="industry",
            field=models.ForeignKey(blank=True, db_column="industry", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="platforms", to="accounts.industry", to_field="code"),
        ),
        migrations.AlterField(
            model_name="orgunit",
            name="kind",
            field=models.CharField(choices=[("province", "省总工会"), ("city", "市总工会"), ("district", "区总工会"), ("industry", "行业工会")], max_length=10),
        ),
        migrations.AddConstraint(
            model_name="orgunit",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("city__isnull", True), ("district__isnull", True), ("industry__isnull", True), ("kind", "province"), ("province__isnull", False)),
                    models.Q(("city__isnull", False), ("district__isnull", True), ("industry__isnull", True), ("kind", "city")),
                    models.Q(("city__isnull", False), ("district__isnull", False), ("industry__isnull", True), ("kind", "district")),
                    models.Q(("city__isnull", False), ("district__isnull", True), ("industry__isnull", False), ("kind", "industry")),
                    _connector="OR",
                ),
                name="orgunit_kind_fields",
            ),
        ),
    ]
