"""Utilisation in (issue 16 item 8; clauses 8.1.9, 8.2.3, 8.2.9): daily CPU, memory and storage
utilisation per host, pulled from Prometheus or imported from a CSV/xlsx register; thresholds turn it
into optimisation findings; a finding becomes a resource-adjustment ticket or is dismissed with a reason.

1. `utilisation_pull` (daily task) and `utilisation_import` (page, API) store one row per
   host × metric × day (a re-run replaces it) and evaluate the thresholds for the days they touched.
2. `utilisation_evaluate`: a metric over (under) its threshold for the threshold's consecutive days
   opens a finding — one open finding per host × metric × direction; while the condition lasts the
   finding's last day moves on. In a heavy-protection period, an important system's host over a
   too-high threshold is told to the duty leader(s) on duty, once per host × metric × day.
3. `finding_ticket` / `finding_dismiss`: the finding's two ends, checked by FINDING_TRANSITIONS and
   written to its append-only history.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import users_with_role
from core.exceptions import PermissionDenied, ValidationFailed
from core.services import notification_send
from core.tabular import parse_day, read_table
from roster.selectors.duty import on_duty_at
from roster.selectors.periods import periods_touching
from tickets.models.reference import BusinessSystem, Host
from tickets.services.tickets import ticket_create

from ..hosts import hosts_by_name_or_ip, strip_port
from ..models import (
    Direction,
    FindingEvent,
    Metric,
    OptimisationFinding,
    Statistic,
    UtilisationSample,
    UtilisationThreshold,
)
from ..prometheus import query_range_day
from ..selectors.utilisation import FINDING_TRANSITIONS, user_manages_utilisation

logger = logging.getLogger(__name__)

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
# The resource a finding proposes to adjust (tickets' ResourceKind) and the direction of the change.
RESOURCE_OF_METRIC = {Metric.CPU: "vcpu", Metric.MEMORY: "memory", Metric.STORAGE: "storage"}
ADJUSTMENT_OF_DIRECTION = {Direction.HIGH: "increase", Direction.LOW: "decrease"}
HOST_AMOUNT = {Metric.CPU: "vcpu", Metric.MEMORY: "memory_gb", Metric.STORAGE: "storage_gb"}


def _tz():
    return timezone.get_current_timezone()


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=_tz())
    return start, start + dt.timedelta(days=1)


def _percent(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


@dataclass(frozen=True)
class Reading:
    host: Host
    metric: str
    day: dt.date
    average: Decimal
    p95: Decimal


# ---------------------------------------------------------------- 1. store


def _store(*, readings: list[Reading], source: str, actor: User | None, now: dt.datetime) -> int:
    """One row per host × metric × day: inserted, or replaced when the day is stored again. Then the
    thresholds are evaluated for the days touched. Caller is inside a transaction."""
    UtilisationSample.objects.bulk_create(
        [UtilisationSample(host=r.host, metric=r.metric, day=r.day, average=r.average, p95=r.p95, source=source,
                           recorded_by=actor, recorded_at=now) for r in readings],
        update_conflicts=True, unique_fields=["host", "metric", "day"],
        update_fields=["average", "p95", "source", "recorded_by", "recorded_at"],
    )
    utilisation_evaluate(days={r.day for r in readings}, host_ids={r.host.pk for r in readings}, now=now)
    return len(readings)


def prometheus_queries() -> dict[str, str]:
    """The PromQL expression of each metric (settings OPSDESK_PROMETHEUS_QUERY_*)."""
    return {Metric.CPU: settings.OPSDESK_PROMETHEUS_QUERY_CPU, Metric.MEMORY: settings.OPSDESK_PROMETHEUS_QUERY_MEMORY,
            Metric.STORAGE: settings.OPSDESK_PROMETHEUS_QUERY_STORAGE}


def utilisation_pull(*, day: dt.date, now: dt.datetime | None = None, queries: dict[str, str] | None = None,
                     step_seconds: int | None = None) -> int:
    """Pull one day from OPSDESK_PROMETHEUS_URL (0 when it is empty): each metric's expression over the
    day (up to now), each series' `instance` (port stripped) matched to a host by name or IP; series of
    unknown instances are left out. Returns the rows stored. Idempotent: a re-run replaces the day."""
    base = settings.OPSDESK_PROMETHEUS_URL
    if not base:
        return 0
    now = now or timezone.now()
    start, end = _day_bounds(day)
    end = min(end, now)
    if end <= start:
        return 0
    found: dict[str, list] = {}
    for metric, expr in (queries or prometheus_queries()).items():
        if expr:
            found[metric] = query_range_day(base_url=base, expr=expr, start=start, end=end,
                                            step_seconds=step_seconds or settings.OPSDESK_PROMETHEUS_STEP_SECONDS,
                                            timeout=settings.OPSDESK_PROMETHEUS_TIMEOUT_SECONDS)
    hosts = hosts_by_name_or_ip(s.instance for series in found.values() for s in series)
    readings: dict[tuple[int, str], Reading] = {}
    for metric, series in found.items():
        for s in series:
            host = hosts.get(strip_port(s.instance))
            if host is None:
                continue
            # Two series of one host (e.g. two exporters): the higher figures stand for the host.
            key = (host.pk, metric)
            average, p95 = _percent(s.average), _percent(s.p95)
            if key in readings:
                average, p95 = max(average, readings[key].average), max(p95, readings[key].p95)
            readings[key] = Reading(host, metric, day, average, p95)
    with transaction.atomic():
        return _store(readings=list(readings.values()), source=UtilisationSample.Source.PROMETHEUS, actor=None, now=now)


def utilisation_day_pulled(*, day: dt.date) -> bool:
    return UtilisationSample.objects.filter(day=day, source=UtilisationSample.Source.PROMETHEUS).exists()


# The import register: the template's columns and the header texts accepted for each.
IMPORT_COLUMNS = {
    "host": ("主机", "主机名或 IP", "host", "instance"),
    "day": ("日期", "date"),
    "metric": ("指标", "metric"),
    "average": ("日均值（%）", "日均值", "平均值", "average", "avg"),
    "p95": ("日 P95（%）", "P95（%）", "P95", "p95"),
}
IMPORT_TEMPLATE_HEADERS = ["主机", "日期", "指标", "日均值（%）", "日 P95（%）"]
IMPORT_TEMPLATE_EXAMPLE = [["web-01", "2026-12-01", "CPU", "35.2", "71.8"], ["web-01", "2026-12-01", "内存", "62.0", "70.5"],
                           ["10.1.1.1", "2026-12-01", "存储", "48.3", "48.9"]]
METRIC_WORDS = {"cpu": Metric.CPU, "内存": Metric.MEMORY, "memory": Metric.MEMORY, "mem": Metric.MEMORY,
                "存储": Metric.STORAGE, "磁盘": Metric.STORAGE, "storage": Metric.STORAGE, "disk": Metric.STORAGE}


def _parse_percent(value, label: str, errors: list[str]) -> Decimal | None:
    text = str(value if value is not None else "").strip().rstrip("%").strip()
    if not text:
        errors.append(_("%(column)s：请填写") % {"column": label})
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors.append(_("%(column)s：“%(value)s”不是数字") % {"column": label, "value": text})
        return None
    if not number.is_finite() or not 0 <= number <= HUNDRED:
        errors.append(_("%(column)s：应在 0–100 之间") % {"column": label})
        return None
    return number.quantize(CENT)


def utilisation_import(*, actor: User, name: str, data: bytes, now: dt.datetime | None = None) -> int:
    """Import a CSV or xlsx register (columns as IMPORT_TEMPLATE_HEADERS). All or nothing: any bad row
    raises ValidationFailed with one message per bad row under `file` (“第 3 行：…”), and nothing is
    stored. Returns the rows stored."""
    if not user_manages_utilisation(actor):
        raise PermissionDenied(_("只有项目经理或值班负责人可以导入资源利用率"))
    now = now or timezone.now()
    rows = read_table(name=name, data=data, columns=IMPORT_COLUMNS)
    if not rows:
        raise ValidationFailed(fields={"file": [_("文件中没有数据行")]})
    hosts = hosts_by_name_or_ip(str(values.get("host") or "") for _n, values in rows)
    problems: list[str] = []
    readings: dict[tuple[int, str, dt.date], tuple[int, Reading]] = {}
    today = timezone.localtime(now).date()
    for number, values in rows:
        errors: list[str] = []
        host_text = str(values.get("host") or "").strip()
        host = hosts.get(host_text) if host_text else None
        if not host_text:
            errors.append(_("主机：请填写"))
        elif host is None:
            errors.append(_("主机：“%(host)s”不在主机台账中") % {"host": host_text})
        day = parse_day(values.get("day"))
        if day is None:
            errors.append(_("日期：请填写有效日期（如 2026-12-01）"))
        elif day > today:
            errors.append(_("日期：不能晚于今天"))
        metric = METRIC_WORDS.get(str(values.get("metric") or "").strip().lower())
        if metric is None:
            errors.append(_("指标：应为 CPU、内存或存储"))
        average = _parse_percent(values.get("average"), _("日均值"), errors)
        p95 = _parse_percent(values.get("p95"), _("日 P95"), errors)
        if average is not None and p95 is not None and p95 < average:
            errors.append(_("日 P95 不能小于日均值"))
        if not errors:
            key = (host.pk, metric, day)
            if key in readings:
                errors.append(_("与第 %(row)s 行重复（同一主机、指标、日期）") % {"row": readings[key][0]})
            else:
                readings[key] = (number, Reading(host, metric, day, average, p95))
        if errors:
            problems.append(_("第 %(row)s 行：%(errors)s") % {"row": number, "errors": "；".join(errors)})
    if problems:
        raise ValidationFailed(_("%(n)s 行有错误，未导入任何数据") % {"n": len(problems)}, fields={"file": problems})
    with transaction.atomic():
        return _store(readings=[r for _n, r in readings.values()], source=UtilisationSample.Source.IMPORT, actor=actor,
                      now=now)


# ---------------------------------------------------------------- 2. thresholds → findings


def utilisation_evaluate(*, days: Iterable[dt.date], host_ids: Iterable[int] | None = None,
                         now: dt.datetime | None = None) -> list[OptimisationFinding]:
    """Apply the enabled thresholds to each day (oldest first), for the given hosts (all when None).
    Returns the findings opened. Idempotent: evaluating a day again opens nothing new."""
    now = now or timezone.now()
    thresholds = list(UtilisationThreshold.objects.filter(enabled=True))
    days = sorted(set(days))
    if not thresholds or not days:
        return []
    longest = max(t.days for t in thresholds)
    qs = UtilisationSample.objects.filter(day__gt=days[0] - dt.timedelta(days=longest), day__lte=days[-1]).select_related(
        "host__business_system")
    if host_ids is not None:
        qs = qs.filter(host_id__in=list(host_ids))
    series: dict[tuple[int, str], dict[dt.date, UtilisationSample]] = defaultdict(dict)
    for sample in qs:
        series[(sample.host_id, sample.metric)][sample.day] = sample
    heavy_days = _heavy_days(days)
    opened = []
    with transaction.atomic():
        for day in days:
            for (_host_id, metric), per_day in sorted(series.items()):
                today = per_day.get(day)
                if today is None:
                    continue
                for threshold in thresholds:
                    if threshold.metric != metric:
                        continue
                    window = [per_day.get(day - dt.timedelta(days=i)) for i in range(threshold.days)]
                    if all(s is not None and threshold.breached_by(s) for s in window):
                        finding = _finding_record(threshold=threshold, window=window, now=now)
                        if finding is not None:
                            opened.append(finding)
                    if threshold.direction == Direction.HIGH and day in heavy_days and threshold.breached_by(today):
                        _heavy_notice(sample=today, threshold=threshold, now=now)
    return opened


def _extreme(threshold: UtilisationThreshold, samples: list[UtilisationSample]) -> Decimal:
    values = [getattr(s, threshold.statistic) for s in samples]
    return max(values) if threshold.direction == Direction.HIGH else min(values)


def _finding_record(*, threshold: UtilisationThreshold, window: list[UtilisationSample], now: dt.datetime) -> OptimisationFinding | None:
    """The condition held over `window` (newest first). The open finding of the key moves on; a finding
    already covering the streak (decided or not) moves on; otherwise a new one opens."""
    newest, host = window[0], window[0].host
    day, first = newest.day, window[-1].day
    key = {"host": host, "metric": threshold.metric, "direction": threshold.direction}
    findings = OptimisationFinding.objects.select_for_update().filter(**key).order_by("-last_day", "-pk")
    current = findings.filter(state=OptimisationFinding.State.OPEN).first() or findings.first()
    extreme = _extreme(threshold, window)
    if current is not None and (current.state == OptimisationFinding.State.OPEN or current.last_day >= first - dt.timedelta(days=1)):
        if current.last_day < day:
            current.last_day = day
        current.peak = max(current.peak, extreme) if threshold.direction == Direction.HIGH else min(current.peak, extreme)
        current.save(update_fields=["last_day", "peak"])
        return None
    try:
        with transaction.atomic():
            finding = OptimisationFinding.objects.create(
                **key, business_system_id=host.business_system_id, statistic=threshold.statistic,
                threshold_percent=threshold.percent, threshold_days=threshold.days, first_day=first, last_day=day,
                peak=extreme, opened_at=now,
            )
    except IntegrityError:  # opened meanwhile by a concurrent evaluation: that one stands
        return None
    FindingEvent.objects.create(finding=finding, kind=FindingEvent.Kind.OPENED, to_state=finding.state, at=now,
                                note=_finding_rule(finding))
    return finding


def _finding_rule(finding: OptimisationFinding) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(metric)s %(statistic)s 连续 %(days)s 天%(cmp)s %(percent)s%%（%(first)s 至 %(last)s，极值 %(peak)s%%）") % {
            "metric": Metric(finding.metric).label, "statistic": finding.get_statistic_display(), "days": finding.threshold_days,
            "cmp": "高于" if finding.direction == Direction.HIGH else "低于", "percent": finding.threshold_percent,
            "first": finding.first_day, "last": finding.last_day, "peak": finding.peak,
        }


def _heavy_days(days: list[dt.date]) -> set[dt.date]:
    """The days among `days` inside a heavy-protection period (clause 8.2.3). One query."""
    start, _end = _day_bounds(days[0])
    _start, end = _day_bounds(days[-1])
    periods = list(periods_touching(start=start, end=end))
    return {d for d in days if any(p.start <= d <= p.end for p in periods)}


def duty_leaders_on_duty(*, at: dt.datetime) -> list[User]:
    """The leaders (带班领导) of the shifts on duty at `at`; the duty leaders by role when no published
    roster covers the moment."""
    leaders, seen = [], set()
    for seat in on_duty_at(at=at):
        user = seat.member.user
        if seat.position == "leader" and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            leaders.append(user)
    return leaders or list(users_with_role(Role.DUTY_LEADER))


def _heavy_notice(*, sample: UtilisationSample, threshold: UtilisationThreshold, now: dt.datetime) -> None:
    """An important system's host over a too-high threshold during a heavy-protection period: the duty
    leader(s) on duty are told once per host × metric × day (the notification's dedupe key)."""
    host, system = sample.host, sample.host.business_system
    if system.importance != BusinessSystem.Importance.IMPORTANT:
        return
    value = getattr(sample, threshold.statistic)
    with translation.override(settings.LANGUAGE_CODE):
        metric = Metric(threshold.metric).label
        title = _("【重保】%(system)s %(host)s %(metric)s 利用率 %(value)s%% 超过阈值 %(percent)s%%（%(day)s）") % {
            "system": system.name, "host": host.name, "metric": metric, "value": value, "percent": threshold.percent,
            "day": sample.day}
        body = _("重点保障时期内，重要业务系统“%(system)s”的主机 %(host)s（%(ip)s）%(day)s 的%(metric)s%(statistic)s为 %(value)s%%，"
                 "超过过高阈值 %(percent)s%%。请评估是否需要扩容（合同 8.2.3）。") % {
            "system": system.name, "host": host.name, "ip": host.ip_address, "day": sample.day, "metric": metric,
            "statistic": threshold.get_statistic_display(), "value": value, "percent": threshold.percent}
    notification_send(recipients=duty_leaders_on_duty(at=now), kind="utilisation_heavy", title=title, body=body,
                      url=reverse("monitoring-utilisation"), webhook=True,
                      dedupe_key=f"utilisation-heavy:{host.pk}:{sample.metric}:{sample.day:%Y%m%d}")


# ---------------------------------------------------------------- thresholds


THRESHOLD_FIELDS = ("statistic", "percent", "days", "enabled")


@transaction.atomic
def utilisation_threshold_update(*, actor: User, threshold: UtilisationThreshold, now: dt.datetime | None = None,
                                 **changes) -> UtilisationThreshold:
    """Change a threshold's statistic, percent, days or enabled flag (the audit trail keeps the edit).
    Findings already open keep the rule they opened under."""
    if not user_manages_utilisation(actor):
        raise PermissionDenied(_("只有项目经理或值班负责人可以修改利用率阈值"))
    unknown = set(changes) - set(THRESHOLD_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [_("不能修改此字段")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    if "statistic" in changes and changes["statistic"] not in Statistic.values:
        errors["statistic"] = [_("统计值无效")]
    if "percent" in changes and not (0 <= Decimal(str(changes["percent"])) <= HUNDRED):
        errors["percent"] = [_("阈值应在 0–100 之间")]
    if "days" in changes and not (1 <= int(changes["days"]) <= 90):
        errors["days"] = [_("连续天数应在 1–90 之间")]
    if errors:
        raise ValidationFailed(fields=errors)
    threshold = UtilisationThreshold.objects.select_for_update().get(pk=threshold.pk)
    for field, value in changes.items():
        setattr(threshold, field, value)
    threshold.updated_by, threshold.updated_at = actor, now or timezone.now()
    threshold.save(update_fields=[*changes, "updated_by", "updated_at"])
    return threshold


# ---------------------------------------------------------------- 3. a finding's two ends


def _lock_finding(finding: OptimisationFinding) -> OptimisationFinding:
    return OptimisationFinding.objects.select_for_update(of=("self",)).select_related("host", "business_system").get(pk=finding.pk)


@transaction.atomic
def finding_ticket(*, actor: User, finding: OptimisationFinding, now: dt.datetime | None = None) -> OptimisationFinding:
    """Open a resource-adjustment ticket (tickets.services.tickets.ticket_create) for the finding's host:
    vCPU / memory / storage, increase when too high, decrease when too low."""
    now = now or timezone.now()
    finding = _lock_finding(finding)
    FINDING_TRANSITIONS.check(action="ticket", user=actor, obj=finding)
    host = finding.host
    with translation.override(settings.LANGUAGE_CODE):
        adjust = _("扩容") if finding.direction == Direction.HIGH else _("缩容")
        title = _("【资源优化】%(host)s %(metric)s利用率%(direction)s，建议%(adjust)s") % {
            "host": host.name, "metric": Metric(finding.metric).label, "direction": finding.get_direction_display(),
            "adjust": adjust}
        description = _("由利用率优化建议 #%(id)s 生成：%(rule)s。\n业务系统：%(system)s；主机：%(host)s（%(ip)s），"
                        "当前 vCPU %(vcpu)s 个、内存 %(memory)s GB、存储 %(storage)s GB。请核实后填写调整后数量。") % {
            "id": finding.pk, "rule": _finding_rule(finding), "system": finding.business_system.name, "host": host.name,
            "ip": host.ip_address, "vcpu": host.vcpu, "memory": host.memory_gb, "storage": host.storage_gb}
    ticket = ticket_create(
        actor=actor, title=title, kind="resource", severity="P3", business_system=finding.business_system,
        description=description, hosts=[host], resource=RESOURCE_OF_METRIC[finding.metric],
        direction=ADJUSTMENT_OF_DIRECTION[finding.direction], amount_before=Decimal(getattr(host, HOST_AMOUNT[finding.metric])),
        now=now,
    )
    return _decide(finding, actor=actor, now=now, to=OptimisationFinding.State.TICKETED, kind=FindingEvent.Kind.TICKETED,
                   ticket=ticket, note=ticket.number)


@transaction.atomic
def finding_dismiss(*, actor: User, finding: OptimisationFinding, reason: str, now: dt.datetime | None = None) -> OptimisationFinding:
    """Dismiss with a reason: who, when and why are kept on the finding and in its history."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    finding = _lock_finding(finding)
    FINDING_TRANSITIONS.check(action="dismiss", user=actor, obj=finding)
    if not reason:
        raise ValidationFailed(fields={"reason": [_("请填写忽略理由")]})
    if len(reason) > 2000:
        raise ValidationFailed(fields={"reason": [_("忽略理由不能超过 2000 字")]})
    return _decide(finding, actor=actor, now=now, to=OptimisationFinding.State.DISMISSED, kind=FindingEvent.Kind.DISMISSED,
                   reason=reason, note=reason)


def _decide(finding: OptimisationFinding, *, actor: User, now: dt.datetime, to: str, kind: str, note: str,
            ticket=None, reason: str = "") -> OptimisationFinding:
    """Caller holds the finding's row lock and checked the transition."""
    before = finding.state
    finding.state, finding.decided_by, finding.decided_at = to, actor, now
    finding.ticket = ticket
    finding.dismiss_reason = reason
    finding.save(update_fields=["state", "decided_by", "decided_at", "ticket", "dismiss_reason"])
    FindingEvent.objects.create(finding=finding, kind=kind, from_state=before, to_state=to, actor=actor, at=now, note=note)
    return finding
