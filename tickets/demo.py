"""Demo reference data (seed_demo): the renewal contract, six business systems, forty hosts."""

import datetime as dt

from django.db import transaction

from accounts.models import Organization

from .models import BusinessSystem, Contract, Host, ServiceItem

# name, purchaser, importance, onboarding, hosts
SYSTEMS = [
    ("城市管理综合执法大数据平台", "北京市城市管理综合执法局", "important", "in_cloud", 12),
    ("执法办案管理系统", "北京市城市管理综合执法局", "important", "in_cloud", 8),
    ("接诉即办联动处置系统", "北京市城市管理综合执法局", "normal", "in_cloud", 6),
    ("门户网站", "北京市城市管理综合执法局", "normal", "in_cloud", 4),
    ("水务监测预警平台", "北京市水务局", "important", "in_cloud", 6),
    ("水务协同办公系统", "北京市水务局", "normal", "in_cloud", 4),
]


@transaction.atomic
def seed_reference() -> None:
    first = Contract.objects.get(code="BJCG-ZWY-2025")
    renewal, created = Contract.objects.get_or_create(
        code="BJCG-ZWY-2026",
        defaults={
            "name": first.name + "（续签）",
            "purchaser": first.purchaser,
            "provider": first.provider,
            "start_date": dt.date(2026, 6, 27),
            "end_date": dt.date(2027, 6, 26),
            "previous": first,
        },
    )
    if created:
        ServiceItem.objects.bulk_create(
            ServiceItem(
                contract=renewal,
                seq=i.seq,
                category=i.category,
                sub_category=i.sub_category,
                item=i.item,
                unit=i.unit,
                quantity=i.quantity,
                months=i.months,
            )
            for i in first.items.order_by("seq")
        )

    host_no = 0
    os_cycle = ["open_source", "open_source", "open_source", "windows", "domestic"]
    for s_index, (name, org_name, importance, onboarding, host_count) in enumerate(SYSTEMS):
        org = Organization.objects.get(name=org_name)
        dept = org.departments.order_by("pk").first()
        system, _ = BusinessSystem.objects.get_or_create(
            organization=org,
            name=name,
            defaults={"importance": importance, "onboarding_status": onboarding, "owner_department": dept},
        )
        for h in range(host_count):
            host_no += 1
            Host.objects.get_or_create(
                name=f"bj-gov-{s_index + 1:02d}-{h + 1:02d}",
                defaults={
                    "business_system": system,
                    "vcpu": (4, 8, 16)[h % 3],
                    "memory_gb": (16, 32, 64)[h % 3],
                    "storage_gb": (200, 500, 1000)[h % 3],
                    "os_family": os_cycle[host_no % len(os_cycle)],
                    "ip_address": f"10.{20 + s_index}.{h // 250}.{(h % 250) + 10}",
                    "monitored": True,
                },
            )


# ---------------------------------------------------------------- demo tickets

