"""The downtime report (宕机报告) is a customer document: it shows the purchaser's view of the timeline
(no 【SLA 预警】 / 【SLA 超时】 notices, no internal comments) and one length for one outage — the
outage, the restore clock and the record read the same whole minutes (a started minute counts whole,
tickets.selectors.sla.minutes_shown), never 13.4 分钟 beside 14 分钟 (issue 19 item 9)."""

import datetime as dt
import re
import subprocess

import pytest

from reports.pdf import render_html, render_pdf
from reports.selectors.downtime import downtime_report_data
from tickets.models import ClockName, TicketEvent
from tickets.selectors.reporting import outage_minutes_shown
from tickets.selectors.sla import duration_minutes_shown, minutes_shown
from tickets.services.comments import ticket_comment
from tickets.services.escalation import sla_escalate
from tickets.services.tickets import ticket_acknowledge, ticket_create, ticket_resolve

from .conftest import SH

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 10, 10, 39, tzinfo=SH)


@pytest.fixture
def p1(users, systems):
    """A P1 reported at 10:39:00, acknowledged late (past the 50 % and 80 % warnings and the breach of
    its response clock, which the escalation scan announces), an internal comment and a public one,
    resolved 23 min 24 s after the report."""
    eng = users["engineer"]
    ticket = ticket_create(actor=users["requester"], title="大数据平台宕机", kind="fault", severity="P1",
                           business_system=systems["own"], now=T0)
    for minutes in (8, 13, 15):  # the scan, as the minute task runs it
        sla_escalate(now=T0 + dt.timedelta(minutes=minutes, seconds=5))
    ticket_acknowledge(actor=eng, ticket=ticket, now=T0 + dt.timedelta(minutes=16))
    ticket_comment(actor=eng, ticket=ticket, body="内部：先别告诉用户是存储的问题", internal=True,
                   now=T0 + dt.timedelta(minutes=17))
    ticket_comment(actor=eng, ticket=ticket, body="正在切换备用存储节点", now=T0 + dt.timedelta(minutes=18))
    return ticket_resolve(actor=eng, ticket=ticket, resolution="已恢复", now=T0 + dt.timedelta(minutes=23, seconds=24))


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "downtime.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_no_internal_notice_or_comment_is_in_the_report(p1, tmp_path):
    # Given the escalation scan wrote its notices on the ticket's timeline
    notices = TicketEvent.objects.filter(ticket=p1, kind=TicketEvent.Kind.SLA_ESCALATED)
    assert {e.note.split("】")[0] + "】" for e in notices} >= {"【SLA 预警 50%】", "【SLA 超时】"}
    # When the downtime report is made
    data = downtime_report_data(ticket_id=p1.pk, now=T0 + dt.timedelta(hours=1))
    text = _text(render_pdf("reports/pdf/downtime.html", data), tmp_path)
    # Then the purchaser's timeline is in it, and nothing internal
    kinds = [row["event"].kind for row in data["events"]]
    assert TicketEvent.Kind.SLA_ESCALATED not in kinds
    assert kinds.count(TicketEvent.Kind.COMMENTED) == 1
    assert "正在切换备用存储节点" in text and "先别告诉用户" not in text
    assert "SLA 预警" not in text and "SLA 超时" not in text and "预警/超时" not in text
    assert "响应" in text and "解决" in text


def test_the_outage_and_the_restore_clock_read_the_same_minutes(p1, tmp_path):
    data = downtime_report_data(ticket_id=p1.pk, now=T0 + dt.timedelta(hours=1))
    restore = next(c["clock"] for c in data["clocks"] if c["clock"].name == ClockName.RESTORE)
    [row] = data["downtimes"]
    # 23 min 24 s: both read 24 minutes (a started minute counts whole)
    assert restore.elapsed_seconds == 23 * 60 + 24 and restore.elapsed_minutes == 24
    assert data["outage_minutes"] == row["minutes"] == row["unplanned_minutes"] == 24 and row["planned_minutes"] == 0
    html = render_html("reports/pdf/downtime.html", data)
    assert not re.search(r"\d+\.\d+ 分钟", html), "no fractional minutes in the report"
    text = _text(render_pdf("reports/pdf/downtime.html", data), tmp_path)
    durations = re.findall(r"(\d+) 分钟", text.split("服务时限")[0])  # the heading's 停机时长
    assert durations[0] == "24"


