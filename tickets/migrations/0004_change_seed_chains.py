"""Seed the approval chains of clause 8.1.3 (editable afterwards in admin), three pre-approved
standard-change templates, and make the change timeline append-only on PostgreSQL."""

from django.db import migrations

# (name, category, risk, start_after_steps, [(label, role, scope)])
TECH_LEAD = ("服务商技术负责人审批", "tech_lead", "provider")
OWNER = ("业务系统所属采购人审批", "approver", "owner")
PM = ("项目经理审批", "project_manager", "provider")
CHAINS = [
    ("标准变更（预先批准，免审批）", "standard", "", None, []),
    ("一般变更", "normal", "", None, [TECH_LEAD, OWNER]),
    ("一般变更（高风险）", "normal", "high", None, [TECH_LEAD, OWNER, PM]),
    ("紧急变更（首步通过后可先实施，24 小时内补批）", "emergency", "", 1, [TECH_LEAD, OWNER]),
    ("紧急变更（高风险，首步通过后可先实施，24 小时内补批）", "emergency", "high", 1, [TECH_LEAD, OWNER, PM]),
]

TEMPLATES = [
    (
        "云主机操作系统安全补丁安装（非重启类）",
        "按月安装不需要重启的操作系统安全补丁；不涉及业务中断。",
        "1. 在堡垒机登录目标主机；2. 创建快照；3. 安装补丁；4. 记录补丁清单。",
        "卸载所装补丁或回滚至快照。",
        "检查补丁版本、系统服务状态、业务接口拨测正常。",
    ),
    (
        "防火墙访问策略新增（采购人书面申请）",
        "依据采购人书面申请新增端口或来源地址白名单，不删除既有策略。",
        "1. 核对申请单；2. 备份当前策略；3. 新增策略并标注申请单号。",
        "删除新增策略，恢复备份。",
        "申请方验证访问可达，其他业务访问不受影响。",
    ),
    (
        "SSL 证书到期更换",
        "同一域名证书续期更换，负载均衡侧热加载。",
        "1. 上传新证书；2. 负载均衡监听器切换证书；3. 保留旧证书 7 天。",
        "切换回旧证书。",
        "浏览器与拨测检查证书有效期与链完整。",
    ),
]

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION tickets_changeevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'tickets_changeevent is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS tickets_changeevent_append_only ON tickets_changeevent;
CREATE TRIGGER tickets_changeevent_append_only BEFORE UPDATE OR DELETE ON tickets_changeevent
    FOR EACH ROW EXECUTE FUNCTION tickets_changeevent_append_only();
"""
DROP_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS tickets_changeevent_append_only ON tickets_changeevent;
DROP FUNCTION IF EXISTS tickets_changeevent_append_only();
"""


def seed(apps, schema_editor):
    Chain = apps.get_model("tickets", "ApprovalChain")
    Step = apps.get_model("tickets", "ApprovalStep")
    Template = apps.get_model("tickets", "ChangeTemplate")
    for name, category, risk, start_after, steps in CHAINS:
        chain, created = Chain.objects.get_or_create(
            category=category, risk=risk, defaults={"name": name, "start_after_steps": start_after}
        )
        if created:
            for position, (label, role, scope) in enumerate(steps, start=1):
                Step.objects.create(chain=chain, position=position, label=label, role=role, scope=scope)
    for name, description, plan, rollback, verification in TEMPLATES:
        Template.objects.get_or_create(
            name=name,
            defaults={"description": description, "plan": plan, "rollback_plan": rollback, "verification_plan": verification},
        )


def trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL)


def untrigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER_SQL)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_change_requests")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(trigger, untrigger),
    ]