# kind, severity, system index (SYSTEMS), title, description, channel, extra fields
TICKET_TEMPLATES = [
    ("fault", "P3", 3, "门户网站首页打开缓慢", "上午起门户网站首页加载超过 10 秒，内网外网均如此。", "web", {}),
    ("fault", "P2", 1, "执法办案管理系统登录超时", "多名执法队员反映登录页提交后长时间无响应。", "phone", {}),
    ("fault", "P2", 0, "大数据平台夜间数据同步任务失败", "凌晨 2 点的同步任务报错退出，当日报表缺数。", "email", {}),
    ("fault", "P1", 2, "接诉即办联动处置系统无法访问", "系统整体无法打开，接诉工单无法派发，影响业务。", "phone", {}),
    ("fault", "P3", 0, "云主机磁盘使用率超过 90% 告警", "监控告警：数据盘使用率 92%。", "monitoring", {}),
    ("fault", "P2", 4, "水务监测预警平台数据库主从复制延迟", "从库延迟超过 30 分钟，预警数据展示滞后。", "web", {}),
    ("security", "P2", 3, "WAF 检测到针对门户网站的 SQL 注入攻击", "WAF 拦截日志显示同一来源持续尝试注入。", "monitoring", {}),
    ("security", "P2", 1, "主机杀毒发现可疑木马文件", "杀毒中心报告执法办案系统一台主机发现可疑文件。", "monitoring", {}),
    ("security", "P3", 5, "堡垒机出现异常时段登录", "凌晨 3 点有运维账号登录堡垒机，需核实。", "email", {}),
    ("resource", "P3", 0, "大数据平台计算节点 vCPU 扩容", "月末批量计算压力大，申请 vCPU 由 8 核扩至 16 核。", "web",
     {"resource": "vcpu", "direction": "increase", "amount_before": 8, "amount_after": 16, "host_slot": 1}),
    ("resource", "P3", 1, "执法办案系统应用服务器内存扩容", "应用内存不足频繁 GC，申请内存由 32G 扩至 64G。", "web",
     {"resource": "memory", "direction": "increase", "amount_before": 32, "amount_after": 64, "host_slot": 1}),
    ("resource", "P4", 5, "协同办公系统归档存储缩容", "历史附件已迁移至对象存储，申请存储由 1000G 缩至 500G。", "web",
     {"resource": "storage", "direction": "decrease", "amount_before": 1000, "amount_after": 500, "host_slot": 2}),
    ("resource", "P3", 3, "门户网站互联网带宽临时扩容", "重要活动期间访问量预计翻倍，申请带宽扩容。", "web",
     {"resource": "bandwidth", "direction": "increase"}),
    ("request", "P4", 0, "开通 VPN 远程接入账号", "新入职开发人员需开通 VPN 账号 1 个。", "web", {}),
    ("request", "P4", 3, "门户网站 SSL 证书更新", "证书将于下月到期，请协助更新。", "email", {}),
    ("request", "P4", 4, "申请数据库只读账号", "数据分析需要预警平台数据库只读账号。", "web", {}),
    ("request", "P4", 2, "调整本地备份策略", "联动处置系统数据库备份由每周改为每日。", "web", {}),
]

DEMO_REQUESTERS = {"北京市城市管理综合执法局": ["req1", "appr1"], "北京市水务局": ["req2", "appr2"]}
DEMO_ENGINEERS = ["eng1", "eng2", "eng3", "eng4", "lead"]


def seed_tickets() -> int:
    """About 60 tickets over the past three months, through the services with past times (never after
    now), so clocks, timelines, breaches, ratings and outages look like real history. Idempotent: does
    nothing once demo requesters have tickets. Returns the number of tickets created."""
    import random

    from django.utils import timezone

    from accounts.models import User

    from .models import Ticket
    from .services.notify import ticket_notifications_suppressed

    requesters = [u for names in DEMO_REQUESTERS.values() for u in names]
    if Ticket.objects.filter(requester__username__in=requesters).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=[*DEMO_ENGINEERS, "pm", *requesters])}
    if len(users) < 10:
        return 0  # accounts.demo.seed has not run
    systems = [BusinessSystem.objects.get(name=name) for name, *_ in SYSTEMS]
    rng = random.Random(20261128)  # demo data, reproducible
    now = timezone.now()
    start_day = timezone.localdate(now) - dt.timedelta(days=90)
    created = 0
    day = start_day
    while day < timezone.localdate(now):
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            template = rng.choice(TICKET_TEMPLATES)
            hour = rng.choice((1, 8, 9, 10, 10, 11, 14, 15, 16, 17, 20, 23))
            reported = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.randrange(60))))
            if reported >= now:
                continue
            with transaction.atomic(), ticket_notifications_suppressed():
                _demo_ticket(template=template, reported=reported, now=now, rng=rng, users=users, systems=systems)
            created += 1
        day += dt.timedelta(days=1)
    # A few reports of the last hours, still open: the queues and countdowns have something to show.
    for minutes_ago, template_index, stage in ((12, 3, "new"), (25, 6, "new"), (50, 1, "acknowledged"),
                                               (95, 13, "new"), (170, 10, "in_progress"), (300, 5, "in_progress")):
        with transaction.atomic(), ticket_notifications_suppressed():
            _demo_ticket(template=TICKET_TEMPLATES[template_index], reported=now - dt.timedelta(minutes=minutes_ago),
                         now=now, rng=rng, users=users, systems=systems, stop_at=stage)
        created += 1
    return created


