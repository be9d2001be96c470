"""The quarterly report and the service year's summary (年度运维服务总结), issue 18 item 2: requested,
generated as a task with progress, issued immutable with its SHA-256, packaged with its registers —
the same path and the same models as the monthly report, told apart by `kind`."""

import datetime as dt
import hashlib
import io
import json
import os
import zipfile

import pytest
from pypdf import PdfReader

from core.exceptions import Conflict, ValidationFailed
from reports.models import ArchiveImmutable, MonthlyReport
from reports.selectors.periods import parse_period
from reports.services.monthly import monthly_report_issue, monthly_report_request
from reports.services.packages import acceptance_package_request

from .conftest import SH

pytestmark = pytest.mark.django_db

AFTER_Q4 = dt.datetime(2027, 1, 10, 9, tzinfo=SH)
AFTER_YEAR = dt.datetime(2027, 7, 1, 9, tzinfo=SH)


def _generate(actor, contract, period, now, capture):
    with capture(execute=True):
        report = monthly_report_request(actor=actor, contract=contract, period=period, now=now)
    report.refresh_from_db()
    return report


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _keep(name: str, data: bytes) -> None:
    """OPSDESK_KEEP_PDF=<dir>: keep the rendered file to look at its pages."""
    if folder := os.environ.get("OPSDESK_KEEP_PDF"):
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(data)


@pytest.fixture
def protected(users):
    from roster.services.periods import period_create

    return period_create(actor=users["project_manager"], name="测试重要会议保障", kind="meeting", start=dt.date(2026, 10, 18),
                         end=dt.date(2026, 10, 22), level=1)


