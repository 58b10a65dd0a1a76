import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """The aid app's IdempotencyKey table becomes core's, keys and answers kept: the model
    arrives in the state on the existing table, then the table and its constraint are renamed."""

    dependencies = [
        ('core', '0001_initial'),
        ('aid', '0004_idempotency_key_moves_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='IdempotencyKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=100)),
                        ('actor', models.CharField(max_length=100)),
                        ('endpoint', models.CharField(max_length=100)),
                        ('request_hash', models.CharField(max_length=64)),
                        ('status_code', models.PositiveSmallIntegerField()),
                        ('body', models.JSONField()),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        'db_table': 'aid_idempotencykey',
                        'constraints': [models.UniqueConstraint(fields=('actor', 'key'), name='aid_idempotency_key_unique')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='idempotencykey', table=None),
        migrations.RemoveConstraint(model_name='idempotencykey', name='aid_idempotency_key_unique'),
        migrations.AddConstraint(
            model_name='idempotencykey',
            constraint=models.UniqueConstraint(fields=('actor', 'key'), name='core_idempotency_key_unique'),
        ),
    ]
