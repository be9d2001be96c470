"""The ticket ledger (工单台账) of a month: one row per ticket with its times and clock figures, for the
acceptance package's spreadsheet and CSV. Read with one query (clock columns as subqueries), streamed."""

from collections.abc import Iterator
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from .kpis import Scope
from .periods import Period

LEDGER_HEADER = (
    "编号", "类型", "级别", "状态", "业务系统", "标题", "报障人", "来源渠道", "报告时间", "响应时间", "定位时间",
    "解决时间", "关闭时间", "取消时间", "处理人",
    "响应用时（分钟）", "响应目标（分钟）", "响应超时",
    "解决用时（分钟）", "解决目标（分钟）", "解决超时",
    "恢复用时（分钟）", "恢复目标（分钟）", "恢复超时",
    "资源", "方向", "调整前", "调整后", "重大安全事件", "满意度评分",
)


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def ledger_rows(*, period: Period, scope: Scope) -> Iterator[tuple[Any, ...]]:
    from tickets.models import SlaClock, Ticket

    def clock(name: str, field: str):
        return Subquery(SlaClock.objects.filter(ticket=OuterRef("pk"), name=name).values(field)[:1])

    qs = (
        Ticket.objects.filter(Q(reported_at__gte=period.start, reported_at__lt=period.end) & scope.ticket_q())
        .annotate(
            system_name=F("business_system__name"),
            requester_name=F("requester__real_name"),
            assignee_name=F("assignee__real_name"),
            score=F("satisfaction__score"),
            **{f"{n}_{f}": clock(n, f) for n in ("response", "resolve", "restore")
               for f in ("elapsed_minutes", "target_minutes", "breached")},
        )
        .order_by("reported_at", "pk")
    )
    kinds, sev, status = dict(Ticket.Kind.choices), dict(Ticket.Severity.choices), dict(Ticket.Status.choices)
    channels, resources, directions = dict(Ticket.Channel.choices), dict(Ticket.Resource.choices), dict(Ticket.Direction.choices)
    for t in qs.values(
        "number", "kind", "severity", "status", "system_name", "title", "requester_name", "channel", "reported_at",
        "acknowledged_at", "located_at", "resolved_at", "closed_at", "cancelled_at", "assignee_name",
        "response_elapsed_minutes", "response_target_minutes", "response_breached",
        "resolve_elapsed_minutes", "resolve_target_minutes", "resolve_breached",
        "restore_elapsed_minutes", "restore_target_minutes", "restore_breached",
        "resource", "direction", "amount_before", "amount_after", "major_incident", "score",
    ).iterator(chunk_size=2000):
        yield (
            t["number"], kinds.get(t["kind"], t["kind"]), sev.get(t["severity"], t["severity"]), status.get(t["status"], t["status"]),
            t["system_name"], t["title"], t["requester_name"] or "", channels.get(t["channel"], t["channel"]),
            _local(t["reported_at"]), _local(t["acknowledged_at"]), _local(t["located_at"]), _local(t["resolved_at"]),
            _local(t["closed_at"]), _local(t["cancelled_at"]), t["assignee_name"] or "",
            *(v for n in ("response", "resolve", "restore") for v in (
                t[f"{n}_elapsed_minutes"], t[f"{n}_target_minutes"], _yes_no(t[f"{n}_breached"]))),
            resources.get(t["resource"], ""), directions.get(t["direction"], ""),
            t["amount_before"], t["amount_after"], "是" if t["major_incident"] else "", t["score"],
        )


def _yes_no(value) -> str:
    if value is None:
        return ""
    return "是" if value else "否"
