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

from django.db.models import Case, CharField, Count, Exists, F, FilteredRelation, OuterRef, Q, Sum, Value, When
from django.db.models.functions import TruncDate

from tickets.models import OPEN_STATUSES, BusinessSystem, Contract, Host, ServiceItem
from tickets.selectors.exclusions import exclusion_filter, exclusion_queryset, kpi_ticket_q
from tickets.selectors.sla import sla_due_passed_q

from ..charts import Chart, bar_chart, percent_line_chart
from . import sources
from .kpis import (
    DEFINITIONS,
    KPI_LABELS,
    KpiResult,
    Scope,
    clock_kpi_q,
    counted_clock_q,
    kpis_compute,
    missed_clock_q,
    within_clock_q,
)
from .periods import Period, tz

# Service catalogue rows (序号) a resource adjustment draws on.
RESOURCE_CATALOGUE_SEQ = {"vcpu": [1], "memory": [2], "storage": [3, 4], "bandwidth": [7], "public_ip": [8]}
RESPONSE_BUCKETS = ((0, 5), (5, 10), (10, 15), (15, 30), (30, 60), (60, None))


def report_tickets(*, period: Period, scope: Scope):
    from tickets.models import Ticket

    return Ticket.objects.filter(Q(reported_at__gte=period.start, reported_at__lt=period.end) & scope.ticket_q())


def _exclusions(period: Period, scope: Scope) -> list:
    """Every exclusion of the month (issue 15 item 1), whatever its state: the reviewer sees what was
    asked, what the purchaser confirmed and what it refused; only the confirmed ones moved a figure."""
    return list(
        exclusion_filter(exclusion_queryset(), start=period.start, end=period.end, organization_id=scope.organization_id,
                         business_system_id=scope.business_system_id).order_by("effective_at", "pk")
    )


