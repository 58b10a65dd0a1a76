"""Mutual aid becomes per city: every plan, gift batch, enrolment, claim, claim document, payout,
bank batch and condolence visit carries its city. An existing deployment's rows are
Changzhou's (the one city it served): a row takes its city from its parent (an enrolment from its
plan, a claim from its enrolment, a payout from its claim, a visit from its member's union), and
whatever tells nothing gets Changzhou (`legacy_city_ensure`). A plan's code becomes unique within
its city. Reversible (the migration test goes both ways)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from waystation.accounts.migrations._changzhou import legacy_city_ensure

MODELS = (
    "Plan",
    "GiftBatch",
    "Enrolment",
    "Claim",
    "ClaimDocument",
    "PayoutBatch",
    "Payout",
    "Condolence",
)
# a row's city from its parent: (model, its parent model, the parent's key on the row, the
# parent's field that holds the city), in the order the parents get theirs
FROM_PARENT = (
    ("GiftBatch", "aid.Plan", "plan_id", "city_id"),
    ("Enrolment", "aid.Plan", "plan_id", "city_id"),
    ("Claim", "aid.Enrolment", "enrolment_id", "city_id"),
    ("ClaimDocument", "aid.Claim", "claim_id", "city_id"),
    ("Payout", "aid.Claim", "claim_id", "city_id"),
    ("Condolence", "members.Member", "member_id", "union__city_id"),
)


def forwards(apps, schema_editor):
    rows = {name: apps.get_model("aid", name) for name in MODELS}
    if not any(model.objects.exists() for model in rows.values()):
        return
    city = legacy_city_ensure(apps)
    rows["Plan"].objects.filter(city__isnull=True).update(city=city)
    for name, parent, key, city_field in FROM_PARENT:
        source = apps.get_model(parent).objects.filter(pk=OuterRef(key)).values(city_field)[:1]
        rows[name].objects.filter(city__isnull=True).update(city_id=Subquery(source))
    Payout = rows["Payout"]
    rows["PayoutBatch"].objects.filter(city__isnull=True).update(
        city_id=Subquery(Payout.objects.filter(batch_id=OuterRef("pk")).values("city_id")[:1])
    )
    for model in rows.values():
        model.objects.filter(city__isnull=True).update(city=city)


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
        ("aid", "0004_idempotency_key_moves_to_core"),
        ("members", "0001_initial"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=name.lower(), name="city", field=_city(True))
            for name in MODELS
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        *(
            migrations.AlterField(model_name=name.lower(), name="city", field=_city(False))
            for name in MODELS
        ),
        migrations.AlterField(
            model_name="plan", name="code", field=models.SlugField(max_length=40)
        ),
        migrations.AddConstraint(
            model_name="plan",
            constraint=models.UniqueConstraint(
                fields=("city", "code"),
                name="aid_plan_code_per_city",
                violation_error_message="该城市已有此方案代码",
            ),
        ),
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(fields=["city", "plan"], name="aid_enrolment_city_plan"),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["city", "status"], name="aid_claim_city_status"),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["city", "-submitted_at"], name="aid_claim_city_submitted"),
        ),
        migrations.AddIndex(
            model_name="payoutbatch",
            index=models.Index(fields=["city", "-created_at"], name="aid_batch_city_created"),
        ),
        migrations.AddIndex(
            model_name="payout",
            index=models.Index(fields=["city", "status"], name="aid_payout_city_status"),
        ),
        migrations.AddIndex(
            model_name="condolence",
            index=models.Index(fields=["city", "-visited_on"], name="aid_condolence_city_visited"),
        ),
    ]