@pytest.mark.parametrize(("seconds", "shown"), [(0, 0), (1, 1), (59, 1), (60, 1), (61, 2), (13 * 60 + 24, 14)],
                         ids=["zero", "one-second", "59s", "one-minute", "61s", "13m24s"])
def test_a_started_minute_counts_whole(seconds, shown):
    assert minutes_shown(seconds) == shown
    assert duration_minutes_shown(seconds / 60) == shown


def test_the_parts_of_a_partly_planned_outage_add_up_to_the_total_shown():
    # 100.5 minutes, 30.25 of them inside an approved change's window: the unplanned 70.25 read 71
    assert outage_minutes_shown(total=100.5, planned=30.25) == {"minutes": 101, "planned_minutes": 30, "unplanned_minutes": 71}
    assert outage_minutes_shown(total=30.0, planned=30.0) == {"minutes": 30, "planned_minutes": 30, "unplanned_minutes": 0}


def test_a_planned_claim_reads_with_the_purchasers_answer(p1, users, tmp_path):
    from tickets.models import Exclusion
    from tickets.services.downtime import downtime_record_create
    from tickets.services.exclusions import exclusion_decide

    # Given a second outage of the ticket's system claimed as planned maintenance
    downtime_record_create(actor=users["engineer"], ticket=p1, start=T0 + dt.timedelta(hours=2),
                           end=T0 + dt.timedelta(hours=2, minutes=30), planned=True, reason="计划内维护窗口",
                           now=T0 + dt.timedelta(hours=3))
    claim = Exclusion.objects.get(downtime__ticket=p1)

    def nature() -> str:
        data = downtime_report_data(ticket_id=p1.pk, now=T0 + dt.timedelta(hours=4))
        return render_html("reports/pdf/downtime.html", data)

    # While it waits it counts, and the report says so; once confirmed it reads as confirmed
    assert "非计划停机（计划内申报待确认）" in nature() and "待采购人确认" not in nature().replace("申报待确认", "")
    exclusion_decide(actor=users["approver"], exclusion=claim, action="confirm", now=T0 + dt.timedelta(hours=3, minutes=5))
    assert "计划内（采购人已确认，不计入）" in nature() and "申报待确认" not in nature()


def test_a_system_still_down_reads_the_same_minutes_on_its_restore_clock(users, systems):
    ticket = ticket_create(actor=users["requester"], title="门户宕机", kind="fault", severity="P1",
                           business_system=systems["own"], now=T0)
    data = downtime_report_data(ticket_id=ticket.pk, now=T0 + dt.timedelta(minutes=32, seconds=10))
    restore = next(c for c in data["clocks"] if c["clock"].name == ClockName.RESTORE)
    assert data["ongoing"] and data["outage_minutes"] == restore["elapsed_minutes"] == 33 and restore["state"] == "running"
    html = render_html("reports/pdf/downtime.html", data)
    assert "33 分钟（尚未恢复" in html and "33 分钟（进行中）" in html


def test_the_monthly_report_reads_the_same_minutes_for_the_outage(p1, contract):
    """The systems table, the KPI table and the downtime listing of the month read the outage as the
    downtime report does (24 minutes for 23 min 24 s); the availability is computed from the exact time."""
    from reports.selectors.monthly import monthly_report_data
    from reports.selectors.periods import parse_month

    now = T0 + dt.timedelta(days=1)
    data = monthly_report_data(contract=contract, period=parse_month("2026-11"), now=now)
    data.update(version=1, generated_at=now, generated_by_name="测试")
    html = render_html("reports/pdf/monthly.html", data)
    assert not re.search(r"\d+\.\d+ 分钟", html.split("分业务系统")[1].split("工单分类统计")[0])
    systems = html.split("分业务系统")[1].split("工单分类统计")[0]
    assert "24 分钟" in systems and "停机 24 分钟" in html and "24分" in html.split("宕机与停机记录")[1]
    assert "本月非计划停机 24 分钟" in " ".join(data["recommendations"])
    availability = data["kpi_rows"][[r["key"] for r in data["kpi_rows"]].index("availability")]
    assert availability["downtime_minutes"] == pytest.approx(23.4)