def _demo_ticket(*, template, reported, now, rng, users, systems, stop_at: str | None = None) -> None:
    from decimal import Decimal

    from .services import tickets as svc
    from .services.comments import ticket_comment
    from .services.satisfaction import ticket_rate

    kind, severity, system_index, title, description, channel, extra = template
    system = systems[system_index]
    requester = users[rng.choice(DEMO_REQUESTERS[system.organization.name])]
    engineer = users["eng3"] if kind == "security" else users[rng.choice(DEMO_ENGINEERS)]
    extra = dict(extra)
    host_slot = extra.pop("host_slot", None)
    hosts = list(system.hosts.order_by("pk"))
    fields = {k: Decimal(v) if k.startswith("amount") else v for k, v in extra.items()}
    if host_slot is not None and len(hosts) > host_slot:
        fields["hosts"] = [hosts[host_slot]]
    actor = requester if channel == "web" else engineer
    ticket = svc.ticket_create(
        actor=actor, title=title, description=description, kind=kind, severity=severity, business_system=system,
        channel=channel, requester=requester if actor != requester else None, now=reported, **fields,
    )
    clock = reported

    def step(minutes: float) -> dt.datetime | None:
        nonlocal clock
        clock = clock + dt.timedelta(minutes=minutes)
        return clock if clock < now else None

    # The last few days' tickets stop at a random stage, so queues have open work.
    recent = now - reported < dt.timedelta(days=3)
    if stop_at is None:
        stop_at = rng.choice(("new", "acknowledged", "in_progress", "resolved", "closed")) if recent else "closed"
    if stop_at == "new":
        return
    working_hours = kind == "request"
    if (at := step(rng.choice((2, 4, 5, 6, 8, 9, 12, 18)) if not working_hours else rng.choice((10, 20, 25, 50)))) is None:
        return
    if rng.random() < 0.5:
        svc.ticket_claim(actor=engineer, ticket=ticket, now=at)
    svc.ticket_acknowledge(actor=engineer, ticket=ticket, now=at)
    if stop_at == "acknowledged" or (at := step(rng.choice((1, 2, 3)))) is None:
        return
    svc.ticket_start(actor=engineer, ticket=ticket, now=at)
    if stop_at == "in_progress":
        return
    if kind == "request" and rng.random() < 0.4:
        if (at := step(30)) is None:
            return
        svc.ticket_pend(actor=engineer, ticket=ticket, reason="请提供申请人姓名、手机号及审批单。", now=at)
        if (at := step(rng.choice((60, 240, 900)))) is None:
            return
        ticket_comment(actor=requester, ticket=ticket, body="已补充申请材料，见附件审批单。", now=at)
        svc.ticket_resume(actor=requester, ticket=ticket, note="已补充材料", now=at)
    if kind == "fault":
        if (at := step(rng.choice((4, 6, 8, 10, 12, 25)))) is None:
            return
        svc.ticket_locate(actor=engineer, ticket=ticket, note="已定位原因：" + rng.choice(
            ("应用进程内存泄漏", "数据库连接池耗尽", "负载均衡健康检查配置错误", "磁盘空间写满")), now=at)
    # Mostly within target, sometimes not (a P1 restore is 4 h; other faults are cleared in 30 min).
    resolve_after = {"fault": (3, 5, 6, 8, 10, 40) if severity != "P1" else (30, 90, 150, 280),
                     "security": (60, 90, 120, 150, 200, 300), "resource": (40, 60, 90, 150, 200, 300),
                     "request": (60, 120, 180, 300, 1500)}[kind]
    if (at := step(rng.choice(resolve_after))) is None:
        return
    svc.ticket_resolve(actor=engineer, ticket=ticket, resolution=rng.choice(
        ("已处理完毕，业务恢复正常。", "已按申请完成配置并验证。", "已修复并加强监控。")), now=at)
    if stop_at == "resolved" or (at := step(rng.choice((120, 600, 1500)))) is None:
        return
    if rng.random() < 0.08:
        svc.ticket_reopen(actor=requester, ticket=ticket, reason="问题再次出现", now=at)
        if (at := step(45)) is None:
            return
        svc.ticket_resolve(actor=engineer, ticket=ticket, resolution="彻底修复并验证。", now=at)
        if (at := step(600)) is None:
            return
    svc.ticket_close(actor=requester, ticket=ticket, now=at)
    if rng.random() < 0.7 and (at := step(5)) is not None:
        score = rng.choice((5, 5, 5, 4, 4, 3, 2))
        ticket_rate(actor=requester, ticket=ticket, score=score,
                    comment={5: "响应及时，处理专业。", 4: "处理较快。", 3: "基本满意。", 2: "处理时间太长。"}[score], now=at)
