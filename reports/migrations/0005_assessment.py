"""The purchaser's receipt and assessment of issued packages and the final acceptance, remediation items with
the provider's answers and evidence, and their history. Answers, attachments and the history are
append-only: on PostgreSQL a trigger refuses UPDATE and DELETE of their rows."""

import django.db.models.deletion
import reports.models
from django.conf import settings
from django.db import migrations, models


TABLES = ("reports_remediationanswer", "reports_remediationattachment", "reports_assessmentevent")

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP FUNCTION IF EXISTS {table}_append_only();
"""


def _on_each_table(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in TABLES:
                schema_editor.execute(sql.format(table=table))

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('changes', '0001_initial'),
        ('reports', '0004_period_kinds'),
        ('tickets', '0024_sla_contract_floor'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Assessment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('stage', '阶段查验'), ('final', '终验')], default='stage', max_length=10, verbose_name='类型')),
                ('round', models.PositiveSmallIntegerField(default=1, verbose_name='轮次')),
                ('state', models.CharField(choices=[('received', '已签收，待评定'), ('assessed', '已评定')], default='received', max_length=10, verbose_name='状态')),
                ('received_on', models.DateField(verbose_name='签收日期')),
                ('received_at', models.DateTimeField(verbose_name='签收登记时间')),
                ('verdict', models.CharField(blank=True, choices=[('pass', '合格'), ('remediate', '需整改'), ('fail', '不合格')], max_length=10, verbose_name='评定结论')),
                ('comments', models.TextField(blank=True, verbose_name='评定意见')),
                ('assessed_at', models.DateTimeField(blank=True, null=True, verbose_name='评定时间')),
                ('opinion_file', models.FileField(blank=True, max_length=300, upload_to='reports/opinions/', verbose_name='验收意见书')),
                ('opinion_sha256', models.CharField(blank=True, max_length=64, verbose_name='验收意见书 SHA-256')),
                ('opinion_generated_at', models.DateTimeField(blank=True, null=True, verbose_name='验收意见书生成时间')),
                ('assessed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='评定人')),
                ('contract', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='tickets.contract', verbose_name='合同')),
                ('package', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='reports.acceptancepackage', verbose_name='查验材料包')),
                ('received_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='签收人')),
            ],
            options={
                'verbose_name': '验收评定',
                'verbose_name_plural': '验收评定',
                'ordering': ['-received_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='RemediationAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField(verbose_name='整改说明')),
                ('at', models.DateTimeField(verbose_name='答复时间')),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='答复人')),
                ('changes', models.ManyToManyField(blank=True, related_name='+', to='changes.changerequest', verbose_name='关联变更')),
                ('tickets', models.ManyToManyField(blank=True, related_name='+', to='tickets.ticket', verbose_name='关联工单')),
            ],
            options={
                'verbose_name': '整改答复',
                'verbose_name_plural': '整改答复',
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='RemediationAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=300, upload_to=reports.models.remediation_upload_to, verbose_name='文件')),
                ('original_name', models.CharField(max_length=200, verbose_name='文件名')),
                ('content_type', models.CharField(max_length=100, verbose_name='类型')),
                ('size', models.PositiveIntegerField(verbose_name='大小（字节）')),
                ('sha256', models.CharField(max_length=64)),
                ('uploaded_at', models.DateTimeField(verbose_name='上传时间')),
                ('answer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attachments', to='reports.remediationanswer', verbose_name='整改答复')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上传人')),
            ],
            options={
                'verbose_name': '整改附件',
                'verbose_name_plural': '整改附件',
                'ordering': ['uploaded_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='RemediationItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='序号')),
                ('title', models.CharField(max_length=200, verbose_name='整改事项')),
                ('detail', models.TextField(blank=True, verbose_name='具体要求')),
                ('deadline', models.DateField(verbose_name='整改期限')),
                ('state', models.CharField(choices=[('open', '待整改'), ('answered', '已答复，待采购人确认'), ('closed', '已关闭')], default='open', max_length=10, verbose_name='状态')),
                ('created_at', models.DateTimeField(verbose_name='提出时间')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='最近答复时间')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='关闭时间')),
                ('returns', models.PositiveSmallIntegerField(default=0, verbose_name='退回次数')),
                ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='items', to='reports.assessment', verbose_name='验收评定')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='服务商责任人')),
            ],
            options={
                'verbose_name': '整改项',
                'verbose_name_plural': '整改项',
                'ordering': ['deadline', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='remediationanswer',
            name='item',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='answers', to='reports.remediationitem', verbose_name='整改项'),
        ),
        migrations.CreateModel(
            name='AssessmentEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('received', '签收'), ('assessed', '评定'), ('item_raised', '提出整改项'), ('answered', '答复整改'), ('returned', '退回重改'), ('closed', '关闭整改项')], max_length=20, verbose_name='事件')),
                ('from_state', models.CharField(blank=True, max_length=10, verbose_name='原状态')),
                ('to_state', models.CharField(blank=True, max_length=10, verbose_name='新状态')),
                ('at', models.DateTimeField(verbose_name='时间')),
                ('note', models.TextField(blank=True, verbose_name='说明')),
                ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='reports.assessment')),
                ('item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='reports.remediationitem')),
            ],
            options={
                'verbose_name': '验收评定记录',
                'verbose_name_plural': '验收评定记录',
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'stage')), fields=('package',), name='assessment_one_per_package'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'final')), fields=('contract', 'round'), name='assessment_final_round'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'final'), ('package__isnull', False), _connector='OR'), name='assessment_stage_has_package'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'received'), ('verdict', '')), models.Q(('state', 'assessed'), models.Q(('verdict', ''), _negated=True)), _connector='OR'), name='assessment_verdict_when_assessed'),
        ),
        migrations.AddIndex(
            model_name='remediationitem',
            index=models.Index(fields=['state', 'deadline'], name='remediation_state_deadline'),
        ),
        migrations.AddConstraint(
            model_name='remediationitem',
            constraint=models.UniqueConstraint(fields=('assessment', 'number'), name='remediation_item_number'),
        ),
        migrations.RunPython(_on_each_table(TRIGGER_SQL), _on_each_table(DROP_SQL)),
    ]
