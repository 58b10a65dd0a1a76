"""Services become rows: the Service table, and the thirteen services stations offered as
constants, each with the bit it had in Station.services_mask (so every mask keeps its meaning).
The constants are frozen here; new services come from stations/data/services.json
(catalogue.services_ensure) or the database."""

import django.core.validators
from django.db import migrations, models

# code, name; the bit is the position (as the constant SERVICES had it)
SERVICES = [
    ("heating", "取暖"),
    ("cooling", "纳凉"),
    ("water", "饮水"),
    ("toilet", "如厕"),
    ("rest", "歇脚"),
    ("first_aid", "用药"),
    ("charging", "充电"),
    ("microwave", "热饭"),
    ("wifi", "Wi-Fi"),
    ("legal_aid", "法律援助"),
    ("employment", "就业服务"),
    ("policy", "政策宣传"),
    ("counselling", "心理疏导"),
]


def forwards(apps, schema_editor):
    Service = apps.get_model("stations", "Service")
    for bit, (code, name) in enumerate(SERVICES):
        Service.objects.get_or_create(code=code, defaults={"name": name, "bit": bit, "order": bit})


class Migration(migrations.Migration):
    dependencies = [("stations", "0004_city")]

    operations = [
        migrations.CreateModel(
            name="Service",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=20, unique=True)),
                ("name", models.CharField(max_length=30)),
                ("bit", models.PositiveSmallIntegerField(unique=True, validators=[django.core.validators.MaxValueValidator(30)])),
                ("order", models.PositiveSmallIntegerField(default=0)),
                ("active", models.BooleanField(default=True)),
            ],
            options={
                "ordering": ["order", "bit"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("bit__lte", 30)), name="service_bit_range")
                ],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
