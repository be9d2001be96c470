"""The monthly report reads the roster (heavy-protection periods, rosters, duty logs, zero-reports,
handovers) and the changes (approved, completed, failed) through their real models and selectors;
the acceptance package's duty workbook holds the real rows. Built through the services."""

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from changes.services import (
    change_approve,
    change_complete,
    change_create,
    change_reject,
    change_start,
    change_submit,
)
from reports.selectors import sources
from reports.selectors.periods import parse_month
from reports.services.monthly import monthly_report_request
from reports.services.packages import acceptance_package_request
from roster.models import Assignment
from roster.services.duty import duty_log_add, duty_report_submit, handover_sign, handover_submit
from roster.services.periods import period_create
from tests.roster.conftest import local, make_roster, manager, team  # noqa: F401 (the roster fixtures, reused)

from .conftest import EVAL_AT

pytestmark = pytest.mark.django_db
OCTOBER = parse_month("2026-10")


def _seat(shift, position="engineer"):
    return Assignment.objects.filter(shift=shift, position=position).select_related("member__user").order_by("seat").first().member.user


@pytest.fixture
def duty_october(make_roster, manager, time_machine):  # noqa: F811
    """National Day 2026: a period, a published two-day roster, two log entries and a zero-report of
    the first shift, its handover signed by the next shift; the second shift never reported."""
    time_machine.move_to(local(2026, 9, 20, 9), tick=False)
    period = period_create(actor=manager, name="国庆节重保", kind="national_day", start=dt.date(2026, 10, 1),
                           end=dt.date(2026, 10, 8), level=1)
    roster = make_roster(dt.date(2026, 10, 1), dt.date(2026, 10, 2), period=period, name="国庆值班表")
    first, second = roster.shifts.order_by("start")[:2]
    outgoing, incoming = _seat(first), _seat(second)
    time_machine.move_to(local(2026, 10, 1, 10), tick=False)
    duty_log_add(actor=outgoing, shift_id=first.pk, kind="inspection", text="机房巡检正常")
    duty_log_add(actor=outgoing, shift_id=first.pk, kind="phone", text="采购人来电咨询", ticket_ref="GZ-20261001-0001")
    time_machine.move_to(local(2026, 10, 2, 8, 20), tick=False)
    handover = handover_submit(actor=outgoing, shift_id=first.pk, manual_items=["备份复核"])
    time_machine.move_to(local(2026, 10, 2, 8, 40), tick=False)
    duty_report_submit(actor=outgoing, shift_id=first.pk, kind="zero")
    handover_sign(actor=incoming, handover_id=handover.pk, note="已接班")
    return {"period": period, "roster": roster, "outgoing": outgoing}


@pytest.fixture
def changes_october(users, systems, time_machine):
    """Four changes in October: completed, failed and rolled back, rejected, approved only; one draft."""
    time_machine.move_to(local(2026, 10, 12, 9), tick=False)

    def draft(title, start, end):
        return change_create(actor=users["engineer"], data={
            "title": title, "category": "normal", "risk": "medium", "business_systems": [systems["own"].pk],
            "reason": "修复缺陷", "plan": "升级", "rollback_plan": "回滚", "verification_plan": "拨测",
            "expected_interruption_minutes": 30, "window_start": start, "window_end": end, "internet_remote_access": False,
        })

    def approve(change):
        change_submit(actor=users["engineer"], change_id=change.pk)
        change_approve(actor=users["tech_lead"], change_id=change.pk)
        change_approve(actor=users["approver"], change_id=change.pk)

    done = draft("数据库小版本升级", local(2026, 10, 20, 22), local(2026, 10, 21, 2))
    failed = draft("中间件升级", local(2026, 10, 22, 22), local(2026, 10, 23, 2))
    rejected = draft("网络割接", local(2026, 10, 24, 22), local(2026, 10, 25, 2))
    waiting = draft("存储扩容", local(2026, 10, 26, 22), local(2026, 10, 27, 2))
    draft("仍是草稿", local(2026, 10, 28, 22), local(2026, 10, 29, 2))
    for change in (done, failed, waiting):
        approve(change)
    change_submit(actor=users["engineer"], change_id=rejected.pk)
    change_reject(actor=users["tech_lead"], change_id=rejected.pk, comment="方案不完整")
    time_machine.move_to(local(2026, 10, 23, 3), tick=False)
    for change, outcome in ((done, "successful"), (failed, "failed_rolled_back")):
        change_start(actor=users["engineer"], change_id=change.pk)
        change_complete(actor=users["engineer"], change_id=change.pk, outcome=outcome)
    return {"done": done, "failed": failed, "rejected": rejected, "waiting": waiting}


