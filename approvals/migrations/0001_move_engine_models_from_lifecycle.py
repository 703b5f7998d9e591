"""The approval engine's models move from lifecycle to approvals, keeping their tables (`lifecycle_*`): the state
moves (here, lifecycle 0012 and changes 0004), the database does not. Content types follow, so permissions, admin
log entries and generic relations keep pointing at the same rows."""

import approvals.models
import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models

MODELS = ("gatepolicy", "gatereview", "approvalstep", "delegation", "condition")


def move_content_types(apps, schema_editor, source="lifecycle", target="approvals"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="approvals", target="lifecycle")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('lifecycle', '0011_review_lock_key_target_outcome_system_submitter'),
        ('products', '0005_product_excluded_segments'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='GatePolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('process', models.CharField(blank=True, default='stage_gate', help_text='留空表示所有流程。', max_length=32, verbose_name='流程')),
                        ('department', models.CharField(choices=[('risk', '风险管理部'), ('compliance', '合规部'), ('finance', '财务部'), ('legal', '法务部'), ('technology', '信息科技部'), ('senior_management', '高级管理层'), ('product', '产品部')], max_length=32, verbose_name='审批部门')),
                        ('phase', models.PositiveSmallIntegerField(default=1, help_text='轮次小的先审批；同一轮次的部门同时审批。', verbose_name='审批轮次')),
                        ('fact', models.CharField(blank=True, help_text='留空表示总是适用；否则仅当评审对象具备该条件时适用（如 expanded：扩大适用范围）。', max_length=32, verbose_name='适用条件')),
                        ('target_stage', models.CharField(blank=True, choices=[('planning', '规划'), ('development', '开发'), ('marketing', '推广'), ('operation', '运营'), ('retirement', '退出'), ('retired', '已退出'), ('cancelled', '已取消')], help_text='留空表示所有阶段。', max_length=20, verbose_name='目标阶段')),
                        ('category', models.CharField(blank=True, choices=[('deposit', '存款'), ('loan', '贷款'), ('credit_card', '信用卡'), ('wealth', '理财'), ('payment', '支付结算'), ('other', '其他')], help_text='留空表示所有类别。', max_length=20, verbose_name='产品类别')),
                        ('min_risk_rating', models.CharField(blank=True, choices=[('R1', 'R1 低风险'), ('R2', 'R2 中低风险'), ('R3', 'R3 中风险'), ('R4', 'R4 中高风险'), ('R5', 'R5 高风险')], help_text='留空表示所有风险等级。', max_length=2, verbose_name='最低风险等级')),
                        ('due_working_days', models.PositiveIntegerField(default=3, verbose_name='审批期限（工作日）')),
                        ('escalation_days', models.PositiveIntegerField(default=2, verbose_name='逾期上报（天）')),
                        ('is_active', models.BooleanField(default=True, verbose_name='启用')),
                    ],
                    options={
                        'verbose_name': '审批规则',
                        'verbose_name_plural': '审批规则',
                        'db_table': 'lifecycle_gatepolicy',
                        'ordering': ['process', 'phase', 'target_stage', 'category', 'department', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='ApprovalStep',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('department', models.CharField(choices=[('risk', '风险管理部'), ('compliance', '合规部'), ('finance', '财务部'), ('legal', '法务部'), ('technology', '信息科技部'), ('senior_management', '高级管理层'), ('product', '产品部')], max_length=32, verbose_name='审批部门')),
                        ('position', models.PositiveSmallIntegerField(default=1, verbose_name='审批轮次')),
                        ('status', django_fsm.FSMField(choices=[('waiting', '未开始'), ('pending', '待审批'), ('approved', '已同意'), ('rejected', '已驳回'), ('withdrawn', '已撤销')], db_index=True, default='waiting', max_length=10, protected=True, verbose_name='状态')),
                        ('due_working_days', models.PositiveIntegerField(default=3, verbose_name='审批期限（工作日）')),
                        ('escalation_days', models.PositiveIntegerField(default=2, verbose_name='逾期上报（天）')),
                        ('opened_at', models.DateTimeField(blank=True, null=True, verbose_name='开启时间')),
                        ('due_date', models.DateField(blank=True, null=True, verbose_name='截止日期')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='审批时间')),
                        ('decision', models.CharField(blank=True, choices=[('approve', '同意'), ('reject', '驳回')], max_length=10, verbose_name='决定')),
                        ('outcome', models.CharField(blank=True, max_length=32, verbose_name='审批结论')),
                        ('comment', models.TextField(blank=True, verbose_name='意见')),
                        ('overdue', models.BooleanField(default=False, verbose_name='已逾期')),
                        ('reminded_at', models.DateTimeField(blank=True, null=True, verbose_name='提醒时间')),
                        ('escalated_at', models.DateTimeField(blank=True, null=True, verbose_name='上报时间')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='approval_decisions', to=settings.AUTH_USER_MODEL, verbose_name='审批人')),
                        ('on_behalf_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='delegated_decisions', to=settings.AUTH_USER_MODEL, verbose_name='代为审批（委托人）')),
                    ],
                    options={
                        'verbose_name': '审批步骤',
                        'verbose_name_plural': '审批步骤',
                        'db_table': 'lifecycle_approvalstep',
                        'ordering': ['review', 'position', 'id'],
                    },
                    bases=(approvals.models.ProtectedFSMFieldsMixin, django_fsm.ConcurrentTransitionMixin, models.Model),
                ),
                migrations.CreateModel(
                    name='GateReview',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('process', models.CharField(db_index=True, default='stage_gate', max_length=32, verbose_name='流程')),
                        ('subject_id', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='评审对象编号')),
                        ('from_stage', models.CharField(blank=True, choices=[('planning', '规划'), ('development', '开发'), ('marketing', '推广'), ('operation', '运营'), ('retirement', '退出'), ('retired', '已退出'), ('cancelled', '已取消')], max_length=20, verbose_name='当前阶段')),
                        ('to_stage', models.CharField(blank=True, choices=[('planning', '规划'), ('development', '开发'), ('marketing', '推广'), ('operation', '运营'), ('retirement', '退出'), ('retired', '已退出'), ('cancelled', '已取消')], max_length=20, verbose_name='目标阶段')),
                        ('target', models.CharField(blank=True, max_length=64, verbose_name='评审目标')),
                        ('lock_key', models.CharField(max_length=100, verbose_name='锁定范围')),
                        ('outcome', models.CharField(blank=True, max_length=32, verbose_name='评审结论')),
                        ('snapshot', models.JSONField(blank=True, default=dict, verbose_name='提交内容快照')),
                        ('status', django_fsm.FSMField(choices=[('pending', '审批中'), ('approved', '已通过'), ('rejected', '已驳回')], db_index=True, default='pending', max_length=10, protected=True, verbose_name='状态')),
                        ('submitted_at', models.DateTimeField(db_index=True, verbose_name='提交时间')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='结束时间')),
                        ('response', models.TextField(blank=True, max_length=4000, verbose_name='对上次驳回意见的答复')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='gate_reviews', to='products.product', verbose_name='产品')),
                        ('subject_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='评审对象类型')),
                        ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='submitted_gate_reviews', to=settings.AUTH_USER_MODEL, verbose_name='提交人')),
                    ],
                    options={
                        'verbose_name': '阶段评审',
                        'verbose_name_plural': '阶段评审',
                        'db_table': 'lifecycle_gatereview',
                        'ordering': ['-submitted_at', '-id'],
                    },
                    bases=(approvals.models.ProtectedFSMFieldsMixin, django_fsm.ConcurrentTransitionMixin, models.Model),
                ),
                migrations.CreateModel(
                    name='Condition',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('department', models.CharField(choices=[('risk', '风险管理部'), ('compliance', '合规部'), ('finance', '财务部'), ('legal', '法务部'), ('technology', '信息科技部'), ('senior_management', '高级管理层'), ('product', '产品部')], max_length=32, verbose_name='审批部门')),
                        ('action', models.CharField(max_length=500, verbose_name='须落实事项')),
                        ('due', models.DateField(verbose_name='截止日期')),
                        ('status', django_fsm.FSMField(choices=[('open', '待落实'), ('done', '已落实'), ('waived', '已豁免')], db_index=True, default='open', max_length=10, protected=True, verbose_name='状态')),
                        ('evidence', models.TextField(blank=True, verbose_name='落实说明')),
                        ('document', models.FileField(blank=True, upload_to='conditions/%Y/%m/', verbose_name='证明文件')),
                        ('waiver_reason', models.TextField(blank=True, verbose_name='豁免理由')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='处理时间')),
                        ('reminded_at', models.DateTimeField(blank=True, null=True, verbose_name='提醒时间')),
                        ('escalated_at', models.DateTimeField(blank=True, null=True, verbose_name='上报时间')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='处理人')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='conditions', to=settings.AUTH_USER_MODEL, verbose_name='负责人')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='conditions', to='products.product', verbose_name='产品')),
                        ('step', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='conditions', to='approvals.approvalstep', verbose_name='审批步骤')),
                        ('review', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='conditions', to='approvals.gatereview', verbose_name='评审')),
                    ],
                    options={
                        'verbose_name': '审批条件',
                        'verbose_name_plural': '审批条件',
                        'db_table': 'lifecycle_condition',
                        'ordering': ['due', 'id'],
                    },
                    bases=(approvals.models.ProtectedFSMFieldsMixin, django_fsm.ConcurrentTransitionMixin, models.Model),
                ),
                migrations.AddField(
                    model_name='approvalstep',
                    name='review',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='steps', to='approvals.gatereview', verbose_name='阶段评审'),
                ),
                migrations.CreateModel(
                    name='Delegation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('starts_on', models.DateField(verbose_name='开始日期')),
                        ('ends_on', models.DateField(verbose_name='结束日期')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('delegate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='delegations_received', to=settings.AUTH_USER_MODEL, verbose_name='代理人')),
                        ('delegator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='delegations_given', to=settings.AUTH_USER_MODEL, verbose_name='委托人')),
                    ],
                    options={
                        'verbose_name': '审批委托',
                        'verbose_name_plural': '审批委托',
                        'db_table': 'lifecycle_delegation',
                        'ordering': ['-starts_on', '-id'],
                        'indexes': [models.Index(fields=['delegate', 'starts_on', 'ends_on'], name='delegation_delegate_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='delegation_ends_after_start'), models.CheckConstraint(condition=models.Q(('delegator', models.F('delegate')), _negated=True), name='delegation_not_to_oneself')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='gatereview',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('lock_key',), name='one_open_review_per_lock_key'),
                ),
                migrations.AddIndex(
                    model_name='condition',
                    index=models.Index(fields=['product', 'status'], name='condition_product_status'),
                ),
                migrations.AddConstraint(
                    model_name='approvalstep',
                    constraint=models.UniqueConstraint(fields=('review', 'department'), name='one_step_per_department'),
                ),
        ]),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
