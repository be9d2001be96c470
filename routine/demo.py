"""Demo routine work (seed_demo): a month of backups with two gaps (a failed run, a day with nothing),
a restore test, a week of inspection rounds with one anomaly turned into a ticket, one vulnerability
scan with a finding in each state (one risk the purchaser accepted), antivirus sweeps, a security
warning and one signed drill. Built through the services, history replayed with past times; nobody is
told about events long past. Idempotent: nothing is added when the demo backup policy exists."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.consent import consent_decide
from tickets.models.reference import BusinessSystem, Host
from tickets.services.notify import ticket_notifications_suppressed

from .models import BackupPolicy, InspectionRound
from .services import backups, drills, inspections, security

POLICY = "核心数据库每日备份"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def seed() -> None:
    users = {u.username: u for u in User.objects.filter(username__in=["pm", "lead", "eng1", "eng2", "eng3", "eng4", "appr1"])}
    system = BusinessSystem.objects.filter(name="城市管理综合执法大数据平台").select_related("organization").first()
    second = BusinessSystem.objects.filter(name="执法办案管理系统").first()
    if len(users) < 7 or system is None or second is None or BackupPolicy.objects.filter(name=POLICY).exists():
        return
    with transaction.atomic(), ticket_notifications_suppressed():
        today = timezone.localdate()
        _backups(users, system, second, today)
        _inspections(users, system, today)
        _security(users, system, second, today)
        _drill(users, system, second, today)


def _backups(users, system, second, today: dt.date) -> None:
    first = today - dt.timedelta(days=31)
    db = backups.backup_policy_create(
        actor=users["lead"], business_system=system, name=POLICY, backup_object="database", backup_type="incremental",
        schedule="每日 01:00 增量，每周日 02:00 全量", owner=users["eng4"], start_date=first, now=_at(first, 0),
    )
    files = backups.backup_policy_create(
        actor=users["lead"], business_system=second, name="附件文件每日全量备份", backup_object="files", backup_type="full",
        schedule="每日 02:30 全量", owner=users["eng1"], start_date=first, now=_at(first, 0),
    )
    gap_failed, gap_none = today - dt.timedelta(days=12), today - dt.timedelta(days=5)
    day = first
    while day < today:
        items = []
        if day == gap_failed:
            items.append({"policy": db.pk, "job_id": f"NBU-{day:%Y%m%d}-INC", "backup_type": "incremental",
                          "started_at": _at(day, 1), "ended_at": _at(day, 1, 7), "result": "failed",
                          "message": "介质服务器磁盘空间不足（剩余 2%）"})
        elif day != gap_none:
            full = day.weekday() == 6
            items.append({"policy": db.pk, "job_id": f"NBU-{day:%Y%m%d}-{'FULL' if full else 'INC'}",
                          "backup_type": "full" if full else "incremental", "started_at": _at(day, 2 if full else 1),
                          "ended_at": _at(day, 4 if full else 1, 10 if full else 35), "result": "success",
                          "size_bytes": (820 if full else 36) * 1024**3})
        items.append({"policy": files.pk, "job_id": f"FS-{day:%Y%m%d}", "backup_type": "full", "started_at": _at(day, 2, 30),
                      "ended_at": _at(day, 3, 5), "result": "success", "size_bytes": 120 * 1024**3})
        backups.backup_runs_record(actor=users["eng4"], items=items, now=_at(day, 5))
        if day == gap_none:
            backups.backup_day_check(policy_id=db.pk, day=day, now=_at(day + dt.timedelta(days=1), 7))
        day += dt.timedelta(days=1)
    restored = db.runs.filter(backup_type="full", result="success").order_by("-started_at").first()
    if restored is not None:
        backups.restore_test_record(actor=users["eng4"], policy=db, run=restored, tested_at=restored.ended_at + dt.timedelta(hours=5),
                                    result="success", duration_minutes=48, notes="恢复至测试库，核对 12 张核心表行数一致",
                                    now=restored.ended_at + dt.timedelta(hours=6))


def _inspections(users, system, today: dt.date) -> None:
    room = inspections.inspection_template_create(actor=users["lead"], name="机房与云平台日常巡检", scope="machine_room", items=[
        {"label": "机房温度", "kind": "number", "min_value": 18, "max_value": 27, "unit": "℃"},
        {"label": "机房湿度", "kind": "number", "min_value": 40, "max_value": 60, "unit": "%"},
        {"label": "核心数据库磁盘使用率", "kind": "number", "max_value": 85, "unit": "%"},
        {"label": "负载均衡与 WAF 状态", "kind": "check"},
        {"label": "告警灯与异响", "kind": "text"},
    ], now=_at(today - dt.timedelta(days=8), 9))
    schedule = inspections.inspection_schedule_create(
        actor=users["lead"], template=room, business_system=system, frequency="daily", heavy_frequency="per_shift",
        time_of_day=dt.time(9, 0), start_date=today - dt.timedelta(days=7), grace_minutes=120,
    )
    inspections.inspection_rounds_plan(first_day=today - dt.timedelta(days=7), last_day=today + dt.timedelta(days=1),
                                       now=_at(today - dt.timedelta(days=8), 12))
    items = {i.label: i.pk for i in room.items.all()}
    engineers = ["eng1", "eng2", "eng3", "eng4"]
    rounds = list(InspectionRound.objects.filter(schedule=schedule, slot__lt=_at(today, 0)).order_by("slot"))
    for n, round_ in enumerate(rounds):
        disk = "91" if n == len(rounds) - 2 else str(62 + n)
        answers = {items["机房温度"]: {"value": "23.5"}, items["机房湿度"]: {"value": "48"},
                   items["核心数据库磁盘使用率"]: {"value": disk, "note": "归档日志增长过快" if disk == "91" else ""},
                   items["负载均衡与 WAF 状态"]: {"value": "ok"}, items["告警灯与异响"]: {"value": "无"}}
        who = users[engineers[n % len(engineers)]]
        done = inspections.inspection_round_complete(actor=who, round_id=round_.pk, answers=answers,
                                                     now=round_.slot + dt.timedelta(minutes=25))
        if done.anomalies:
            result = done.results.get(ok=False)
            inspections.inspection_result_ticket(actor=who, result_id=result.pk, now=round_.slot + dt.timedelta(minutes=30))


def _security(users, system, second, today: dt.date) -> None:
    start = today - dt.timedelta(days=20)
    scan = security.security_activity_create(
        actor=users["eng3"], kind="vuln_scan", title="月度漏洞扫描（Greenbone）", organization=system.organization,
        scope="城市管理综合执法大数据平台、执法办案管理系统全部云主机", started_on=start, ended_on=start + dt.timedelta(days=1),
        people="陈静（安全工程师）", systems=[system, second], now=_at(start, 9),
    )
    hosts = list(Host.objects.filter(business_system=system).order_by("name")[:3])
    found = start + dt.timedelta(days=1)
    specs = [
        ("OpenSSH 远程代码执行漏洞（regreSSHion）", "high", "CVE-2024-6387", "verified"),
        ("Redis 未授权访问", "high", "", "fixed"),
        ("TLS 支持弱加密套件", "medium", "", "fixing"),
        ("ICMP 时间戳应答", "low", "CVE-1999-0524", "open"),
        ("老版本 Struts 组件（系统停用前无法升级）", "medium", "CVE-2017-5638", "accepted"),
    ]
    for n, (title, severity, cve, state) in enumerate(specs):
        finding = security.finding_create(actor=users["eng3"], activity=scan, business_system=system, hosts=[hosts[n % len(hosts)]],
                                          title=title, severity=severity, cve=cve, found_on=found, now=_at(found, 18))
        if state in ("fixing", "fixed", "verified"):
            security.finding_move(actor=users["eng1"], finding_id=finding.pk, action="start", now=_at(found + dt.timedelta(days=1), 10))
        if state in ("fixed", "verified"):
            security.finding_move(actor=users["eng1"], finding_id=finding.pk, action="fix", note="已升级并重启服务",
                                  now=_at(found + dt.timedelta(days=2), 16))
        if state == "verified":
            security.finding_move(actor=users["eng3"], finding_id=finding.pk, action="verify", note="复扫未再发现",
                                  now=_at(found + dt.timedelta(days=3), 11))
        if state == "accepted":
            request = security.finding_accept_risk_request(actor=users["lead"], finding_id=finding.pk,
                                                           reason="该系统计划下季度下线，已通过 WAF 规则拦截利用请求")
            consent_decide(request, actor=users["appr1"], action="confirm", note="同意，下线前每周复核 WAF 拦截日志")
    for n, host in enumerate(Host.objects.filter(business_system__in=[system, second]).order_by("name")):
        if n % 5 == 4:
            continue  # a few hosts not swept this month: listed on the antivirus page
        security.antivirus_sweep_record(actor=users["eng3"], host=host, swept_at=_at(today - dt.timedelta(days=3), 1),
                                        engine="奇安信天擎 10.0", threats_found=1 if n == 2 else 0, threats_cleaned=1 if n == 2 else 0,
                                        now=_at(today - dt.timedelta(days=3), 8))
    security.security_warning_publish(actor=users["eng3"], organization=system.organization, audience="信息中心及各业务系统负责人",
                                      title="OpenSSH 高危漏洞（CVE-2024-6387）预警", severity="high",
                                      content="OpenSSH 8.5p1 至 9.7p1 存在远程代码执行漏洞，请于 7 日内完成升级；服务商已完成本项目主机排查。",
                                      now=_at(start, 10))


def _drill(users, system, second, today: dt.date) -> None:
    day = today - dt.timedelta(days=10)
    drill = drills.drill_plan(
        actor=users["lead"], kind="disaster_recovery", title="核心数据库主备切换演练", organization=system.organization,
        systems=[system], plan="在维护窗口内将核心数据库切换至同城备库，业务验证后回切", scenario="主库所在宿主机宕机",
        planned_on=day, rto_target_minutes=30, rpo_target_minutes=5, participants="李明、赵磊、张伟；采购人信息中心周强",
        now=_at(day - dt.timedelta(days=7), 10),
    )
    drills.drill_record(actor=users["lead"], drill_id=drill.pk, rto_achieved_minutes=22, rpo_achieved_minutes=2,
                        outcome="切换与回切成功，RTO、RPO 均达标", now=_at(day, 23),
                        problems=[{"description": "切换后监控告警延迟 6 分钟才恢复", "business_system": system}])
    drills.drill_sign(actor=users["appr1"], drill_id=drill.pk, note="演练有效", now=_at(day + dt.timedelta(days=1), 10))
