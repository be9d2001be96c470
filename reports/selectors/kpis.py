"""The contract's KPIs (验收 1, 8.2.12, 1.1/2.1) — the ONE definition used by the API, the dashboard,
the monthly report PDF and its appendix (DEFINITIONS below is printed there verbatim).

Rules (issue 6):
- Tickets of a period are those whose reported_at lies in it (Asia/Shanghai); a ticket leaves the
  figures only through a confirmed exclusion (tickets.selectors.exclusions.kpi_ticket_q); ratings count
  in the period of their ticket. Met means strictly less than the target (tickets.selectors.sla.sla_met).
- Figures are evaluated at `now`: a clock counts once it has stopped or breached, even if that
  happened after the period; a running clock past its due time counts as a miss; a clock still
  running within its target is left out until it stops.
- Values are unrounded fractions (rounding is for display); p90 by nearest rank.
- Availability: unplanned downtime only. Planned maintenance is what changes.selectors
  (planned_minutes_by_system, 8.2.8) says: inside an approved, completed change's window, up to its
  expected interruption; nothing stored on the downtime records counts (a provider's claim waits for
  the purchaser). Outages crossing a period boundary are split; an ongoing outage counts up to `now`.

Everything is aggregated in the database: one query for all SLA clocks (conditional aggregates), one
per percentile (a single row at the nearest-rank offset), one for the ratings, one for major
incidents, one for the systems. Downtime intervals are clipped to the period in SQL and then merged
per system in Python, because overlapping outages of one system must not be counted twice and an
interval union is not a SUM.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Avg, Count, F, Max, Min, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from changes.selectors import planned_minutes_by_system
from tickets.models import BusinessSystem
from tickets.selectors.downtime import downtime_intervals_by_system, intervals_minutes
from tickets.selectors.exclusions import kpi_ticket_q, tickets_reopened_count
from tickets.selectors.sla import (
    clock_counted_q,
    clock_responded_q,
    clock_stopped_by_cancel_q,
    clock_within_q,
    sla_due_passed_q,
)

from .periods import Period

# Contract targets (验收 1; 8.2.12; 1.1, 2.1).
RESPONSE_TARGET_MINUTES = 15
RESOLVE_TARGET_MINUTES = 30
RESTORE_TARGET_MINUTES = 240
RESOURCE_TARGET_MINUTES = 240
RESOURCE_STORAGE_DECREASE_TARGET_MINUTES = 480
AVAILABILITY_TARGET = 0.9999
SATISFACTION_TARGET = 0.95
RESPONSE_RATE_TARGET = 1.0
ONBOARDING_TARGET = 1.0
MAJOR_INCIDENTS_TARGET = 0

KPI_KEYS = (
    "response_rate",
    "response_time",
    "resolve_time",
    "restore_time",
    "resource_on_time",
    "availability",
    "major_incidents",
    "onboarding_rate",
    "satisfaction_rate",
    "reopened",
)

KPI_LABELS = {
    "response_rate": _("故障及安全事件响应率"),
    "response_time": _("故障及安全事件响应时间（< 15 分钟）"),
    "resolve_time": _("故障定位排除时间（< 30 分钟）"),
    "restore_time": _("系统宕机恢复时间（P1，< 4 小时）"),
    "resource_on_time": _("资源调整按时完成率（4 小时；存储缩容 8 小时）"),
    "availability": _("云服务可用性（每个业务系统 ≥ 99.99%）"),
    "major_incidents": _("重大责任安全事件（次）"),
    "onboarding_rate": _("业务系统入云率"),
    "satisfaction_rate": _("使用人员满意度（≥ 95%）"),
    "reopened": _("解决后被重新打开的故障及安全事件（张）"),
}

DEFINITIONS = (
    (_("统计口径"), _(
        "按工单报告时间（reported_at，北京时间）归属月份。指标在生成时计算："
        "计时器已停止或已超时即计入（即使停止发生在次月）；仍在计时且已到期限的视为未达标；"
        "仍在计时且未到期限的暂不计入，待其停止后计入。比例不做舍入（显示时保留两位小数）；"
        "P90 采用最近秩法（将 n 个时长升序排列，取第 ⌈0.9n⌉ 个）。"
    )),
    (_("达标的含义"), _(
        "计时达标 = 耗时严格小于目标，精确到秒（验收 1(4)(5)“小于”）：响应 14 分 59 秒达标，15 分 00 秒不达标。"
        "接口、页面徽标与本报告使用同一判定。"
    )),
    (_("指标排除须经采购人确认"), _(
        "取消、重复合并、计划维护或不可抗力、合同时钟暂停、降级等使工单、时钟或停机分钟数不计入指标的操作，"
        "均记入指标排除台账。服务商提出的排除须经采购人审批人确认后才计入；待确认、已驳回、有异议或已撤回的，"
        "指标按未排除计算。采购人本单位人员对本单位工单的操作（如报障人撤销自己的报障）即时生效。"
        "未经确认而被取消的工单仍然计入，其因取消而停止的计时视为未达标。"
    )),
    (_("重新打开不抵扣时间"), _(
        "已解决的故障或安全事件被重新打开后，解决（及恢复）计时从原起点继续，处于“已解决”状态的时间照常计入；"
        "重新打开时已超过期限的即为未达标。报告列出本期被重新打开的工单数。"
    )),
    (KPI_LABELS["response_rate"], _(
        "已响应（响应计时在响应时停止）的故障及安全事件数 ÷ 计入的故障及安全事件数。目标 100%。"
    )),
    (KPI_LABELS["response_time"], _(
        "故障及安全事件的响应计时（7×24，暂停时间不计）。达标 = 计时停止且耗时小于 15 分钟。"
        "平均、P90、最大值只统计已停止的计时。目标：全部小于 15 分钟。"
    )),
    (KPI_LABELS["resolve_time"], _("故障工单的定位排除计时，口径同上，目标小于 30 分钟。")),
    (KPI_LABELS["restore_time"], _("P1（系统宕机）工单的恢复计时，口径同上，目标小于 4 小时。")),
    (KPI_LABELS["resource_on_time"], _(
        "资源调整工单的完成计时按时完成数 ÷ 计入数；vCPU、内存、存储扩容 4 小时，存储缩容 8 小时，"
        "重保期间按重保时限。"
    )),
    (KPI_LABELS["availability"], _(
        "逐个业务系统计算：1 − 当月非计划宕机分钟数 ÷ 当月分钟数；每个已入云业务系统均不低于 99.99% 才判定达标，"
        "结果列示最低的系统值；总体（合并口径）1 − Σ非计划宕机分钟数 ÷（当月分钟数 × 已入云系统数）仅作参考。"
        "计划内维护只认已批准并实施完成的变更：仅扣除其批准的计划时间窗口内、且不超过其预计中断分钟数的宕机；"
        "窗口外或超出预计中断时长的部分（超时，哪怕一分钟）计为非计划宕机；变更被事后驳回或取消的，其分钟数随即计回；"
        "未关联变更的计划停机申报须采购人确认，确认前照常计入；跨月的宕机按月拆分；"
        "同一系统重叠的宕机记录只计一次；尚未结束的宕机计至统计时刻；当月未结束时分母取已过去的分钟数。目标 99.99%。"
    )),
    (KPI_LABELS["major_incidents"], _("项目经理标记为重大并注明原因的安全事件数。目标 0 次（全年）。")),
    (KPI_LABELS["onboarding_rate"], _("已入云业务系统数 ÷ 业务系统总数（按统计时刻的登记状态）。目标 100%。")),
    (KPI_LABELS["satisfaction_rate"], _(
        "评分为 4 或 5 的满意度评价数 ÷ 全部评价数（评价归属其工单的月份），并给出评价数。目标 95%。"
    )),
    (KPI_LABELS["reopened"], _("本期报告、解决后又被重新打开过的故障及安全事件张数（不设目标，供复核）。")),
)


@dataclass(frozen=True)
class Scope:
    """Whose figures: one purchaser organisation (tenant id) or all; optionally one business system."""

    organization_id: int | None = None
    business_system_id: int | None = None

    def ticket_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.organization_id is not None:
            q &= Q(**{f"{prefix}organization_id": self.organization_id})
        if self.business_system_id is not None:
            q &= Q(**{f"{prefix}business_system_id": self.business_system_id})
        return q

    def systems(self) -> QuerySet[BusinessSystem]:
        qs = BusinessSystem.objects.all()
        if self.organization_id is not None:
            qs = qs.filter(organization_id=self.organization_id)
        if self.business_system_id is not None:
            qs = qs.filter(pk=self.business_system_id)
        return qs


@dataclass
class KpiResult:
    period: Period
    scope: Scope
    now: dt.datetime
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[str, dict[str, str]] = field(default_factory=dict)
    ticket_id_bounds: tuple[int, int] | None = None

    def as_api(self) -> dict[str, dict[str, Any]]:
        return {key: self.figures[key] for key in KPI_KEYS}

    def rows(self) -> list[dict[str, Any]]:
        """The KPI table for pages and the PDF, in contract order."""
        return [
            {"key": key, "label": KPI_LABELS[key], **self.figures[key], "links": self.links.get(key, {})}
            for key in KPI_KEYS
        ]


def nearest_rank(sorted_values: list[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return float(sorted_values[rank - 1])


def _share(within: int, count: int, target: float) -> dict[str, Any]:
    value = within / count if count else None
    return {"value": value, "target": target, "met": None if value is None else value >= target,
            "count": count, "within_target": within}


def _ticket_id_bounds(period: Period) -> tuple[int, int] | None:
    """The lowest and highest id of the tickets reported in the period (None: there are none).

    Only a hint for the planner: the clocks are filtered on their ticket's report time as before, and
    every ticket of the period has its id within these bounds, so the answer is the same. Without it
    PostgreSQL scanned every clock of every year to join a month's tickets (0.6 s at 1M tickets); with
    it, the clock index reads the month's range (0.1 s)."""
    from tickets.models import Ticket

    # `id + 0`: a bare MIN(id) lets PostgreSQL walk the primary key from one end until a row of the month
    # turns up (0.4 s at 1M tickets); the expression makes it read the month's rows by report time.
    bounds = Ticket.objects.filter(reported_at__gte=period.start, reported_at__lt=period.end).aggregate(
        lo=Min(F("pk") + 0), hi=Max(F("pk") + 0))
    return None if bounds["lo"] is None else (bounds["lo"], bounds["hi"])


