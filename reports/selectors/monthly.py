"""The data of the monthly operations report (运维月报, clause 8.2.9), gathered with a bounded number of
queries whatever the number of tickets: aggregates for totals and charts, lists only where the contract
wants every row (P1/P2 and breached tickets, resource adjustments, open tickets, downtime, low ratings,
changes). The full ticket ledger goes to the spreadsheet of the acceptance package
(reports.selectors.ledger), not to the PDF.

The lists hold every row of the month, as plain dicts of the columns shown (`.values()`, no model
instances): a pathological month lists thousands of tickets, and the PDF needs only their text.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from monitoring.selectors.utilisation import utilisation_month
from routine.selectors.report import routine_month
from tickets.models.reference import BusinessSystem, Contract, Host, ServiceItem
from tickets.selectors import reporting as tickets_reporting
from tickets.selectors.exclusions import exclusion_filter, exclusion_queryset

from ..charts import Chart, bar_chart, percent_line_chart
from ..templatetags.reports_format import outage_minutes
from . import sources
from .kpis import KPI_LABELS, KpiResult, Scope, kpi_definitions, kpis_compute
from .periods import Period, tz

# Service catalogue rows (序号) a resource adjustment draws on.
RESOURCE_CATALOGUE_SEQ = {"vcpu": [1], "memory": [2], "storage": [3, 4], "bandwidth": [7], "public_ip": [8]}
RESPONSE_BUCKETS = ((0, 5), (5, 10), (10, 15), (15, 30), (30, 60), (60, None))


def _exclusions(period: Period, scope: Scope) -> list:
    """Every exclusion of the month (issue 15 item 1), whatever its state: the reviewer sees what was
    asked, what the purchaser confirmed and what it refused; only the confirmed ones moved a figure."""
    return list(
        exclusion_filter(exclusion_queryset(), start=period.start, end=period.end, organization_id=scope.organization_id,
                         business_system_id=scope.business_system_id).order_by("effective_at", "pk")
    )


def _report_basis(*, contract: Contract, period: Period, now: dt.datetime,
                  by_month: bool = False) -> tuple[Scope, KpiResult, dict[int, BusinessSystem]]:
    """What every report over a period starts from: the purchaser's scope, the KPIs over the period (and over
    each of its months with `by_month`), and the purchaser's business systems by pk, in name order."""
    scope = Scope(organization_id=contract.purchaser_id)
    kpis = kpis_compute(period=period, scope=scope, now=now, by_month=by_month)
    systems = {s.pk: s for s in BusinessSystem.objects.filter(organization_id=contract.purchaser_id).order_by("name")}
    return scope, kpis, systems


def _sections_alike(*, contract: Contract, period: Period, now: dt.datetime, scope: Scope, kpis: KpiResult,
                    systems: dict[int, BusinessSystem]) -> dict[str, Any]:
    """What the monthly and the period reports show alike: the contract and period, the KPI table and its
    definitions, the per-system table, the exclusion ledger and the changes."""
    return {
        "contract": contract,
        "period": period,
        "now": now,
        "kpis": kpis,
        "kpi_rows": kpis.rows(),
        "systems_table": _systems_table(kpis, period, scope, now, systems),
        "exclusions": _exclusions(period, scope),
        "changes": sources.changes_in_period(period=period, organization_id=contract.purchaser_id),
        "definitions": kpi_definitions(kpis),
        "kpi_labels": KPI_LABELS,
    }