def test_quarterly_report_is_generated_issued_and_packaged(october, protected, users, contract, django_capture_on_commit_callbacks):
    pm = users["project_manager"]
    report = _generate(pm, contract, parse_period(quarter="2026-Q4"), AFTER_Q4, django_capture_on_commit_callbacks)
    assert (report.kind, report.month, report.last_day) == ("quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert report.task_state == "done" and report.progress == 100, report.error
    data = report.file.read()
    _keep("quarterly.pdf", data)
    assert hashlib.sha256(data).hexdigest() == report.sha256 and "/quarterly-2026-Q4-v1" in report.file.name
    text = _text(data)
    assert "政务云季度运维报告" in text and "2026年第4季度" in text
    assert "二、各月指标趋势" in text and "2026-10" in text and "2026-12" in text
    assert "AQ-20261025-0001" in text  # T7, the major incident of the service year, listed with its reason
    assert "测试重要会议保障" in text  # the heavy-protection period and how it went
    assert "九、整改事项" in text and "无未关闭的整改事项" in text
    # The snapshot keeps the months the trend was drawn from.
    assert [m["month"] for m in report.kpi_snapshot["figures"]["months"]] == ["2026-10", "2026-11", "2026-12"]

    issued = monthly_report_issue(actor=pm, report_id=report.pk, now=AFTER_Q4)
    assert issued.status == "issued" and str(issued) == "2026-Q4 季度运维报告 v1"
    with pytest.raises(ArchiveImmutable):
        MonthlyReport.objects.filter(pk=report.pk).update(sha256="0" * 64)

    with django_capture_on_commit_callbacks(execute=True):
        package = acceptance_package_request(actor=pm, contract=contract, period=parse_period(quarter="2026-Q4"), now=AFTER_Q4)
    package.refresh_from_db()
    assert package.task_state == "done", package.error
    assert (package.kind, package.month, package.last_day, package.report_id) == ("quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31), report.pk)
    zf = zipfile.ZipFile(io.BytesIO(package.file.read()))
    manifest = json.loads(zf.read("manifest.json"))
    names = [f["path"] for f in manifest["files"]]
    assert names[0] == "01-季度运维报告-2026-Q4-v1.pdf" and zf.read(names[0]) == data
    assert "02-工单台账-2026-Q4.xlsx" in names and "05-宕机报告/宕机报告-GZ-20261031-0001.pdf" in names
    for entry in manifest["files"]:
        assert hashlib.sha256(zf.read(entry["path"])).hexdigest() == entry["sha256"]
    ledger = zf.read("02-工单台账-2026-Q4.csv").decode("utf-8-sig").splitlines()
    assert len(ledger) == 1 + 8  # header + T1..T8: the whole quarter
    # A month's report of October is another row: the quarter's does not stand in for it.
    with pytest.raises(ValidationFailed):
        acceptance_package_request(actor=pm, contract=contract, period=parse_period(month="2026-10"), now=AFTER_Q4)


def test_service_year_summary_covers_the_contract_year(october, users, contract, django_capture_on_commit_callbacks):
    pm = users["project_manager"]
    year = parse_period(contract=contract)
    report = _generate(pm, contract, year, AFTER_YEAR, django_capture_on_commit_callbacks)
    assert (report.kind, report.month, report.last_day) == ("year", dt.date(2026, 6, 27), dt.date(2027, 6, 26))
    assert report.task_state == "done", report.error
    data = report.file.read()
    _keep("annual.pdf", data)
    text = _text(data)
    assert "政务云年度运维服务总结" in text and "服务年度 2026-06-27 至 2027-06-26" in text
    assert "06-27–06-30" in text and "2027-01" in text  # the clipped first month and a month of the next calendar year
    assert "截至 2027-06-26 经采购人认定或确认的重大责任安全事件 1 次" in text
    assert len(report.kpi_snapshot["figures"]["months"]) == 13
    assert str(report) == "2026-06-27..2027-06-26 年度运维服务总结 v1"


def test_report_periods_are_checked(users, contract, django_capture_on_commit_callbacks):
    pm = users["project_manager"]
    now = dt.datetime(2026, 11, 5, 10, tzinfo=SH)
    # A year report is the contract's service year, not a calendar year nor a range.
    for period in (parse_period(year="2026"), parse_period(first="2026-07-01", last="2026-09-30")):
        with pytest.raises(ValidationFailed) as refused:
            monthly_report_request(actor=pm, contract=contract, period=period, now=now)
        assert "kind" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        monthly_report_request(actor=pm, contract=contract, period=parse_period(quarter="2027-Q1"), now=now)
    assert "quarter" in refused.value.fields  # not begun
    with django_capture_on_commit_callbacks(execute=False):
        first = monthly_report_request(actor=pm, contract=contract, period=parse_period(quarter="2026-Q4"), now=now)
        # The month sharing the quarter's first day is another report; a second quarter version waits.
        month = monthly_report_request(actor=pm, contract=contract, period=parse_period(month="2026-10"), now=now)
        with pytest.raises(Conflict):
            monthly_report_request(actor=pm, contract=contract, period=parse_period(quarter="2026-Q4"), now=now)
    assert (first.kind, first.version, month.kind, month.version) == ("quarter", 1, "month", 1)


def test_the_quarter_reads_a_bounded_number_of_queries(october, protected, contract, django_assert_num_queries):
    from reports.selectors.summary import period_report_data

    # The quarter's KPIs and its three months' (kpis_compute, by_month), the systems, the ticket summary, the
    # service year and its major incidents (+ labels), the exclusions, the routine work of each month, the
    # heavy-protection period's KPIs and duty records, the changes. More months or heavy-protection periods
    # add queries; more tickets do not (a month's percentile and maintenance-window reads run once it has
    # stopped clocks or an outage, whatever their number).
    with django_assert_num_queries(115):  # with the open remediation items (one query) and the longest running P1 restore clock of each KPI computation that has one
        period_report_data(contract=contract, period=parse_period(quarter="2026-Q4"), now=AFTER_Q4)


def test_open_remediation_items_are_listed_in_the_quarterly_report(october, users, contract, django_capture_on_commit_callbacks):
    """The remediation items the purchaser raised on an earlier package (issue 18 item 3) and has not closed
    appear in section 九 with their owner, deadline and state (reports.selectors.assessments)."""
    from django.utils import timezone

    from reports.services.assessments import assessment_assess, assessment_receive
    from reports.services.monthly import monthly_report_generate
    from reports.services.packages import acceptance_package_build

    pm, approver = users["project_manager"], users["approver"]
    month = monthly_report_request(actor=pm, contract=contract, period=parse_period(month="2026-10"))
    monthly_report_generate(report_id=month.pk)
    monthly_report_issue(actor=pm, report_id=month.pk)
    package = acceptance_package_build(package_id=acceptance_package_request(
        actor=pm, contract=contract, period=parse_period(month="2026-10")).pk)
    assessment = assessment_receive(actor=approver, package=package)
    deadline = timezone.localdate() + dt.timedelta(days=7)
    assessment_assess(actor=approver, assessment=assessment, verdict="remediate", comments="台账不全",
                      items=[{"title": "补充十月巡检签字记录", "owner": users["engineer"].pk, "deadline": deadline}])

    report = _generate(pm, contract, parse_period(quarter="2026-Q4"), timezone.now(), django_capture_on_commit_callbacks)
    assert report.task_state == "done", report.error
    data = report.file.read()
    _keep("quarterly-remediation.pdf", data)
    text = _text(data)
    assert "补充十月巡检签字记录" in text and deadline.isoformat() in text and "2026-10 阶段查验材料 v1" in text
    assert "无未关闭的整改事项" not in text