def _clocks_queryset(period: Period, scope: Scope, bounds: tuple[int, int] | None):
    from tickets.models import SlaClock

    if bounds is None:
        return SlaClock.objects.none()
    return SlaClock.objects.filter(
        Q(ticket_id__gte=bounds[0], ticket_id__lte=bounds[1])
        & Q(ticket__reported_at__gte=period.start, ticket__reported_at__lt=period.end)
        & kpi_ticket_q("ticket__")
        & scope.ticket_q("ticket__")
    )


def missed_clock_q(now: dt.datetime) -> Q:
    """A clock that has missed its target at `now`: breached, or still running past its due time."""
    return Q(breached=True) | (Q(stopped_at__isnull=True) & sla_due_passed_q(now)) | clock_stopped_by_cancel_q()


def missed_clocks(*, period: Period, scope: Scope, now: dt.datetime, bounds=None) -> QuerySet:
    """The period's clocks (tickets reported in it, not cancelled) that have missed their target at
    `now`: breached, or still running past their due time. Pass `KpiResult.ticket_id_bounds` to save
    a query."""
    if bounds is None:
        bounds = _ticket_id_bounds(period)
    return _clocks_queryset(period, scope, bounds).filter(missed_clock_q(now))


def counted_clock_q(now: dt.datetime) -> Q:
    """Clocks that count at `now` (tickets.selectors.sla: stopped, breached, or running past due)."""
    return clock_counted_q(now)