def monthly_report_data(*, contract: Contract, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Clause 8.2.9 (the monthly operations report): everything the PDF shows, as plain values. The caller
    adds version and generation metadata."""
    scope, kpis, systems = _report_basis(contract=contract, period=period, now=now)
    return {
        **_sections_alike(contract=contract, period=period, now=now, scope=scope, kpis=kpis, systems=systems),
        "ticket_summary": _ticket_summary(period, scope),
        "charts": _charts(period, scope, now, kpis),
        "resources": _resources(contract, period, scope, now),
        "catalogue": _catalogue(contract),
        "hosts": _host_totals(contract),
        "utilisation": utilisation_month(organization_id=contract.purchaser_id, first=period.first_day, last=period.last_day),
        "heavy_protection": sources.heavy_protection_periods(period=period),
        "duty": sources.duty_summary(period=period, now=now),
        "routine": routine_month(organization_id=contract.purchaser_id, first=period.first_day, last=period.last_day,
                                 today=now.astimezone(tz()).date()),
        "incidents": _incidents(period, scope, now),
        "downtimes": _downtimes(period, scope, now),
        "off_contract_targets": tickets_reporting.clocks_off_contract_target(period=period, scope=scope),
        "satisfaction": _satisfaction(period, scope, kpis),
        "open_issues": _open_issues(period, scope),
        "recommendations": _recommendations(kpis, period, scope, systems),
    }


def _systems_table(kpis: KpiResult, period: Period, scope: Scope, now: dt.datetime, systems: dict) -> list[dict]:
    """Per business system: clock shares (one grouped query) and availability (from the KPI result)."""
    keys = ("response_time", "resolve_time", "restore_time")
    by_system = tickets_reporting.clock_shares_by_system(period=period, scope=scope, now=now, keys=keys)
    availability = {entry["business_system"]: entry for entry in kpis.figures["availability"]["by_system"]}
    table = []
    for pk, system in systems.items():
        row = by_system.get(pk, {})
        avail = availability.get(pk)
        table.append(
            {
                "system": system,
                "response": row.get("response_time", (0, 0)),
                "resolve": row.get("resolve_time", (0, 0)),
                "restore": row.get("restore_time", (0, 0)),
                "availability": avail["value"] if avail else None,
                "availability_met": avail["met"] if avail else None,
                "downtime_minutes": avail["downtime_minutes"] if avail else None,
                # Planned under an approved change, or claimed and confirmed by the purchaser (counted once).
                "excluded_minutes": avail["excluded_minutes"] if avail else None,
            }
        )
    return table


def _ticket_summary(period: Period, scope: Scope) -> dict[str, Any]:
    return tickets_reporting.ticket_summary(period=period, scope=scope)


def _charts(period: Period, scope: Scope, now: dt.datetime, kpis: KpiResult) -> list[Chart]:
    zone = tz()
    per_day = tickets_reporting.ticket_counts_by_day(period=period, scope=scope, zone=zone)
    days = period.days()
    daily = bar_chart(
        title="每日工单量",
        labels=[f"{d.day}" for d in days],
        values=[per_day.get(d, 0) for d in days],
        y_label="单位：张（按报告日期）",
        label_every=1 if len(days) <= 31 else 7,
    )

    # SLA compliance by week: weeks are Monday-based and clipped to the period (第 1 周 starts on the 1st).
    week_starts = sorted({period.first_day} | {d for d in days if d.weekday() == 0})
    week_n: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for day, n, ok in tickets_reporting.clock_compliance_by_day(period=period, scope=scope, now=now, zone=zone):
        index = max(i for i, start in enumerate(week_starts) if start <= day)
        week_n[index][0] += n
        week_n[index][1] += ok
    labels, values = [], []
    for i, start in enumerate(week_starts):
        end = (week_starts[i + 1] - dt.timedelta(days=1)) if i + 1 < len(week_starts) else period.last_day
        labels.append(f"{start:%m.%d}–{end:%m.%d}")
        n, ok = week_n.get(i, [0, 0])
        values.append(ok / n if n else None)
    weekly = percent_line_chart(title="各周 SLA 达标率（全部计时）", labels=labels, values=values, target=1.0)

    target = kpis.figures["response_time"]["target_minutes"]
    counts = tickets_reporting.clock_response_distribution(period=period, scope=scope, now=now, buckets=RESPONSE_BUCKETS)
    response = bar_chart(
        title="响应时间分布（故障及安全事件）",
        labels=[f"{low}–{high}" if high else f"≥{low}" for low, high in RESPONSE_BUCKETS],
        values=counts,
        highlight=[low >= target for low, _high in RESPONSE_BUCKETS],
        y_label="横轴：分钟；纵轴：张",
    )
    return [daily, weekly, response]


def _resources(contract: Contract, period: Period, scope: Scope, now: dt.datetime) -> dict[str, Any]:
    """Every resource adjustment of the month with its resolve clock, and the totals against the
    contracted catalogue."""
    found = tickets_reporting.resource_adjustments(period=period, scope=scope, now=now)
    totals, rows = found["totals"], found["rows"]
    items = {i.seq: i for i in ServiceItem.objects.filter(contract=contract)}
    labels = tickets_reporting.ticket_choice_labels()["resource"]
    total_rows = []
    for resource, seqs in RESOURCE_CATALOGUE_SEQ.items():
        inc = totals.get((resource, found["increase"]), Decimal(0))
        dec = totals.get((resource, found["decrease"]), Decimal(0))
        if not inc and not dec:
            continue
        catalogue = [items[s] for s in seqs if s in items]
        total_rows.append({
            "resource": labels.get(resource, resource),
            "increase": inc,
            "decrease": dec,
            "net": inc + dec,
            "contracted": " + ".join(i.quantity_text for i in catalogue) or "—",
        })
    return {"rows": rows, "totals": total_rows, "count": len(rows)}


def _catalogue(contract: Contract) -> list[ServiceItem]:
    return list(ServiceItem.objects.filter(contract=contract).order_by("seq"))


def _host_totals(contract: Contract) -> dict[str, Any]:
    hosts = Host.objects.filter(business_system__organization_id=contract.purchaser_id)
    totals = hosts.aggregate(n=Count("pk"), vcpu=Sum("vcpu"), memory=Sum("memory_gb"), storage=Sum("storage_gb"),
                             monitored=Count("pk", filter=Q(monitored=True)))
    by_os = dict(hosts.values("os_family").annotate(n=Count("pk")).values_list("os_family", "n"))
    items = {i.seq: i.quantity for i in ServiceItem.objects.filter(contract=contract)}
    return {
        "count": totals["n"], "vcpu": totals["vcpu"] or 0, "memory": totals["memory"] or 0, "storage": totals["storage"] or 0,
        "monitored": totals["monitored"],
        "rows": [
            ("vCPU（个）", totals["vcpu"] or 0, items.get(1)),
            ("内存（GB）", totals["memory"] or 0, items.get(2)),
            ("块存储（GB，普通 + 高性能）", totals["storage"] or 0, (items.get(3) or 0) + (items.get(4) or 0) or None),
            ("Windows Server（套）", by_os.get("windows", 0), items.get(13)),
            ("开源操作系统（套）", by_os.get("open_source", 0), items.get(14)),
            ("国产操作系统（套）", by_os.get("domestic", 0), items.get(15)),
            ("深度监控主机（台）", totals["monitored"], items.get(21)),
        ],
    }


def _incidents(period: Period, scope: Scope, now: dt.datetime) -> dict[str, Any]:
    """Every P1/P2 and every breached fault or security incident, with its times and clocks; the rest
    summarised. Three queries whatever the number of tickets."""
    return tickets_reporting.incidents_listed(period=period, scope=scope, now=now)


def _downtimes(period: Period, scope: Scope, now: dt.datetime) -> list:
    return tickets_reporting.downtime_records_in(period=period, organization_id=scope.organization_id, now=now)


def _satisfaction(period: Period, scope: Scope, kpis: KpiResult) -> dict[str, Any]:
    return {"figure": kpis.figures["satisfaction_rate"], **tickets_reporting.rating_summary(period=period, scope=scope)}


def _open_issues(period: Period, scope: Scope) -> dict[str, Any]:
    """Every ticket reported up to the end of the period and still open."""
    rows = tickets_reporting.tickets_open_at(end=period.end, scope=scope)
    return {"count": len(rows), "rows": rows}


def _recommendations(kpis: KpiResult, period: Period, scope: Scope, systems: dict) -> list[str]:
    """Findings drawn from the figures themselves (8.1.9); each names the figure behind it."""
    out: list[str] = []
    for row in kpis.rows():
        if row["met"] is False:
            out.append(f"{row['label']}未达标（{_fmt_value(row)}），请在下月跟踪整改，并在下期月报中说明原因及措施。")
    for entry in kpis.figures["availability"]["by_system"]:
        if entry["downtime_minutes"]:
            name = systems.get(entry["business_system"])
            out.append(
                f"业务系统“{name}”本月非计划停机 {outage_minutes(entry['downtime_minutes'])}，建议复核其高可用部署与监控告警策略。"
            )
    resource_labels = tickets_reporting.ticket_choice_labels()["resource"]
    for r in tickets_reporting.resource_increases_repeated(period=period, scope=scope):
        name = systems.get(r["business_system_id"], "")
        out.append(
            f"业务系统“{name}”本月 {r['n']} 次申请{resource_labels.get(r['resource'], r['resource'])}扩容，"
            "资源可能长期不足，建议评估容量规划或弹性扩缩容（8.1.9）。"
        )
    not_in_cloud = [s for s in systems.values() if s.onboarding_status != BusinessSystem.Onboarding.IN_CLOUD]
    for s in not_in_cloud:
        out.append(f"业务系统“{s}”尚未完成入云（{s.get_onboarding_status_display()}），建议制定迁移计划。")
    return out


def _fmt_value(row: dict) -> str:
    value = row.get("value")
    if value is None:
        return "无数据"
    if row["key"] == "major_incidents":
        return f"{value} 次"
    return f"{value * 100:.2f}%"
