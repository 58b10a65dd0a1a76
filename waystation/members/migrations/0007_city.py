"""Members, campaigns and roster imports get their city (the tenant). An existing deployment is
Changzhou's: its city and districts are created from the frozen constants (accounts'
`legacy_city_ensure`); a member's city is its work district's, a campaign's and an import's
their unit's, and whatever is left Changzhou's. Every district and industry code a member
carries must be a row before 0008 turns the codes into foreign keys: an unknown one stops the
migration with the codes named (nothing is dropped). The city is made NOT NULL in 0008, in a
transaction of its own (PostgreSQL refuses to alter a table with deferred constraint checks
pending from these updates)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from waystation.accounts.migrations._changzhou import legacy_city_ensure


def forwards(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    Campaign = apps.get_model("members", "Campaign")
    RosterImport = apps.get_model("members", "RosterImport")
    OrgUnit = apps.get_model("accounts", "OrgUnit")
    District = apps.get_model("accounts", "District")
    Industry = apps.get_model("accounts", "Industry")
    models_ = (Member, Campaign, RosterImport)
    if not any(m.objects.exists() for m in models_):
        return
    legacy = legacy_city_ensure(apps)
    unknown = {
        "work_district": set(Member.objects.values_list("work_district", flat=True).distinct())
        - set(District.objects.values_list("code", flat=True)),
        "industry": set(Member.objects.values_list("industry", flat=True).distinct())
        - set(Industry.objects.values_list("code", flat=True)),
    }
    if any(unknown.values()):
        raise RuntimeError(
            "members carry codes that are not rows; add them (accounts District / Industry) "
            f"and migrate again: {({k: sorted(v) for k, v in unknown.items() if v})}"
        )
    Member.objects.filter(city__isnull=True).update(
        city=Subquery(District.objects.filter(code=OuterRef("work_district")).values("city")[:1])
    )
    unit_city = Subquery(OrgUnit.objects.filter(pk=OuterRef("unit")).values("city")[:1])
    Campaign.objects.filter(city__isnull=True).update(city=unit_city)
    RosterImport.objects.filter(city__isnull=True).update(city=unit_city)
    for model in models_:  # a unit without a city (none in a legacy deployment)
        model.objects.filter(city__isnull=True).update(city=legacy)


def city_field():
    return models.ForeignKey(
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="accounts.city",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_vocabulary_as_data"),
        ("members", "0006_campaign_is_default"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="campaign", name="one_default_campaign"),
        migrations.AddField(model_name="campaign", name="city", field=city_field()),
        migrations.AddField(model_name="member", name="city", field=city_field()),
        migrations.AddField(model_name="rosterimport", name="city", field=city_field()),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