def within_clock_q() -> Q:
    return clock_within_q()


# (kpi key, clock name, ticket kinds, extra ticket filter)
CLOCK_KPIS: tuple[tuple[str, str, tuple[str, ...], Q], ...] = (
    ("response_time", "response", ("fault", "security"), Q()),
    ("resolve_time", "resolve", ("fault",), Q()),
    ("restore_time", "restore", ("fault", "security"), Q(ticket__severity="P1")),
    ("resource_on_time", "resolve", ("resource",), Q()),
)
CLOCK_TARGET_MINUTES = {
    "response_time": RESPONSE_TARGET_MINUTES,
    "resolve_time": RESOLVE_TARGET_MINUTES,
    "restore_time": RESTORE_TARGET_MINUTES,
    "resource_on_time": RESOURCE_TARGET_MINUTES,
}


def clock_kpi_q(key: str) -> Q:
    for k, name, kinds, extra in CLOCK_KPIS:
        if k == key:
            return Q(name=name, ticket__kind__in=kinds) & extra
    raise KeyError(key)


def _clock_aggregates(period: Period, scope: Scope, now: dt.datetime, bounds) -> dict[str, Any]:
    counted = counted_clock_q(now)
    within = within_clock_q()
    stopped = clock_responded_q()
    aggregates: dict[str, Any] = {}
    for key, *_rest in CLOCK_KPIS:
        base = clock_kpi_q(key)
        aggregates[f"{key}__count"] = Count("pk", filter=base & counted)
        aggregates[f"{key}__stopped"] = Count("pk", filter=base & stopped)
        aggregates[f"{key}__within"] = Count("pk", filter=base & counted & within)
        aggregates[f"{key}__mean"] = Avg("elapsed_minutes", filter=base & stopped)
        aggregates[f"{key}__max"] = Max("elapsed_minutes", filter=base & stopped)
    return _clocks_queryset(period, scope, bounds).aggregate(**aggregates)


