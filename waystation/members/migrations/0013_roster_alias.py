"""The shorthands offices type in a roster for industries, districts and platforms, as rows,
with the first ones (members/starting_aliases.py)."""

from django.db import migrations, models

from waystation.members.starting_aliases import STARTING_ALIASES


def seed(apps, schema_editor):
    RosterAlias = apps.get_model("members", "RosterAlias")
    RosterAlias.objects.bulk_create(
        [RosterAlias(kind=k, city_adcode=c, alias=a, means=m) for k, c, a, m in STARTING_ALIASES],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0012_member_name_hash'),
    ]

    operations = [
        # (the model, then its first rows)
        migrations.CreateModel(
            name='RosterAlias',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('industry', '行业'), ('district', '工作区域'), ('platform', '平台')], max_length=10)),
                ('city_adcode', models.CharField(blank=True, max_length=6)),
                ('alias', models.CharField(max_length=50)),
                ('means', models.CharField(max_length=50)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('kind', 'city_adcode', 'alias'), name='roster_alias_once_per_city')],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
