"""State only: the approval engine's models now live in approvals (tables unchanged, see approvals 0001)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('approvals', '0001_move_engine_models_from_lifecycle'),
        ('changes', '0003_change_pilot_plan'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.AlterField(
                    model_name='change',
                    name='review',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='approvals.gatereview', verbose_name='评审'),
                ),
                migrations.AlterField(
                    model_name='termsversion',
                    name='review',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='approvals.gatereview', verbose_name='批准评审'),
                ),
        ]),
    ]