def test_changes_section_counts_approved_completed_and_failed(changes_october, purchaser):
    found = sources.changes_in_period(period=OCTOBER, organization_id=purchaser.pk)
    numbers = [r["number"] for r in found["rows"]]
    c = changes_october
    assert numbers == [c["done"].number, c["failed"].number, c["rejected"].number, c["waiting"].number]  # no draft
    assert (found["approved"], found["completed"], found["failed"]) == (3, 1, 2)
    assert (found["rolled_back"], found["rejected"]) == (1, 1)
    assert found["rows"][1]["outcome_label"] == "失败并已回退"
    assert sources.changes_in_period(period=parse_month("2026-11"), organization_id=purchaser.pk)["rows"] == []


def test_emergency_duty_section_reads_the_roster(duty_october):
    duty = sources.duty_summary(period=OCTOBER, now=EVAL_AT)
    assert duty["rosters"] == [
        {"name": "国庆值班表", "period": "国庆节重保", "start": dt.date(2026, 10, 1), "end": dt.date(2026, 10, 2),
         "version": duty_october["roster"].version, "shifts": 2, "unfilled": 0}
    ]
    assert (duty["shifts"], duty["logs"], duty["inspections"]) == (2, 2, 1)
    assert (duty["reports"], duty["zero_reports"], duty["missing_reports"]) == (1, 1, 1)
    assert (duty["handovers"], duty["unsigned_handovers"]) == (1, 0)
    assert [p["name"] for p in sources.heavy_protection_periods(period=OCTOBER)] == ["国庆节重保"]
    empty = sources.duty_summary(period=parse_month("2026-11"), now=EVAL_AT)
    assert (empty["rosters"], empty["shifts"], empty["logs"], empty["handovers"]) == ([], 0, 0, 0)


def test_rosters_count_their_shifts_and_unfilled_seats_within_the_month(make_roster, manager, time_machine):  # noqa: F811
    """Six engineers a day wanted from a team of four: seats stay unfilled. The roster runs from 09-30
    to 10-02: only its October days count."""
    from roster.services.rosters import PositionSpec

    time_machine.move_to(local(2026, 9, 20, 9), tick=False)
    made = make_roster(dt.date(2026, 9, 30), dt.date(2026, 10, 2), positions=[PositionSpec("full", "engineer", 6)],
                       name="缺员值班表")
    empty = Assignment.objects.filter(shift__roster=made, member__isnull=True)
    in_october = empty.filter(shift__date__gte=dt.date(2026, 10, 1)).count()
    assert 0 < in_october < empty.count()
    [roster] = sources.duty_summary(period=OCTOBER, now=EVAL_AT)["rosters"]
    assert (roster["name"], roster["shifts"], roster["unfilled"]) == ("缺员值班表", 2, in_october)


def test_the_report_and_the_acceptance_package_hold_the_real_records(
    duty_october, changes_october, users, contract, django_capture_on_commit_callbacks
):
    pm = users["project_manager"]
    with django_capture_on_commit_callbacks(execute=True):
        report = monthly_report_request(actor=pm, contract=contract, period=OCTOBER, now=EVAL_AT)
    report.refresh_from_db()
    text = "".join(page.extract_text() for page in PdfReader(report.file.open("rb")).pages).replace(" ", "")
    assert "国庆节重保" in text and "本月共排班2班次，零报告1份" in text
    assert f"国庆值班表国庆节重保2026-10-01至2026-10-02第{duty_october['roster'].version}版20" in text  # the roster, listed
    assert "已批准3项，成功完成1项，失败或被否决2项" in text and changes_october["failed"].number in text

    with django_capture_on_commit_callbacks(execute=True):
        package = acceptance_package_request(actor=pm, contract=contract, period=OCTOBER, now=EVAL_AT)
    package.refresh_from_db()
    assert package.task_state == "done", package.error
    zf = zipfile.ZipFile(io.BytesIO(package.file.read()))
    wb = load_workbook(io.BytesIO(zf.read(next(n for n in zf.namelist() if n.startswith("03-重保记录与值班日志")))))
    rows = {ws.title: [list(r) for r in ws.iter_rows(min_row=2, values_only=True)] for ws in wb.worksheets}
    assert rows["重保时期"][0][:2] == ["国庆节重保", "国庆"]
    assert rows["值班表"] == [["国庆值班表", "国庆节重保", "2026-10-01", "2026-10-02", duty_october["roster"].version, 2]]
    assert len(rows["值班班次"]) == 2 * 3 and {r[4] for r in rows["值班班次"]} == {"带班领导", "值班工程师"}
    assert [(r[3], r[4]) for r in rows["值班日志"]] == [("巡检", "机房巡检正常"), ("来电", "采购人来电咨询")]
    assert rows["值班日志"][1][5] == "GZ-20261001-0001" and rows["值班日志"][0][6] == duty_october["outgoing"].real_name
    assert [(r[4], r[5]) for r in rows["值班报告（含零报告）"]] == [("零报告", "无情况报平安")]
    [handover] = rows["交接班"]
    assert handover[4] == "已签收" and handover[6] == "备份复核" and handover[10] == "已接班"