def monthly_report_data(*, contract: Contract, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Everything the PDF shows, as plain values. The caller adds version and generation metadata."""
    scope = Scope(organization_id=contract.purchaser_id)
    kpis = kpis_compute(period=period, scope=scope, now=now)
    systems = {s.pk: s for s in BusinessSystem.objects.filter(organization_id=contract.purchaser_id).order_by("name")}
    return {
        "contract": contract,
        "period": period,
        "now": now,
        "kpis": kpis,
        "kpi_rows": kpis.rows(),
        "systems_table": _systems_table(kpis, period, scope, now, systems),
        "ticket_summary": _ticket_summary(period, scope),
        "charts": _charts(period, scope, now),
        "resources": _resources(contract, period, scope, now),
        "catalogue": _catalogue(contract),
        "hosts": _host_totals(contract),
        "heavy_protection": sources.heavy_protection_periods(period=period),
        "duty": sources.duty_summary(period=period, now=now),
        "incidents": _incidents(period, scope, now),
        "downtimes": _downtimes(period, scope),
        "exclusions": _exclusions(period, scope),
        "changes": sources.changes_in_period(period=period, organization_id=contract.purchaser_id),
        "satisfaction": _satisfaction(period, scope, kpis),
        "open_issues": _open_issues(period, scope),
        "recommendations": _recommendations(kpis, period, scope, systems),
        "definitions": DEFINITIONS,
        "kpi_labels": KPI_LABELS,
    }


def _systems_table(kpis: KpiResult, period: Period, scope: Scope, now: dt.datetime, systems: dict) -> list[dict]:
    """Per business system: clock shares (one grouped query) and availability (from the KPI result)."""
    from tickets.models import SlaClock

    counted, within = counted_clock_q(now), within_clock_q()
    grouped = (
        SlaClock.objects.filter(
            Q(ticket__reported_at__gte=period.start, ticket__reported_at__lt=period.end)
            & kpi_ticket_q("ticket__")
            & scope.ticket_q("ticket__")
        )
        .values("ticket__business_system_id")
        .annotate(
            **{
                f"{key}_{part}": Count("pk", filter=clock_kpi_q(key) & counted & (within if part == "within" else Q()))
                for key in ("response_time", "resolve_time", "restore_time")
                for part in ("count", "within")
            }
        )
    )
    by_system = {row["ticket__business_system_id"]: row for row in grouped}
    availability = {entry["business_system"]: entry for entry in kpis.figures["availability"]["by_system"]}
    table = []
    for pk, system in systems.items():
        row = by_system.get(pk, {})
        avail = availability.get(pk)
        table.append(
            {
                "system": system,
                "response": (row.get("response_time_within", 0), row.get("response_time_count", 0)),
                "resolve": (row.get("resolve_time_within", 0), row.get("resolve_time_count", 0)),
                "restore": (row.get("restore_time_within", 0), row.get("restore_time_count", 0)),
                "availability": avail["value"] if avail else None,
                "availability_met": avail["met"] if avail else None,
                "downtime_minutes": avail["downtime_minutes"] if avail else None,
            }
        )
    return table


def _ticket_summary(period: Period, scope: Scope) -> dict[str, Any]:
    from tickets.models import Ticket

    rows = report_tickets(period=period, scope=scope).values("kind", "severity", "status").annotate(n=Count("pk"))
    kinds = dict(Ticket.Kind.choices)
    severities = [s for s, _label in Ticket.Severity.choices]
    matrix: dict[str, dict[str, int]] = {k: dict.fromkeys(severities, 0) for k in kinds}
    totals = {"reported": 0, "cancelled": 0, "open": 0, "resolved": 0}
    for row in rows:
        if row["status"] == "cancelled":
            totals["cancelled"] += row["n"]
            continue
        totals["reported"] += row["n"]
        matrix[row["kind"]][row["severity"]] += row["n"]
        if row["status"] in OPEN_STATUSES:
            totals["open"] += row["n"]
        else:
            totals["resolved"] += row["n"]
    return {
        "severities": severities,
        "rows": [{"kind": kinds[k], "counts": [matrix[k][s] for s in severities], "total": sum(matrix[k].values())}
                 for k in kinds],
        "totals": totals,
    }


def _charts(period: Period, scope: Scope, now: dt.datetime) -> list[Chart]:
    from tickets.models import SlaClock

    zone = tz()
    tickets = report_tickets(period=period, scope=scope).filter(kpi_ticket_q())
    per_day = dict(
        tickets.annotate(day=TruncDate("reported_at", tzinfo=zone)).values("day").annotate(n=Count("pk")).values_list("day", "n")
    )
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
    clocks = SlaClock.objects.filter(
        Q(ticket__reported_at__gte=period.start, ticket__reported_at__lt=period.end)
        & kpi_ticket_q("ticket__")
        & scope.ticket_q("ticket__")
        & counted_clock_q(now)
    )
    weekly_rows = (
        clocks.annotate(day=TruncDate("ticket__reported_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"), ok=Count("pk", filter=within_clock_q()))
        .values_list("day", "n", "ok")
    )
    week_n: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for day, n, ok in weekly_rows:
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

    buckets = {}
    for low, high in RESPONSE_BUCKETS:
        q = Q(elapsed_minutes__gte=low) if high is None else Q(elapsed_minutes__gte=low, elapsed_minutes__lt=high)
        buckets[f"b{low}"] = Count("pk", filter=q)
    dist = clocks.filter(clock_kpi_q("response_time"), stopped_at__isnull=False).aggregate(**buckets)
    response = bar_chart(
        title="响应时间分布（故障及安全事件）",
        labels=[f"{low}–{high}" if high else f"≥{low}" for low, high in RESPONSE_BUCKETS],
        values=[dist[f"b{low}"] for low, _high in RESPONSE_BUCKETS],
        highlight=[low >= 15 for low, _high in RESPONSE_BUCKETS],
        y_label="横轴：分钟；纵轴：张",
    )
    return [daily, weekly, response]


def _resources(contract: Contract, period: Period, scope: Scope, now: dt.datetime) -> dict[str, Any]:
    """Every resource adjustment of the month with its resolve clock, and the totals against the
    contracted catalogue."""
    from tickets.models import Ticket

    qs = report_tickets(period=period, scope=scope).filter(kind="resource").filter(kpi_ticket_q())
    sums = qs.exclude(status__in=OPEN_STATUSES).filter(amount_before__isnull=False, amount_after__isnull=False).values(
        "resource", "direction").annotate(delta=Sum(F("amount_after") - F("amount_before")))
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in sums:
        totals[(row["resource"], row["direction"])] += row["delta"] or Decimal(0)
    # One LEFT JOIN to the resolve clock (one per ticket at most: unique ticket + name).
    rows = list(
        qs.annotate(
            rc=FilteredRelation("clocks", condition=Q(clocks__name="resolve")),
            elapsed_minutes=F("rc__elapsed_minutes"),
            state=Case(When(rc__pk__isnull=True, then=Value("none")), default=clock_state(now, "rc__")),
        )
        .order_by("reported_at", "pk")
        .values("number", "business_system__name", "resource", "direction", "amount_before", "amount_after",
                "reported_at", "resolved_at", "elapsed_minutes", "state")
    )
    items = {i.seq: i for i in ServiceItem.objects.filter(contract=contract)}
    labels = dict(Ticket.Resource.choices)
    total_rows = []
    for resource, seqs in RESOURCE_CATALOGUE_SEQ.items():
        inc = totals.get((resource, "increase"), Decimal(0))
        dec = totals.get((resource, "decrease"), Decimal(0))
        if not inc and not dec:
            continue
        catalogue = [items[s] for s in seqs if s in items]
        total_rows.append({
            "resource": labels.get(resource, resource),
            "increase": inc,
            "decrease": dec,
            "net": inc + dec,
            "contracted": " + ".join(f"{i.quantity} {i.unit}" for i in catalogue) or "—",
        })
    return {"rows": rows, "totals": total_rows, "count": len(rows)}


def clock_state(now: dt.datetime, prefix: str = "") -> Case:
    """A clock's state at `now`, in SQL: met, breached, or running. A running clock past its due time
    counts as breached, as in the KPIs. (Computed in the query: a pathological month lists ~11 000
    clocks, whose timestamps would otherwise be loaded only to be compared.)"""
    return Case(
        When(**{f"{prefix}stopped_at__isnull": False, f"{prefix}breached": True}, then=Value("breached")),
        When(**{f"{prefix}stopped_at__isnull": False}, then=Value("met")),
        When(Q(**{f"{prefix}breached": True}) | sla_due_passed_q(now, prefix), then=Value("breached")),
        default=Value("running"),
        output_field=CharField(),
    )


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
    from tickets.models import SlaClock, Ticket

    base = report_tickets(period=period, scope=scope).filter(kind__in=("fault", "security")).filter(kpi_ticket_q())
    # A correlated EXISTS keeps this a semi-join whatever the planner knows about the tables.
    missed = SlaClock.objects.filter(ticket=OuterRef("pk")).filter(missed_clock_q(now))
    listed_q = Q(severity__in=("P1", "P2")) | Q(Exists(missed))
    listed_qs = base.filter(listed_q)
    rows = list(
        listed_qs.order_by("reported_at", "pk").values(
            "pk", "number", "severity", "title", "business_system__name", "reported_at", "acknowledged_at", "located_at",
            "resolved_at",
        )
    )
    clocks: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for ticket_id, name, elapsed, target, state in (
        SlaClock.objects.filter(ticket__in=listed_qs.values("pk"))
        .annotate(state=clock_state(now))
        .order_by("ticket_id", "pk")
        .values_list("ticket_id", "name", "elapsed_minutes", "target_minutes", "state")
    ):
        clocks[ticket_id].append({"name": name, "elapsed_minutes": elapsed, "target_minutes": target, "state": state})
    for row in rows:
        row["clocks"] = clocks.pop(row["pk"], [])
        row["breached"] = any(c["state"] == "breached" for c in row["clocks"])
    rest = (
        base.exclude(listed_q)
        .values("kind", "severity")
        .annotate(n=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES)))
        .order_by("kind", "severity")
    )
    kinds, sev = dict(Ticket.Kind.choices), dict(Ticket.Severity.choices)
    return {
        "rows": rows,
        "total": len(rows),
        "breached": sum(1 for r in rows if r["breached"]),
        "rest": [{"kind": kinds[r["kind"]], "severity": sev[r["severity"]], "n": r["n"], "open": r["open"]} for r in rest],
    }


def _downtimes(period: Period, scope: Scope) -> list:
    from tickets.models import DowntimeRecord

    qs = DowntimeRecord.objects.filter(start__lt=period.end).filter(Q(end__isnull=True) | Q(end__gt=period.start))
    if scope.organization_id is not None:
        qs = qs.filter(business_system__organization_id=scope.organization_id)
    return list(qs.order_by("start", "pk").values("business_system__name", "ticket__number", "start", "end", "planned"))


def _satisfaction(period: Period, scope: Scope, kpis: KpiResult) -> dict[str, Any]:
    from tickets.models import SatisfactionRating

    ratings = SatisfactionRating.objects.filter(ticket__in=report_tickets(period=period, scope=scope).filter(kpi_ticket_q()))
    by_score = dict(ratings.values("score").annotate(n=Count("pk")).values_list("score", "n"))
    low = list(ratings.filter(score__lte=3).order_by("rated_at", "pk").values("ticket__number", "score", "comment", "rated_at"))
    return {"figure": kpis.figures["satisfaction_rate"], "by_score": [(s, by_score.get(s, 0)) for s in range(5, 0, -1)],
            "low": low}


def _open_issues(period: Period, scope: Scope) -> dict[str, Any]:
    """Every ticket reported up to the end of the period and still open."""
    from tickets.models import Ticket

    qs = Ticket.objects.filter(Q(reported_at__lt=period.end, status__in=OPEN_STATUSES) & scope.ticket_q())
    rows = list(
        qs.order_by("reported_at", "pk").values(
            "number", "severity", "business_system__name", "title", "reported_at", "status", "assignee__real_name",
            "assignee__username",
        )
    )
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
                f"业务系统“{name}”本月非计划停机 {entry['downtime_minutes']:.0f} 分钟，建议复核其高可用部署与监控告警策略。"
            )
    from tickets.models import Ticket

    repeated = (
        report_tickets(period=period, scope=scope)
        .filter(kind="resource", direction="increase")
        .filter(kpi_ticket_q())
        .values("business_system_id", "resource")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("-n")
    )
    resource_labels = dict(Ticket.Resource.choices)
    for r in repeated:
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
