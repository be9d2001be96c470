"""The ticket ledger (工单台账) of a month: one row per ticket with its times and clock figures, for the
acceptance package's spreadsheet and CSV. Read with one query (clock columns as subqueries), streamed,
through tickets.selectors.reporting."""

from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from tickets.selectors.reporting import ledger_values, ticket_choice_labels

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


# The ledger's three clock column groups, in the header's order (响应, 解决, 恢复).
CLOCKS = ("response", "resolve", "restore")


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def ledger_rows(*, period: Period, scope: Scope) -> Iterator[tuple[Any, ...]]:
    """The ledger's rows in LEDGER_HEADER's order, from tickets.selectors.reporting.ledger_values
    (one query, streamed), with coded values read as their labels."""
    labels = ticket_choice_labels()
    kinds, sev, status = labels["kind"], labels["severity"], labels["status"]
    channels, resources, directions = labels["channel"], labels["resource"], labels["direction"]
    for t in ledger_values(period=period, scope=scope):
        yield (
            t["number"], kinds.get(t["kind"], t["kind"]), sev.get(t["severity"], t["severity"]), status.get(t["status"], t["status"]),
            t["system_name"], t["title"], t["requester_name"] or "", channels.get(t["channel"], t["channel"]),
            _local(t["reported_at"]), _local(t["acknowledged_at"]), _local(t["located_at"]), _local(t["resolved_at"]),
            _local(t["closed_at"]), _local(t["cancelled_at"]), t["assignee_name"] or "",
            *(v for n in CLOCKS for v in (
                t[f"{n}_elapsed_minutes"], t[f"{n}_target_minutes"], _yes_no(t[f"{n}_breached"]))),
            resources.get(t["resource"], ""), directions.get(t["direction"], ""),
            t["amount_before"], t["amount_after"], "是" if t["major_incident"] else "", t["score"],
        )


def _yes_no(value) -> str:
    if value is None:
        return ""
    return "是" if value else "否"
