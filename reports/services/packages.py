"""The acceptance package of a period (阶段查验材料 of a month or a quarter, 验收 2.1; the service year's
年度验收材料, 验收 2.2): one zip with the period's report, the ticket ledger (.xlsx and UTF-8-BOM CSV), heavy-protection records and duty logs, fault and security-incident
records, downtime reports, satisfaction forms and a manifest with the SHA-256 of every file."""

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.selectors import user_is_manager
from core.db import after_commit, lock_one
from core.dispatch import enqueue
from core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from roster.selectors.records import (
    duty_log_entries_between,
    duty_record_labels,
    duty_reports_between,
    handovers_between,
    rosters_between,
    shifts_between,
)
from routine.selectors.report import routine_registers_month
from tickets.models.reference import Contract
from tickets.selectors import reporting as tickets_reporting

from ..models import REPORT_TITLES, AcceptancePackage, MonthlyReport, TaskState
from ..selectors import sources
from ..selectors.kpis import Scope
from ..selectors.periods import Period
from .monthly import (
    check_report_period,
    generation_archive,
    generation_claim,
    generation_failed,
    generation_heartbeat,
    period_field,
)

logger = logging.getLogger(__name__)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV/formula injection)."""
    if isinstance(value, Promise):  # translated choice labels
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _enqueue(package_id: int) -> None:
    from ..tasks import acceptance_package_build_task

    enqueue(acceptance_package_build_task, package_id)


@transaction.atomic
def acceptance_package_request(*, actor, contract: Contract, period: Period, now: dt.datetime | None = None) -> AcceptancePackage:
    """验收 2.1, 2.2 (the evidence for the stage and the final acceptance): Queue a new version of the
    period's package (a month, a quarter or the contract's service year). Provider managers only. The
    period needs a finished report of its kind (the issued one is used; otherwise the newest finished
    draft, marked as such)."""
    now = now or timezone.now()
    if not user_is_manager(actor):
        raise PermissionDenied(_("只有值班负责人或项目经理可以生成查验材料包"))
    check_report_period(contract, period, now)
    lock_one(Contract.objects.all(), contract.pk)
    if not MonthlyReport.objects.filter(contract=contract, kind=period.kind, month=period.first_day,
                                        task_state=TaskState.DONE).exists():
        raise ValidationFailed(fields={period_field(period): [
            _("该期间尚无已生成的%(title)s，请先生成报告") % {"title": REPORT_TITLES[period.kind]}]})
    existing = AcceptancePackage.objects.filter(contract=contract, kind=period.kind, month=period.first_day)
    if existing.filter(task_state__in=(TaskState.QUEUED, TaskState.RUNNING)).exists():
        raise Conflict(_("该期查验材料包正在生成，请稍候"))
    version = (existing.aggregate(v=Max("version"))["v"] or 0) + 1
    package = AcceptancePackage.objects.create(
        contract=contract, kind=period.kind, month=period.first_day, last_day=period.last_day, version=version,
        generated_by=actor, requested_at=now,
    )
    after_commit(lambda: _enqueue(package.pk))
    return package


def _xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title=title[:31])
        ws.freeze_panes = "A2"
        bold = []
        for h in header:
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(ws, value=h)
            cell.font = Font(bold=True)
            bold.append(cell)
        ws.append(bold)
        for row in rows:
            ws.append([_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def package_files(*, contract: Contract, period: Period, report: MonthlyReport, now: dt.datetime) -> list[tuple[str, bytes, str]]:
    """(path in zip, bytes, description) of every file of the package, manifest excluded."""
    from ..pdf import render_pdf
    from ..selectors.downtime import downtime_report_data
    from ..selectors.ledger import LEDGER_HEADER, ledger_rows

    scope = Scope(organization_id=contract.purchaser_id)
    ym = period.code
    files: list[tuple[str, bytes, str]] = []
    with report.file.open("rb") as fh:
        status = "" if report.is_issued else "-草稿"
        title = REPORT_TITLES[report.kind]
        files.append((f"01-{title}-{ym}-v{report.version}{status}.pdf", fh.read(),
                      _("%(title)s第 %(v)s 版（%(s)s）") % {"title": title, "v": report.version, "s": report.get_status_display()}))

    ledger = list(ledger_rows(period=period, scope=scope))
    files.append((f"02-工单台账-{ym}.xlsx", _xlsx([("工单台账", LEDGER_HEADER, ledger)]), _("工单台账（Excel）")))
    files.append((f"02-工单台账-{ym}.csv", _csv(LEDGER_HEADER, ledger), _("工单台账（CSV，UTF-8 BOM）")))

    periods = sources.heavy_protection_periods(period=period)
    duty_sheets: list[tuple[str, Sequence[str], Iterable[Sequence]]] = [
        ("重保时期", ("名称", "类型", "开始日期", "结束日期", "级别", "说明"),
         [(p["name"], p["kind"], p["start"].isoformat(), p["end"].isoformat(), p["level"], p["notes"]) for p in periods]),
    ]
    duty_sheets.extend(_duty_sheets(period))
    files.append((f"03-重保记录与值班日志-{ym}.xlsx", _xlsx(duty_sheets), _("重保时期、值班班次与值班日志")))

    records = tickets_reporting.incident_records(period=period, scope=scope)
    labels = tickets_reporting.ticket_choice_labels()
    ticket_kinds, ticket_statuses = labels["kind"], labels["status"]
    incident_rows = [
        (t["number"], ticket_kinds[t["kind"]], t["severity"], ticket_statuses[t["status"]],
         t["business_system__name"], t["title"], _local(t["reported_at"]), _local(t["acknowledged_at"]), _local(t["located_at"]),
         _local(t["resolved_at"]), _local(t["closed_at"]), t["resolution"], "是" if t["major_incident"] else "", t["major_incident_reason"])
        for t in records["tickets"]
    ]
    events = records["events"]
    kinds = labels["event"]
    files.append((
        f"04-故障及安全事件处置记录-{ym}.xlsx",
        _xlsx([
            ("事件", ("编号", "类型", "级别", "状态", "业务系统", "标题", "报告时间", "响应时间", "定位时间", "解决时间",
                    "关闭时间", "处置说明", "重大安全事件", "认定理由"), incident_rows),
            ("处置时间线", ("编号", "时间", "事件", "操作人", "原状态", "新状态", "说明"),
             ((n, _local(at), kinds.get(k, k), a or "系统", f, t, note) for n, at, k, a, f, t, note in events)),
        ]),
        _("故障及安全事件处置记录（含时间线）"),
    ))

    for ticket_id in tickets_reporting.downtime_report_ticket_ids(records["p1"]):
        data = downtime_report_data(ticket_id=ticket_id, now=now)
        files.append((f"05-宕机报告/宕机报告-{data['ticket'].number}.pdf", render_pdf("reports/pdf/downtime.html", data),
                      _("宕机报告 %(n)s") % {"n": data["ticket"].number}))

    files.append((
        f"07-例行运维台账-{ym}.xlsx",
        _xlsx(routine_registers_month(organization_id=contract.purchaser_id, first=period.first_day, last=period.last_day)),
        _("巡检、备份与恢复测试、安全自查与整改、病毒查杀、预警通报、演练台账"),
    ))

    ratings = tickets_reporting.rating_rows(period=period, scope=scope)
    files.append((
        f"06-满意度评价表-{ym}.xlsx",
        _xlsx([("满意度评价", ("工单编号", "工单标题", "业务系统", "评分（1-5）", "评价", "评价人", "评价时间"),
                ((n, t, s, sc, c, who, _local(at)) for n, t, s, sc, c, who, at in ratings))]),
        _("满意度评价表"),
    ))
    return files


def _duty_sheets(period: Period) -> list[tuple[str, Sequence[str], Iterable[Sequence]]]:
    """Rosters, shifts with their people, duty-log entries, end-of-shift / daily reports (zero-reports)
    and handovers of the month, read through the roster's record selectors."""
    labels = duty_record_labels()
    positions = labels["position"]
    rosters = [
        (r.name, r.period.name if r.period_id else "", r.start_date.isoformat(), r.end_date.isoformat(), r.version, r.shifts_in_range)
        for r in rosters_between(first_day=period.first_day, last_day=period.last_day)
    ]
    shifts = (
        shifts_between(start=period.start, end=period.end)
        .order_by("start", "pk", "assignments__position", "assignments__seat")
        .values_list("date", "template__name", "start", "end", "assignments__position", "assignments__member__user__real_name",
                     "assignments__unfilled_reason")
    )
    log_kinds = labels["log"]
    logs = duty_log_entries_between(start=period.start, end=period.end).values_list(
        "at", "shift__date", "shift__template__name", "kind", "text", "ticket_ref", "author__real_name")
    report_kinds = labels["report"]
    reports = duty_reports_between(start=period.start, end=period.end, first_day=period.first_day, last_day=period.last_day).values_list(
        "roster__name", "shift__date", "shift__template__name", "day", "kind", "summary", "author__real_name", "submitted_at")
    handover_status = labels["handover"]
    handovers = handovers_between(start=period.start, end=period.end).values_list(
        "shift__date", "shift__template__name", "from_user__real_name", "to_user__real_name", "status", "open_items",
        "manual_items", "notes", "submitted_at", "signed_at", "sign_note")
    return [
        ("值班表", ("值班表", "重保时期", "开始日期", "结束日期", "版本", "本月班次"), rosters),
        ("值班班次", ("日期", "班次", "开始", "结束", "岗位", "值班人员", "未排原因"),
         [(d.isoformat(), name, _local(s), _local(e), positions.get(pos, pos or ""), who or "", why or "")
          for d, name, s, e, pos, who, why in shifts]),
        ("值班日志", ("时间", "班次日期", "班次", "类型", "内容", "关联工单号", "记录人"),
         [(_local(at), d.isoformat(), name, log_kinds.get(k, k), text, ref, who) for at, d, name, k, text, ref, who in logs]),
        ("值班报告（含零报告）", ("值班表", "班次日期", "班次", "日报日期", "类型", "内容", "报告人", "提交时间"),
         [(roster, d.isoformat() if d else "", name or "（日报）", day.isoformat() if day else "", report_kinds.get(k, k), text, who,
           _local(at)) for roster, d, name, day, k, text, who, at in reports]),
        ("交接班", ("班次日期", "班次", "交班人", "接班人", "状态", "未办结工单", "交接事项", "交接说明", "提交时间", "签收时间", "签收意见"),
         [(d.isoformat(), name, frm, to or "", handover_status.get(st, st),
           "；".join(f"{i.get('ticket')} {i.get('title', '')}（剩余 {i.get('remaining_minutes')} 分钟）" for i in items or []),
           "；".join(manual or []), notes, _local(sub), _local(signed), sign_note)
          for d, name, frm, to, st, items, manual, notes, sub, signed, sign_note in handovers]),
    ]


