"""The change-request models move here from `tickets` (issue 14) without touching the database.

The tables keep their names (`tickets_changerequest`, `tickets_changeevent`, … and the M2M tables
derived from them, via Meta.db_table): this migration only creates the models in Django's state,
and tickets.0015 removes them from the tickets state. No row is copied, no constraint, index,
sequence or the PostgreSQL append-only trigger on tickets_changeevent is rebuilt, and foreign keys
between the two apps (DowntimeRecord.change, ChangeRequest.linked_tickets) keep pointing at the
same tables on SQLite and PostgreSQL. Renaming the tables would have bought a prettier name at the
price of DDL on populated tables, a trigger to re-create and a riskier rollback.

The content types follow the models (tickets.changerequest -> changes.changerequest, …), so
permissions granted on them stay granted. Audit-log entries written before the move keep the
object type they were written with ("tickets.changerequest"): the audit trail is not rewritten.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ("approvalchain", "approvalstep", "changetemplate", "changenumbercounter", "changerequest", "changeapproval", "changeevent")


def _move_content_types(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    existing = set(ContentType.objects.using(db).filter(app_label=new, model__in=MOVED).values_list("model", flat=True))
    ContentType.objects.using(db).filter(app_label=old, model__in=[m for m in MOVED if m not in existing]).update(app_label=new)


def content_types_forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, old="tickets", new="changes")


def content_types_backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, old="changes", new="tickets")



class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_roles'),
        ('tickets', '0014_ticket_open_statistics'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ChangeNumberCounter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(unique=True)),
                        ('last', models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        'verbose_name': '变更编号计数',
                        'verbose_name_plural': '变更编号计数',
                        'db_table': 'tickets_changenumbercounter',
                    },
                ),
                migrations.CreateModel(
                    name='ChangeTemplate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, unique=True, verbose_name='模板名称')),
                        ('description', models.TextField(blank=True, verbose_name='适用范围')),
                        ('risk', models.CharField(choices=[('low', '低'), ('medium', '中'), ('high', '高')], default='low', max_length=20, verbose_name='风险等级')),
                        ('plan', models.TextField(verbose_name='实施步骤')),
                        ('rollback_plan', models.TextField(verbose_name='回退方案')),
                        ('verification_plan', models.TextField(verbose_name='验证方案')),
                        ('active', models.BooleanField(default=True, verbose_name='启用')),
                    ],
                    options={
                        'verbose_name': '标准变更模板',
                        'verbose_name_plural': '标准变更模板',
                        'db_table': 'tickets_changetemplate',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='ApprovalChain',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='名称')),
                        ('category', models.CharField(choices=[('standard', '标准变更'), ('normal', '一般变更'), ('emergency', '紧急变更')], max_length=20, verbose_name='变更类别')),
                        ('risk', models.CharField(blank=True, choices=[('low', '低'), ('medium', '中'), ('high', '高')], help_text='留空表示适用于该类别的所有风险等级', max_length=20, verbose_name='风险等级')),
                        ('start_after_steps', models.PositiveSmallIntegerField(blank=True, help_text='紧急变更：前若干步通过后即可开始实施，其余步骤事后补批', null=True, verbose_name='可先行实施的审批步数')),
                        ('retrospective_hours', models.PositiveSmallIntegerField(default=24, verbose_name='事后补批时限（小时）')),
                        ('active', models.BooleanField(default=True, verbose_name='启用')),
                    ],
                    options={
                        'verbose_name': '审批链',
                        'verbose_name_plural': '审批链',
                        'db_table': 'tickets_approvalchain',
                        'ordering': ['category', 'risk'],
                        'constraints': [models.UniqueConstraint(fields=('category', 'risk'), name='approval_chain_unique_category_risk')],
                    },
                ),
                migrations.CreateModel(
                    name='ChangeRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(max_length=20, unique=True, verbose_name='变更编号')),
                        ('title', models.CharField(blank=True, max_length=200, verbose_name='变更标题')),
                        ('category', models.CharField(choices=[('standard', '标准变更'), ('normal', '一般变更'), ('emergency', '紧急变更')], default='normal', max_length=20, verbose_name='变更类别')),
                        ('risk', models.CharField(choices=[('low', '低'), ('medium', '中'), ('high', '高')], default='medium', max_length=20, verbose_name='风险等级')),
                        ('reason', models.TextField(blank=True, verbose_name='变更原因')),
                        ('plan', models.TextField(blank=True, verbose_name='实施步骤')),
                        ('rollback_plan', models.TextField(blank=True, verbose_name='回退方案')),
                        ('verification_plan', models.TextField(blank=True, verbose_name='验证方案')),
                        ('expected_interruption_minutes', models.PositiveIntegerField(blank=True, help_text='不中断业务请留空或填 0', null=True, verbose_name='预计业务中断（分钟）')),
                        ('window_start', models.DateTimeField(blank=True, null=True, verbose_name='计划开始时间')),
                        ('window_end', models.DateTimeField(blank=True, null=True, verbose_name='计划结束时间')),
                        ('internet_remote_access', models.BooleanField(default=False, verbose_name='是否经互联网远程操作')),
                        ('status', models.CharField(choices=[('draft', '草稿'), ('submitted', '已提交'), ('in_approval', '审批中'), ('approved', '已批准'), ('in_progress', '实施中'), ('completed', '已完成'), ('reviewed', '已复盘'), ('rejected', '已驳回'), ('cancelled', '已取消')], db_index=True, default='draft', max_length=20, verbose_name='状态')),
                        ('outcome', models.CharField(blank=True, choices=[('successful', '成功'), ('failed_rolled_back', '失败并已回退')], max_length=30, verbose_name='实施结果')),
                        ('completion_notes', models.TextField(blank=True, verbose_name='实施记录')),
                        ('review_notes', models.TextField(blank=True, verbose_name='复盘结论')),
                        ('lessons', models.TextField(blank=True, verbose_name='经验教训')),
                        ('cancel_reason', models.TextField(blank=True, verbose_name='取消原因')),
                        ('started_before_approval', models.BooleanField(default=False, verbose_name='先实施后补批')),
                        ('created_at', models.DateTimeField(verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(verbose_name='更新时间')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='提交时间')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='批准时间')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始实施时间')),
                        ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='复盘时间')),
                        ('rejected_at', models.DateTimeField(blank=True, null=True, verbose_name='驳回时间')),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='取消时间')),
                        ('business_systems', models.ManyToManyField(blank=True, related_name='changes', to='tickets.businesssystem', verbose_name='影响的业务系统')),
                        ('chain', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='changes', to='changes.approvalchain', verbose_name='审批链')),
                        ('hosts', models.ManyToManyField(blank=True, related_name='changes', to='tickets.host', verbose_name='影响的云主机')),
                        ('implementers', models.ManyToManyField(blank=True, related_name='implemented_changes', to=settings.AUTH_USER_MODEL, verbose_name='实施人')),
                        ('linked_tickets', models.ManyToManyField(blank=True, related_name='changes', to='tickets.ticket', verbose_name='关联工单')),
                        ('requester', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requested_changes', to=settings.AUTH_USER_MODEL, verbose_name='申请人')),
                        ('template', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='changes', to='changes.changetemplate', verbose_name='标准变更模板')),
                    ],
                    options={
                        'verbose_name': '变更申请',
                        'verbose_name_plural': '变更申请',
                        'db_table': 'tickets_changerequest',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ChangeEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('created', '创建草稿'), ('updated', '修改草稿'), ('submitted', '提交审批'), ('approved', '审批同意'), ('rejected', '审批驳回'), ('pre_approved', '标准变更免审批'), ('started', '开始实施'), ('completed', '实施完成'), ('reviewed', '实施后复盘'), ('cancelled', '取消'), ('conflict_flagged', '时间窗口冲突提示'), ('retrospective_overdue', '事后补批逾期'), ('downtime_linked', '停机记录计为计划维护')], max_length=30, verbose_name='事件')),
                        ('at', models.DateTimeField(verbose_name='时间')),
                        ('from_status', models.CharField(blank=True, max_length=20, verbose_name='原状态')),
                        ('to_status', models.CharField(blank=True, max_length=20, verbose_name='新状态')),
                        ('note', models.TextField(blank=True, verbose_name='说明')),
                        ('data', models.JSONField(blank=True, default=dict, verbose_name='数据')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                        ('change', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='changes.changerequest', verbose_name='变更')),
                    ],
                    options={
                        'verbose_name': '变更记录',
                        'verbose_name_plural': '变更记录',
                        'db_table': 'tickets_changeevent',
                        'ordering': ['at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ApprovalStep',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(verbose_name='顺序')),
                        ('label', models.CharField(max_length=100, verbose_name='步骤名称')),
                        ('role', models.CharField(choices=[('requester', '报障人（采购人）'), ('approver', '审批人（采购人）'), ('engineer', '运维工程师'), ('tech_lead', '技术负责人'), ('duty_leader', '值班负责人'), ('project_manager', '项目经理'), ('auditor', '审计员（只读）')], max_length=30, verbose_name='审批角色')),
                        ('scope', models.CharField(choices=[('provider', '服务商'), ('owner', '业务系统所属采购人')], default='provider', max_length=20, verbose_name='范围')),
                        ('chain', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='changes.approvalchain', verbose_name='审批链')),
                    ],
                    options={
                        'verbose_name': '审批步骤',
                        'verbose_name_plural': '审批步骤',
                        'db_table': 'tickets_approvalstep',
                        'ordering': ['chain', 'position'],
                        'constraints': [models.UniqueConstraint(fields=('chain', 'position'), name='approval_step_unique_position')],
                    },
                ),
                migrations.CreateModel(
                    name='ChangeApproval',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(verbose_name='顺序')),
                        ('label', models.CharField(max_length=100, verbose_name='步骤名称')),
                        ('role', models.CharField(choices=[('requester', '报障人（采购人）'), ('approver', '审批人（采购人）'), ('engineer', '运维工程师'), ('tech_lead', '技术负责人'), ('duty_leader', '值班负责人'), ('project_manager', '项目经理'), ('auditor', '审计员（只读）')], max_length=30, verbose_name='审批角色')),
                        ('delegated_from_role', models.CharField(blank=True, choices=[('requester', '报障人（采购人）'), ('approver', '审批人（采购人）'), ('engineer', '运维工程师'), ('tech_lead', '技术负责人'), ('duty_leader', '值班负责人'), ('project_manager', '项目经理'), ('auditor', '审计员（只读）')], help_text='申请人是该角色唯一持有人时由项目经理审批', max_length=30, verbose_name='原审批角色')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                        ('required_before_start', models.BooleanField(default=True, verbose_name='实施前必须通过')),
                        ('status', models.CharField(choices=[('pending', '待审批'), ('approved', '已同意'), ('rejected', '已驳回'), ('void', '已终止')], default='pending', max_length=20, verbose_name='状态')),
                        ('retrospective', models.BooleanField(default=False, verbose_name='事后补批')),
                        ('due_at', models.DateTimeField(blank=True, null=True, verbose_name='补批截止时间')),
                        ('overdue_flagged_at', models.DateTimeField(blank=True, null=True, verbose_name='逾期提醒时间')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='审批时间')),
                        ('comment', models.TextField(blank=True, verbose_name='审批意见')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审批人')),
                        ('organization', models.ForeignKey(blank=True, help_text='采购人审批步骤：业务系统所属采购人', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization', verbose_name='审批单位')),
                        ('change', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='approvals', to='changes.changerequest', verbose_name='变更')),
                    ],
                    options={
                        'verbose_name': '变更审批步骤',
                        'verbose_name_plural': '变更审批步骤',
                        'db_table': 'tickets_changeapproval',
                        'ordering': ['change', 'position'],
                        'indexes': [models.Index(condition=models.Q(('retrospective', True), ('status', 'pending')), fields=['due_at'], name='change_approval_retro_idx')],
                        'constraints': [models.UniqueConstraint(fields=('change', 'position'), name='change_approval_unique_position')],
                    },
                ),
                migrations.AddIndex(
                    model_name='changerequest',
                    index=models.Index(fields=['window_start', 'window_end'], name='change_window_idx'),
                ),
                migrations.AddConstraint(
                    model_name='changerequest',
                    constraint=models.CheckConstraint(condition=models.Q(('window_start__isnull', True), ('window_end__isnull', True), ('window_end__gt', models.F('window_start')), _connector='OR'), name='change_window_valid'),
                ),
            ],
        ),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]
