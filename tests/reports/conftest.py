"""A hand-built October 2026 with the traps of issue 6, built through the tickets services.

Evaluated at 2026-11-05 10:00 (Asia/Shanghai). Tickets of the purchaser's systems `own` and
`own_normal` (both in cloud) plus one system not yet in the cloud:

T1 fault P3   10-05 10:00, ack +10, resolve +25, rated 5; a PLANNED outage on `own` 10-18 02:00–04:00
T2 fault P2   10-10 09:00, ack +20 (miss), resolve +60 (miss), rated 3
T3 fault P1   10-31 23:58 (last day), ack 00:05 (+7), locate 00:20 (+22), resolve 02:58 (+180), rated 4 in
              November; its outage crosses midnight: 2 min in October, 178 in November
T4 fault P3   10-12, cancelled before acknowledgement (excluded)
T5 resource   10-15 10:00 vCPU increase, ack 10:05, pending 10:30–14:30 (pause), resolved 16:00 → 120 min
T6 fault P3   10-20 10:00, ack +5, resolved 10:20, REOPENED 11:00, resolved 12:00 → 80 min (miss)
T7 security   10-25 08:00 P2, never acknowledged (past due → miss), proposed major by the PM, confirmed by the approver
T8 fault P4   11-05 09:55, not yet acknowledged (running within target → left out of November)
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")
EVAL_AT = dt.datetime(2026, 11, 5, 10, 0, tzinfo=SH)


@pytest.fixture
def contract(purchaser):
    """The seeded contract ends 2026-06-26; its renewal covers the hand-built October."""
    from tickets.models import Contract

    first = Contract.objects.get(purchaser=purchaser)
    return Contract.objects.create(
        name=first.name, code="BJCG-ZWY-2026", purchaser=purchaser, provider=first.provider,
        start_date=dt.date(2026, 6, 27), end_date=dt.date(2027, 6, 26), previous=first,
    )


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def october(users, systems, purchaser):
    from tickets.models import BusinessSystem
    from tickets.services.downtime import downtime_record_create
    from tickets.services.exclusions import exclusion_decide, ticket_cancel, ticket_mark_major
    from tickets.services.satisfaction import ticket_rate
    from tickets.services.tickets import (
        ticket_acknowledge,
        ticket_create,
        ticket_locate,
        ticket_pend,
        ticket_reopen,
        ticket_resolve,
        ticket_resume,
    )

    req, eng, pm = users["requester"], users["engineer"], users["project_manager"]
    own, own_normal = systems["own"], systems["own_normal"]
    legacy = BusinessSystem.objects.create(name="待迁移档案系统", organization=purchaser, onboarding_status="not_yet")

    def fault(title, when, severity="P3", system=own, kind="fault"):
        return ticket_create(actor=req, title=title, kind=kind, severity=severity, business_system=system, now=when)

    t1 = fault("门户访问慢", at(10, 5, 10))
    ticket_acknowledge(actor=eng, ticket=t1, now=at(10, 5, 10, 10))
    ticket_resolve(actor=eng, ticket=t1, resolution="扩容负载均衡", now=at(10, 5, 10, 25))
    ticket_rate(actor=req, ticket=t1, score=5, now=at(10, 6, 9))
    # Claimed as planned, but no approved change behind it: it counts until the purchaser confirms (8.2.8).
    downtime_record_create(actor=eng, ticket=t1, start=at(10, 18, 2), end=at(10, 18, 4), planned=True,
                           reason="计划内维护窗口", now=at(10, 18, 5))

    t2 = fault("数据库连接失败", at(10, 10, 9), severity="P2", system=own_normal)
    ticket_acknowledge(actor=eng, ticket=t2, now=at(10, 10, 9, 20))
    ticket_resolve(actor=eng, ticket=t2, resolution="重启连接池", now=at(10, 10, 10))
    ticket_rate(actor=req, ticket=t2, score=3, comment="处理偏慢", now=at(10, 11, 9))

    t3 = fault("大数据平台宕机", at(10, 31, 23, 58), severity="P1")
    ticket_acknowledge(actor=eng, ticket=t3, now=at(11, 1, 0, 5))
    ticket_locate(actor=eng, ticket=t3, now=at(11, 1, 0, 20))
    ticket_resolve(actor=eng, ticket=t3, resolution="更换故障存储节点", now=at(11, 1, 2, 58))
    ticket_rate(actor=req, ticket=t3, score=4, now=at(11, 2, 9))

    t4 = fault("误报", at(10, 12, 8))
    ticket_cancel(actor=req, ticket=t4, reason="重复提交", now=at(10, 12, 8, 3))

    t5 = ticket_create(actor=eng, title="vCPU 扩容", kind="resource", severity="P3", business_system=own,
                       resource="vcpu", direction="increase", amount_before=Decimal(8), amount_after=Decimal(16),
                       now=at(10, 15, 10))
    ticket_acknowledge(actor=eng, ticket=t5, now=at(10, 15, 10, 5))
    ticket_pend(actor=eng, ticket=t5, reason="等待用户确认停机时间", now=at(10, 15, 10, 30))
    ticket_resume(actor=req, ticket=t5, now=at(10, 15, 14, 30))
    ticket_resolve(actor=eng, ticket=t5, resolution="已扩容", now=at(10, 15, 16))

    t6 = fault("报表导出失败", at(10, 20, 10))
    ticket_acknowledge(actor=eng, ticket=t6, now=at(10, 20, 10, 5))
    ticket_resolve(actor=eng, ticket=t6, resolution="修复导出配置", now=at(10, 20, 10, 20))
    ticket_reopen(actor=req, ticket=t6, reason="仍然失败", now=at(10, 20, 11))
    ticket_resolve(actor=eng, ticket=t6, resolution="更新导出模板", now=at(10, 20, 12))

    t7 = fault("疑似入侵", at(10, 25, 8), severity="P2", kind="security")
    proposal = ticket_mark_major(actor=pm, ticket=t7, reason="造成数据泄露风险", now=at(10, 25, 9))
    exclusion_decide(actor=users["approver"], exclusion=proposal, action="confirm", now=at(10, 25, 10))

    t8 = fault("小问题", at(11, 5, 9, 55), severity="P4")
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5, "t6": t6, "t7": t7, "t8": t8, "legacy": legacy,
            "own": own, "own_normal": own_normal}
