"""The city becomes required; a member's industry and work district become foreign keys to the
rows (same columns, same codes: 0007 made sure each code is a row); one default campaign per
city; indexes that lead with the city for the list pages; the transfer history."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def city_field():
    return models.ForeignKey(
        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.city"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_vocabulary_as_data"),
        ("members", "0007_city"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(model_name="campaign", name="city", field=city_field()),
        migrations.AlterField(model_name="member", name="city", field=city_field()),
        migrations.AlterField(model_name="rosterimport", name="city", field=city_field()),
        migrations.AlterField(
            model_name="member",
            name="industry",
            field=models.ForeignKey(
                db_column="industry",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.industry",
                to_field="code",
            ),
        ),
        migrations.AlterField(
            model_name="member",
            name="work_district",
            field=models.ForeignKey(
                db_column="work_district",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.district",
                to_field="code",
            ),
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_default", True)),
                fields=("city",),
                name="one_default_campaign_per_city",
            ),
        ),
        migrations.AddIndex(
            model_name="campaign",
            index=models.Index(fields=["city", "created_at"], name="members_cam_city_id_627756_idx"),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["city", "status"], name="members_mem_city_id_38d8df_idx"),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["city", "joined_at"], name="members_mem_city_id_15d55e_idx"),
        ),
        migrations.AddIndex(
            model_name="rosterimport",
            index=models.Index(
                fields=["city", "created_at"], name="members_ros_city_id_c4dd46_idx"
            ),
        ),
        migrations.CreateModel(
            name="MemberTransfer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("reason", models.CharField(max_length=200)),
                ("actor", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("member", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="transfers", to="members.member")),
                ("from_city", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.city")),
                ("from_unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.orgunit")),
                ("from_district", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.district", to_field="code")),
                ("to_city", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.city")),
                ("to_unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.orgunit")),
                ("to_district", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.district", to_field="code")),
            ],
            options={"ordering": ["-at", "-id"]},
        ),
    ]
