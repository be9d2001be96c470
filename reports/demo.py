"""Demo data of the reports app (seed_demo): last month's report issued and packed for the first
purchaser, received and assessed 需整改 by its approver (appr1), with two remediation items — one
answered by the engineer with evidence (a linked ticket and a file), one still open. Built through the
services, so the history, notifications and audit trail are what a real month leaves. Idempotent: a
contract whose stage assessment exists is left alone."""

import datetime as dt
import logging
import time

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from tickets.models.reference import Contract

from .models import AcceptancePackage, Assessment, MonthlyReport, PeriodKind, TaskState
from .selectors.periods import Period, month_of
from .services.assessments import assessment_assess, assessment_receive, remediation_item_answer
from .services.monthly import monthly_report_generate, monthly_report_issue, monthly_report_request
from .services.packages import acceptance_package_build, acceptance_package_request

logger = logging.getLogger(__name__)
WAIT_SECONDS = 300


def _finished(model, pk: int, run) -> object:
    """Run a queued generation here; when the embedded mode's thread claimed it first, wait for it."""
    run(pk)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        row = model.objects.get(pk=pk)
        if row.task_state in (TaskState.DONE, TaskState.FAILED) or time.monotonic() > deadline:
            return row
        time.sleep(1)


def _issued_package(*, pm: User, contract: Contract, period: Period) -> AcceptancePackage | None:
    package = (AcceptancePackage.objects.filter(contract=contract, kind=PeriodKind.MONTH, month=period.first_day, task_state=TaskState.DONE,
                                                report__status=MonthlyReport.Status.ISSUED)
               .select_related("report", "contract").order_by("-version").first())
    if package is not None:
        return package
    report = MonthlyReport.objects.filter(contract=contract, kind=PeriodKind.MONTH, month=period.first_day,
                                          status=MonthlyReport.Status.ISSUED).first()
    if report is None:
        with transaction.atomic():
            report = monthly_report_request(actor=pm, contract=contract, period=period)
        report = _finished(MonthlyReport, report.pk, lambda pk: monthly_report_generate(report_id=pk))
        if report.task_state != TaskState.DONE:
            logger.warning("demo: the %s report did not finish (%s)", period.code, report.error)
            return None
        report = monthly_report_issue(actor=pm, report_id=report.pk)
    with transaction.atomic():
        package = acceptance_package_request(actor=pm, contract=contract, period=period)
    package = _finished(AcceptancePackage, package.pk, lambda pk: acceptance_package_build(package_id=pk))
    return package if package.task_state == TaskState.DONE else None


def seed() -> None:
    people = {u.username: u for u in User.objects.filter(username__in=("pm", "appr1", "eng1", "lead"))}
    if len(people) < 4:
        return
    pm, approver = people["pm"], people["appr1"]
    now = timezone.now()
    period = month_of(now).previous()
    contract = (Contract.objects.filter(purchaser_id=approver.organization.tenant_id, start_date__lte=period.last_day,
                                        end_date__gte=period.first_day).order_by("-start_date").first())
    if contract is None or Assessment.objects.filter(contract=contract, kind=Assessment.Kind.STAGE).exists():
        return
    package = _issued_package(pm=pm, contract=contract, period=period)
    if package is None:
        return
    today = timezone.localdate(now)
    assessment = assessment_receive(actor=approver, package=package, received_on=today)
    assessment = assessment_assess(
        actor=approver, assessment=assessment, verdict="remediate",
        comments="本期材料基本齐全。巡检台账缺少夜班记录，重保期间值班日志未逐班签字，请按整改项补正后提交。",
        items=[
            {"title": "补齐夜班巡检记录", "owner": people["eng1"].pk, "deadline": today + dt.timedelta(days=5),
             "detail": "本月共 4 个夜班未见巡检记录，请补录并说明原因。"},
            {"title": "重保期间值班日志逐班签字", "owner": people["lead"].pk, "deadline": today + dt.timedelta(days=10),
             "detail": "重保期间每个班次的值班日志须由当班负责人签字确认。"},
        ],
    )
    first = assessment.items.get(number=1)
    from tickets.selectors.tickets import ticket_list_for_user

    ticket_ids = list(ticket_list_for_user(user=people["eng1"], for_display=False)
                      .filter(organization_id=contract.purchaser_id).order_by("-reported_at").values_list("pk", flat=True)[:1])
    from django.core.files.uploadedfile import SimpleUploadedFile

    evidence = SimpleUploadedFile("夜班巡检补录说明.txt", "夜班巡检补录：4 个班次的巡检记录已补录，原因为移动端离线未同步。\n".encode(),
                                  content_type="text/plain")
    remediation_item_answer(actor=people["eng1"], item=first, text="已补录 4 个夜班的巡检记录，原因是移动端离线未同步；已修复同步问题。",
                            tickets=ticket_ids, files=[evidence])
