"""State only: the approval engine's models now live in approvals (tables unchanged, see approvals 0001)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('changes', '0004_review_points_at_approvals_gatereview'),
        ('lifecycle', '0011_review_lock_key_target_outcome_system_submitter'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.RemoveField(
                    model_name='approvalstep',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='approvalstep',
                    name='on_behalf_of',
                ),
                migrations.RemoveField(
                    model_name='approvalstep',
                    name='review',
                ),
                migrations.RemoveField(
                    model_name='condition',
                    name='step',
                ),
                migrations.RemoveField(
                    model_name='condition',
                    name='closed_by',
                ),
                migrations.RemoveField(
                    model_name='condition',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='condition',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='condition',
                    name='review',
                ),
                migrations.RemoveField(
                    model_name='delegation',
                    name='delegate',
                ),
                migrations.RemoveField(
                    model_name='delegation',
                    name='delegator',
                ),
                migrations.DeleteModel(
                    name='GatePolicy',
                ),
                migrations.RemoveField(
                    model_name='gatereview',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='gatereview',
                    name='subject_type',
                ),
                migrations.RemoveField(
                    model_name='gatereview',
                    name='submitted_by',
                ),
                migrations.DeleteModel(
                    name='ApprovalStep',
                ),
                migrations.DeleteModel(
                    name='Condition',
                ),
                migrations.DeleteModel(
                    name='Delegation',
                ),
                migrations.DeleteModel(
                    name='GateReview',
                ),
        ]),
    ]
