"""The registers (台账) of the routine work: one definition of each list's columns, shared by its page,
its CSV/xlsx export and the acceptance package. Values are what a reader sees (labels, local times)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import backups, drills, inspections, security


def _at(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _day(value: dt.date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable


@dataclass(frozen=True)
class Register:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows_for: Callable[..., QuerySet]  # rows_for(user= | organization_id=) -> the visible rows, newest first
    month_field: str  # the moment that places a row in a month

    def headers(self) -> list[str]:
        return [str(c.label) for c in self.columns]

    def values(self, objects: Iterable) -> list[list]:
        return [[c.value(o) for c in self.columns] for o in objects]

    def for_month(self, *, user=None, organization_id: int | None = None, first: dt.date, last: dt.date) -> QuerySet:
        rows = self.rows_for(user=user, organization_id=organization_id)
        if self.month_field == "planned_on":  # a date, not a moment
            return rows.filter(planned_on__gte=first, planned_on__lte=last)
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return rows.filter(**{f"{self.month_field}__gte": start, f"{self.month_field}__lt": end})


BACKUP_RUNS = Register(
    key="backup-runs",
    title=_("备份记录"),
    columns=(
        Column(_("业务系统"), lambda r: r.policy.business_system.name),
        Column(_("备份策略"), lambda r: r.policy.name),
        Column(_("作业编号"), lambda r: r.job_id),
        Column(_("备份方式"), lambda r: r.get_backup_type_display()),
        Column(_("开始时间"), lambda r: _at(r.started_at)),
        Column(_("结束时间"), lambda r: _at(r.ended_at)),
        Column(_("结果"), lambda r: r.get_result_display()),
        Column(_("备份量（字节）"), lambda r: r.size_bytes if r.size_bytes is not None else ""),
        Column(_("信息"), lambda r: r.message),
        Column(_("来源"), lambda r: r.get_source_display()),
    ),
    rows_for=backups.backup_run_list_for_user,
    month_field="started_at",
)

RESTORE_TESTS = Register(
    key="restore-tests",
    title=_("恢复测试"),
    columns=(
        Column(_("业务系统"), lambda t: t.policy.business_system.name),
        Column(_("备份策略"), lambda t: t.policy.name),
        Column(_("测试时间"), lambda t: _at(t.tested_at)),
        Column(_("所恢复的备份"), lambda t: t.run.job_id if t.run_id else ""),
        Column(_("结果"), lambda t: t.get_result_display()),
        Column(_("恢复耗时（分钟）"), lambda t: t.duration_minutes if t.duration_minutes is not None else ""),
        Column(_("执行人"), lambda t: t.performed_by.display_name),
        Column(_("说明"), lambda t: t.notes),
    ),
    rows_for=backups.restore_test_list_for_user,
    month_field="tested_at",
)

INSPECTION_ROUNDS = Register(
    key="inspection-rounds",
    title=_("巡检记录"),
    columns=(
        Column(_("计划时间"), lambda r: _at(r.slot)),
        Column(_("巡检模板"), lambda r: r.schedule.template.name),
        Column(_("业务系统"), lambda r: r.schedule.business_system.name),
        Column(_("重保期"), lambda r: gettext("是") if r.heavy else ""),
        Column(_("状态"), lambda r: r.get_status_display()),
        Column(_("巡检人"), lambda r: r.done_by.display_name if r.done_by_id else ""),
        Column(_("完成时间"), lambda r: _at(r.done_at)),
        Column(_("异常项数"), lambda r: r.anomalies),
        Column(_("说明"), lambda r: r.notes),
    ),
    rows_for=inspections.inspection_round_list_for_user,
    month_field="slot",
)

INSPECTION_ANOMALIES = Register(
    key="inspection-anomalies",
    title=_("巡检异常"),
    columns=(
        Column(_("计划时间"), lambda r: _at(r.round.slot)),
        Column(_("巡检模板"), lambda r: r.round.schedule.template.name),
        Column(_("检查项"), lambda r: r.item.label),
        Column(_("结果"), lambda r: r.value),
        Column(_("正常范围"), lambda r: r.item.limits()),
        Column(_("备注"), lambda r: r.note),
        Column(_("工单"), lambda r: r.ticket.number if r.ticket_id else ""),
    ),
    rows_for=lambda *, user=None, organization_id=None: inspections.inspection_result_list_for_user(
        user=user, organization_id=organization_id).filter(ok=False).order_by("-round__slot", "pk"),
    month_field="round__slot",
)

SECURITY_ACTIVITIES = Register(
    key="security-activities",
    title=_("安全自查"),
    columns=(
        Column(_("类型"), lambda a: a.get_kind_display()),
        Column(_("名称"), lambda a: a.title),
        Column(_("采购人"), lambda a: str(a.organization)),
        Column(_("范围"), lambda a: a.scope),
        Column(_("开始日期"), lambda a: _day(a.started_on)),
        Column(_("结束日期"), lambda a: _day(a.ended_on)),
        Column(_("实施人员"), lambda a: a.people),
        Column(_("负责人"), lambda a: a.lead.display_name),
        Column(_("报告"), lambda a: gettext("有") if a.report else ""),
    ),
    rows_for=security.security_activity_list_for_user,
    month_field="created_at",
)

FINDINGS = Register(
    key="findings",
    title=_("安全问题"),
    columns=(
        Column(_("编号"), lambda f: f.pk),
        Column(_("业务系统"), lambda f: f.business_system.name),
        Column(_("问题"), lambda f: f.title),
        Column(_("等级"), lambda f: f.get_severity_display()),
        Column(_("CVE 编号"), lambda f: f.cve),
        Column(_("发现日期"), lambda f: _day(f.found_on)),
        Column(_("整改期限"), lambda f: _day(f.due_on)),
        Column(_("状态"), lambda f: f.get_status_display() + (gettext("（已接受风险）") if getattr(f, "accepted", False) else "")),
        Column(_("整改人"), lambda f: f.fixed_by.display_name if f.fixed_by_id else ""),
        Column(_("验证人"), lambda f: f.verified_by.display_name if f.verified_by_id else ""),
        Column(_("安全自查"), lambda f: f.activity.title),
    ),
    rows_for=security.finding_list_for_user,
    month_field="created_at",
)

ANTIVIRUS_SWEEPS = Register(
    key="antivirus-sweeps",
    title=_("病毒查杀记录"),
    columns=(
        Column(_("主机"), lambda a: a.host.name),
        Column(_("业务系统"), lambda a: a.host.business_system.name),
        Column(_("查杀时间"), lambda a: _at(a.swept_at)),
        Column(_("查杀软件及版本"), lambda a: a.engine),
        Column(_("发现威胁"), lambda a: a.threats_found),
        Column(_("已清除"), lambda a: a.threats_cleaned),
        Column(_("说明"), lambda a: a.notes),
    ),
    rows_for=security.antivirus_sweep_list_for_user,
    month_field="swept_at",
)

SECURITY_WARNINGS = Register(
    key="security-warnings",
    title=_("预警通报"),
    columns=(
        Column(_("通报时间"), lambda w: _at(w.published_at)),
        Column(_("通报对象"), lambda w: str(w.organization)),
        Column(_("通报范围"), lambda w: w.audience),
        Column(_("等级"), lambda w: w.get_severity_display()),
        Column(_("标题"), lambda w: w.title),
        Column(_("内容"), lambda w: w.content),
        Column(_("通报人"), lambda w: w.published_by.display_name),
    ),
    rows_for=security.security_warning_list_for_user,
    month_field="published_at",
)

DRILLS = Register(
    key="drills",
    title=_("演练"),
    columns=(
        Column(_("类型"), lambda d: d.get_kind_display()),
        Column(_("名称"), lambda d: d.title),
        Column(_("演练日期"), lambda d: _day(d.planned_on)),
        Column(_("业务系统"), lambda d: "、".join(s.name for s in d.systems.all())),
        Column(_("演练场景"), lambda d: d.scenario),
        Column(_("RTO 目标/实际（分钟）"), lambda d: f"{d.rto_target_minutes}/{d.rto_achieved_minutes if d.rto_achieved_minutes is not None else '—'}"),
        Column(_("RPO 目标/实际（分钟）"), lambda d: f"{d.rpo_target_minutes}/{d.rpo_achieved_minutes if d.rpo_achieved_minutes is not None else '—'}"),
        Column(_("参演人员"), lambda d: d.participants),
        Column(_("发现问题"), lambda d: len(d.problems.all())),
        Column(_("状态"), lambda d: d.get_status_display()),
        Column(_("采购人签认"), lambda d: f"{d.signed_by.display_name} {_at(d.signed_at)}" if d.signed_by_id else ""),
    ),
    rows_for=drills.drill_list_for_user,
    month_field="planned_on",
)

REGISTERS: dict[str, Register] = {r.key: r for r in (DRILLS,
    BACKUP_RUNS, RESTORE_TESTS, INSPECTION_ROUNDS, INSPECTION_ANOMALIES, SECURITY_ACTIVITIES, FINDINGS, ANTIVIRUS_SWEEPS,
    SECURITY_WARNINGS,
)}


def register_get(key: str) -> Register | None:
    return REGISTERS.get(key)