def _p90(period: Period, scope: Scope, key: str, stopped_count: int, bounds) -> float | None:
    """Nearest-rank p90 of the stopped clocks' elapsed minutes: one row fetched at offset ⌈0.9n⌉−1."""
    if not stopped_count:
        return None
    rank = max(1, math.ceil(0.9 * stopped_count))
    row = (
        _clocks_queryset(period, scope, bounds)
        .filter(clock_kpi_q(key) & clock_responded_q())
        .order_by("elapsed_minutes")
        .values_list("elapsed_minutes", flat=True)[rank - 1 : rank]
    )
    values = list(row)
    return float(values[0]) if values else None


def _downtime_by_system(period: Period, scope: Scope, now: dt.datetime, system_ids: list[int]) -> dict[int, float]:
    """Unplanned downtime minutes per system in the period (up to now): every outage (merged per
    system, tickets.selectors.downtime) less the planned-maintenance minutes of the one rule
    (changes.selectors.planned_minutes_by_system, 8.2.8). One query, two more when a system of the
    scope had downtime and an approved, completed change's window in the period."""
    if not system_ids:
        return {}
    total = {
        system_id: intervals_minutes(spans)
        for system_id, spans in downtime_intervals_by_system(
            business_system_ids=system_ids, start=period.start, end=period.end, now=now
        ).items()
    }
    if not total:
        return {}
    planned = planned_minutes_by_system(start=period.start, end=period.end, now=now, business_system_ids=list(total))
    return {system_id: max(0.0, minutes - planned.get(system_id, 0.0)) for system_id, minutes in total.items()}


def ticket_list_url(**filters: Any) -> str:
    """A link to the tickets page filtered to the tickets behind a figure."""
    try:
        base = reverse("ticket-list")
    except NoReverseMatch:
        base = "/tickets/"
    pairs: list[tuple[str, str]] = []
    for key, value in filters.items():
        if value is None:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append((key, str(item)))
    return f"{base}?{urlencode(pairs)}"


def _links(period: Period, scope: Scope) -> dict[str, dict[str, str]]:
    """Links to the ticket list (tickets.forms.TicketFilterForm / tickets.selectors.tickets.ticket_filter)
    listing exactly the tickets behind each figure: same month (local dates), scope, cancelled left
    out, and the same clock conditions (tickets.selectors.sla.clock_state_q)."""
    common = {
        "reported_from": period.first_day.isoformat(),
        "reported_to": period.last_day.isoformat(),
        "organization": scope.organization_id,
        "business_system": scope.business_system_id,
        "exclude_cancelled": 1,
    }
    links: dict[str, dict[str, str]] = {}
    for key, name, kinds, _extra in CLOCK_KPIS:
        severity = "P1" if key == "restore_time" else None
        clock = {**common, "kind": list(kinds), "severity": severity, "clock": name}
        links[key] = {
            "all": ticket_list_url(**clock, clock_state="counted"),
            "missed": ticket_list_url(**clock, clock_state="missed"),
        }
    links["response_rate"] = {
        "all": links["response_time"]["all"],
        "missed": ticket_list_url(**common, kind=["fault", "security"], clock="response", clock_state="unstopped"),
    }
    links["availability"] = {"all": ticket_list_url(**common, severity="P1")}
    links["major_incidents"] = {"all": ticket_list_url(**common, kind="security", major_incident=1)}
    links["satisfaction_rate"] = {
        "all": ticket_list_url(**common, rating="rated"),
        "missed": ticket_list_url(**common, rating="unsatisfied"),
    }
    try:
        links["onboarding_rate"] = {"all": reverse("business-systems")}
    except NoReverseMatch:
        links["onboarding_rate"] = {}
    return links