def _zip(files: list[tuple[str, bytes, str]], manifest: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content, _desc in files:
            zf.writestr(name, content)
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        lines = [f"{f['sha256']}  {f['path']}" for f in manifest["files"]]
        zf.writestr("SHA256SUMS.txt", "\n".join(lines) + "\n")
    return out.getvalue()


def _package_file_name(package: AcceptancePackage) -> str:
    kind = "" if package.kind == "month" else f"{package.kind}-"
    return f"acceptance-{kind}{package.period_code}-v{package.version}.zip"


def acceptance_package_build(*, package_id: int, now: dt.datetime | None = None) -> AcceptancePackage | None:
    """Build one queued package. Idempotent like the report generation."""
    package = generation_claim(AcceptancePackage, package_id, note=_("正在收集材料"))
    if package is None:
        return None
    try:
        with generation_heartbeat(AcceptancePackage, package_id):
            now = now or timezone.now()
            period = package.period
            reports = MonthlyReport.objects.filter(contract_id=package.contract_id, kind=package.kind, month=package.month,
                                                   task_state=TaskState.DONE)
            report = reports.filter(status=MonthlyReport.Status.ISSUED).order_by("-version").first() or reports.order_by("-version").first()
            if report is None:
                raise NotFound(_("该期间尚无已生成的报告"))
            files = package_files(contract=package.contract, period=period, report=report, now=now)
            with transaction.atomic():
                AcceptancePackage.objects.filter(pk=package_id).update(progress=80, progress_note=_("正在打包"), progress_at=timezone.now())
            manifest = {
                "contract": package.contract.code,
                "purchaser": package.contract.purchaser.name,
                "provider": package.contract.provider.name,
                "month": period.code,
                "kind": package.kind,
                "first_day": period.first_day.isoformat(),
                "last_day": period.last_day.isoformat(),
                "version": package.version,
                "generated_at": now.isoformat(),
                "monthly_report": {"version": report.version, "status": report.status, "sha256": report.sha256,
                                   "kind": report.kind},
                "files": [
                    {"path": name, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content), "description": str(desc)}
                    for name, content, desc in files
                ],
            }
            blob = _zip(files, manifest)
    except Exception as exc:  # noqa: BLE001 (any failure is kept on the row; generation_failed logs it)
        generation_failed(AcceptancePackage, package_id, exc)
        return None
    with transaction.atomic():
        package, _archived = generation_archive(
            AcceptancePackage, package_id, name=_package_file_name(package),
            content=blob, manifest=manifest["files"], report=report,
        )
    return package
