"""Seed the contract's SLA targets (clauses 8.1.6, 8.1.8, 8.2.3, 8.2.12) and make the ticket timeline
append-only in PostgreSQL itself (a trigger refuses UPDATE and DELETE of tickets_ticketevent)."""

from django.db import migrations

# name, kind, severity, clock, resource, direction, heavy_protection_important, minutes, calendar, pausable, stop_on, clause
POLICIES = [
    ("故障响应 15 分钟", "fault", "", "response", "", "", False, 15, "24x7", False, "acknowledge", "8.1.6"),
    ("故障定位并排除 30 分钟", "fault", "", "resolve", "", "", False, 30, "24x7", False, "resolve", "8.1.6"),
    ("P1 宕机故障定位 30 分钟", "fault", "P1", "resolve", "", "", False, 30, "24x7", False, "locate", "8.1.6"),
    ("P1 宕机故障恢复 4 小时", "fault", "P1", "restore", "", "", False, 240, "24x7", False, "resolve", "8.1.6"),
    ("安全事件响应 15 分钟", "security", "", "response", "", "", False, 15, "24x7", False, "acknowledge", "8.1.8"),
    ("安全事件处置 4 小时", "security", "", "resolve", "", "", False, 240, "24x7", False, "resolve", "8.1.8"),
    ("资源调整 4 小时", "resource", "", "resolve", "", "", False, 240, "24x7", True, "resolve", "8.2.3"),
    ("存储缩容 8 小时", "resource", "", "resolve", "storage", "decrease", False, 480, "24x7", True, "resolve", "8.2.3"),
    ("重保期重要系统资源调整 4 小时", "resource", "", "resolve", "", "", True, 240, "24x7", True, "resolve", "8.2.3"),
    ("服务请求响应 30 分钟（工作时间）", "request", "", "response", "", "", False, 30, "working_hours", True, "acknowledge", "8.2.12"),
    ("服务请求 1 个工作日完成", "request", "", "resolve", "", "", False, 540, "working_hours", True, "resolve", "8.2.12"),
]

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION tickets_ticketevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'tickets_ticketevent is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS tickets_ticketevent_append_only ON tickets_ticketevent;
CREATE TRIGGER tickets_ticketevent_append_only BEFORE UPDATE OR DELETE ON tickets_ticketevent
    FOR EACH ROW EXECUTE FUNCTION tickets_ticketevent_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS tickets_ticketevent_append_only ON tickets_ticketevent;
DROP FUNCTION IF EXISTS tickets_ticketevent_append_only();
"""


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    for name, kind, sev, clock, res, direction, hp, minutes, cal, pausable, stop_on, clause in POLICIES:
        SlaPolicy.objects.get_or_create(
            name=name,
            defaults=dict(
                kind=kind, severity=sev, clock=clock, resource=res, direction=direction,
                heavy_protection_important=hp, target_minutes=minutes, calendar=cal, pausable=pausable,
                stop_on=stop_on, clause=clause, active=True,
            ),
        )


def unseed(apps, schema_editor):
    apps.get_model("tickets", "SlaPolicy").objects.filter(name__in=[p[0] for p in POLICIES]).delete()


def trigger_on(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL)


def trigger_off(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_tickets_sla_timeline")]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(trigger_on, trigger_off),
    ]
