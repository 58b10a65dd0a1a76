from django.db import migrations


class Migration(migrations.Migration):
    """IdempotencyKey moves to core (core/idempotency.py serves every API endpoint): aid lets go
    of the model, the table stays; core 0002 takes it over and renames it."""

    dependencies = [
        ('aid', '0003_override_second_approver'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='IdempotencyKey')],
        ),
    ]