def kpis_compute(*, period: Period, scope: Scope, now: dt.datetime) -> KpiResult:
    """All KPIs of `scope` for `period`, evaluated at `now`. A constant number of queries."""
    from tickets.models import SatisfactionRating, Ticket

    result = KpiResult(period=period, scope=scope, now=now)
    figures = result.figures
    bounds = result.ticket_id_bounds = _ticket_id_bounds(period)
    agg = _clock_aggregates(period, scope, now, bounds)

    # Responded = the response clock has stopped (late or not); a stopped clock always counts.
    figures["response_rate"] = _share(agg["response_time__stopped"], agg["response_time__count"], RESPONSE_RATE_TARGET)
    for key, *_rest in CLOCK_KPIS:
        count, within = agg[f"{key}__count"], agg[f"{key}__within"]
        entry = _share(within, count, 1.0)
        entry["target_minutes"] = CLOCK_TARGET_MINUTES[key]
        if key != "resource_on_time":
            mean, maximum = agg[f"{key}__mean"], agg[f"{key}__max"]
            entry["mean_minutes"] = float(mean) if mean is not None else None
            entry["p90_minutes"] = _p90(period, scope, key, agg[f"{key}__stopped"], bounds)
            entry["max_minutes"] = float(maximum) if maximum is not None else None
        figures[key] = entry
    figures["resource_on_time"]["storage_decrease_target_minutes"] = RESOURCE_STORAGE_DECREASE_TARGET_MINUTES

    # Systems: availability and onboarding.
    systems = list(scope.systems().order_by("pk").values_list("pk", "onboarding_status"))
    in_cloud = [pk for pk, status in systems if status == BusinessSystem.Onboarding.IN_CLOUD]
    minutes = period.minutes_until(now)
    downtime = _downtime_by_system(period, scope, now, in_cloud)
    total_down = sum(downtime.values())
    by_system = []
    for pk in in_cloud:
        value = (1 - downtime.get(pk, 0.0) / minutes) if minutes else None
        by_system.append({
            "business_system": pk,
            "value": value,
            "downtime_minutes": downtime.get(pk, 0.0),
            "met": None if value is None else value >= AVAILABILITY_TARGET,
        })
    # Issue 15 item 4: every system must meet the target on its own; a pooled figure would let one
    # system's outage hide behind the others' uptime. The headline value is the worst system's.
    pooled = (1 - total_down / (minutes * len(in_cloud))) if minutes and in_cloud else None
    verdicts = [entry["met"] for entry in by_system]
    worst = min((entry["value"] for entry in by_system if entry["value"] is not None), default=None)
    figures["availability"] = {
        "value": worst,
        "pooled_value": pooled,
        "target": AVAILABILITY_TARGET,
        "met": None if worst is None else all(verdicts),
        "systems_met": sum(1 for v in verdicts if v),
        "downtime_minutes": total_down,
        "period_minutes": minutes,
        "systems": len(in_cloud),
        "by_system": by_system,
    }
    figures["onboarding_rate"] = _share(len(in_cloud), len(systems), ONBOARDING_TARGET)

    tickets = Ticket.objects.filter(
        Q(reported_at__gte=period.start, reported_at__lt=period.end) & kpi_ticket_q() & scope.ticket_q()
    )
    major = tickets.filter(kind="security", major_incident=True).count()
    reopened = tickets_reopened_count(tickets.filter(kind__in=("fault", "security")))
    figures["reopened"] = {"value": reopened, "target": None, "met": None, "count": reopened}
    figures["major_incidents"] = {"value": major, "target": MAJOR_INCIDENTS_TARGET, "met": major <= MAJOR_INCIDENTS_TARGET,
                                  "count": major}

    rated = SatisfactionRating.objects.filter(ticket__in=tickets)
    if bounds is not None:  # the same planner hint as for the clocks (see _ticket_id_bounds)
        rated = rated.filter(ticket_id__gte=bounds[0], ticket_id__lte=bounds[1])
    ratings = rated.aggregate(
        rated=Count("pk"), satisfied=Count("pk", filter=Q(score__gte=4))
    )
    sat = _share(ratings["satisfied"], ratings["rated"], SATISFACTION_TARGET)
    sat["rated"], sat["satisfied"] = ratings["rated"], ratings["satisfied"]
    figures["satisfaction_rate"] = sat
    result.links = _links(period, scope)
    return result

