"""What the monthly report and the acceptance package read of the routine work, for one purchaser and
one month (the reports app calls these; it decided who may read the result)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Count, Q
from django.utils import timezone

from ..models import InspectionRound
from . import backups, drills, inspections, registers, security


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(first, dt.time.min, tzinfo=tz), dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def routine_month(*, organization_id: int, first: dt.date, last: dt.date, today: dt.date | None = None) -> dict:
    """Inspections done / scheduled / missed with their anomalies, backup compliance per policy with
    missing days and restore tests, the security figures, and the month's drills."""
    start, end = _bounds(first, last)
    rounds = inspections.inspection_round_list_for_user(organization_id=organization_id).filter(slot__gte=start, slot__lt=end)
    S = InspectionRound.Status
    counts = rounds.aggregate(scheduled=Count("pk"), done=Count("pk", filter=Q(status=S.DONE)),
                              missed=Count("pk", filter=Q(status=S.MISSED)), pending=Count("pk", filter=Q(status=S.PENDING)),
                              heavy=Count("pk", filter=Q(heavy=True)))
    by_template = list(rounds.values("schedule__template__name").annotate(
        scheduled=Count("pk"), done=Count("pk", filter=Q(status=S.DONE)), missed=Count("pk", filter=Q(status=S.MISSED)))
        .order_by("schedule__template__name"))
    anomalies = list(inspections.inspection_result_list_for_user(organization_id=organization_id)
                     .filter(ok=False, round__slot__gte=start, round__slot__lt=end).order_by("round__slot", "pk"))
    compliance = backups.backup_compliance(organization_id=organization_id, year=first.year, month=first.month, today=today)
    restore_tests = list(backups.restore_test_list_for_user(organization_id=organization_id)
                         .filter(tested_at__gte=start, tested_at__lt=end).order_by("tested_at", "pk"))
    month_drills = list(drills.drill_list_for_user(organization_id=organization_id)
                        .filter(planned_on__gte=first, planned_on__lte=last).order_by("planned_on", "pk"))
    return {
        "inspections": {**counts, "by_template": by_template, "anomalies": anomalies},
        "backups": {"policies": compliance, "met": sum(r["met"] for r in compliance), "restore_tests": restore_tests},
        "security": security.security_month(organization_id=organization_id, first=first, last=last, today=today),
        "drills": month_drills,
    }


PACKAGE_REGISTERS = ("inspection-rounds", "inspection-anomalies", "backup-runs", "restore-tests", "security-activities",
                     "findings", "antivirus-sweeps", "security-warnings", "drills")


def routine_registers_month(*, organization_id: int, first: dt.date, last: dt.date) -> list[tuple[str, Sequence[str], Iterable[Sequence]]]:
    """The month's registers of one purchaser as spreadsheet sheets (title, header, rows)."""
    sheets = []
    for key in PACKAGE_REGISTERS:
        register = registers.REGISTERS[key]
        rows = register.for_month(organization_id=organization_id, first=first, last=last)
        sheets.append((str(register.title), register.headers(), register.values(rows)))
    compliance = backups.backup_compliance(organization_id=organization_id, year=first.year, month=first.month)
    sheets.insert(2, ("备份合规", ["业务系统", "备份策略", "应备天数", "已备天数", "缺备份日期", "全量间隔超 7 天的日期", "全量次数",
                               "失败次数", "恢复测试", "达标"],
                      [[r["policy"].business_system.name, r["policy"].name, r["days_required"], r["days_covered"],
                        "、".join(f"{d:%m-%d}" for d in r["missing_days"]), "、".join(f"{d:%m-%d}" for d in r["full_window_gaps"]),
                        r["full_runs"], r["failed_runs"], r["restore_tests"], "是" if r["met"] else "否"] for r in compliance]))
    return sheets
