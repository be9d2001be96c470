"""The monthly report PDF lists every row: P1/P2 and breached incidents, open tickets, resource
adjustments, with their times and clocks, whatever their number (no cap), user text escaped; the
data behind it takes the same number of queries whatever the number of rows.

The volume is inserted in bulk (as bench/kpis.py does): 206 ticket services calls would only slow the
suite, and what is tested here is the reading and the rendering."""

import datetime as dt
import subprocess

import pytest

from reports.pdf import render_pdf
from reports.selectors.monthly import monthly_report_data
from reports.selectors.periods import parse_month

from .conftest import EVAL_AT, at

pytestmark = pytest.mark.django_db
OCTOBER = parse_month("2026-10")
MANY = 206  # more than the 200 rows the PDF used to stop at
QUERIES = 69  # monthly_report_data: KPIs, aggregates, one query per list (and its clocks), duty records, the change
# windows behind the downtime listing's planned minutes (8.2.8); 12 for the routine work (routine.selectors.report); exclusions, reopened tickets;
# the clock targets from the SLA policies; the confirmed planned / force-majeure claims in the KPIs and the claims'
# states in the downtime listing (issue 15 item 3: the fixture's outage carries a claim); the contract's service year
# and its major incidents (issue 15 item 9); the usage section merged from main (5: samples, hosts, findings, counts); the clocks measured against a target other
# than the contract's (issue 15 item 5); the running clocks of the duration figures (their longest is the maximum, issue 19)


def _breached_faults(n, *, users, system, title=lambda i: f"批量故障 {i}"):
    """n P3 faults reported one a minute from 10-02 08:00, still in progress, their resolve clock past
    due (breached): each is listed in section 六 (breached) and in section 九 (open)."""
    from tickets.models import SlaClock, Ticket

    req = users["requester"]
    tickets = Ticket.objects.bulk_create([
        Ticket(number=f"GZ-20261002-{9000 + i}", title=title(i), kind="fault", severity="P3", status="in_progress",
               business_system=system, requester=req, organization=system.organization, recorded_by=req,
               reported_at=at(10, 2, 8) + dt.timedelta(minutes=i), acknowledged_at=at(10, 2, 8, 5) + dt.timedelta(minutes=i),
               created_at=at(10, 2, 8), updated_at=at(10, 2, 8))
        for i in range(n)
    ])
    SlaClock.objects.bulk_create([
        SlaClock(ticket=t, name=name, target_minutes=target, calendar="24x7", stop_on=stop, started_at=t.reported_at,
                 due_at=t.reported_at + dt.timedelta(minutes=target), stopped_at=stopped,
                 elapsed_minutes=5 if stopped else None, breached=False)
        for t in tickets
        for name, target, stop, stopped in (("response", 15, "acknowledge", t.acknowledged_at), ("resolve", 30, "resolve", None))
    ])
    return tickets


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "monthly.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_every_listed_row_is_in_the_pdf_with_its_times_and_clocks(october, users, contract, tmp_path):
    tickets = _breached_faults(MANY, users=users, system=october["own"],
                               title=lambda i: "最后一张 <b>粗体</b> 标题" if i == MANY - 1 else f"批量故障 {i}")
    data = monthly_report_data(contract=contract, period=OCTOBER, now=EVAL_AT)
    assert data["incidents"]["total"] == MANY + 4  # + T2, T3, T6, T7 of the hand-built month
    assert data["open_issues"]["count"] == MANY + 1  # + T7, never acknowledged
    data.update(version=1, generated_at=EVAL_AT, generated_by_name="测试")
    text = _pdf_text(render_pdf("reports/pdf/monthly.html", data), tmp_path)

    last = tickets[-1]
    assert text.count(last.number) == 2  # section 六 and section 九, beyond the 200th row of each
    line = next(line for line in text.splitlines() if last.number in line and "超时" in line)
    # reported, acknowledged, no locate, no resolve; response 5 of 15 minutes, resolve running past due
    assert "10-02 11:25" in line and "10-02 11:30" in line and "5分/15分" in line and "进行中/30分" in line
    assert "最后一张 <b>粗体</b> 标题" in text  # escaped: shown as typed, not bold
    assert "下表列出最早" not in text and "完整清单见工单台账" not in text


def test_clock_states_are_those_at_the_time_of_the_report(october, users, contract):
    """Met, breached (stopped late, or still running past due), running within target; the resource
    adjustment's resolve clock with its paused time left out."""
    from tickets.models import SlaClock, Ticket

    [running] = _breached_faults(1, users=users, system=october["own"])
    Ticket.objects.filter(pk=running.pk).update(severity="P2")  # listed as P2, its resolve clock not yet due
    SlaClock.objects.filter(ticket=running, name="resolve").update(due_at=EVAL_AT + dt.timedelta(hours=1))
    data = monthly_report_data(contract=contract, period=OCTOBER, now=EVAL_AT)
    states = {r["number"]: {c["name"]: (c["elapsed_minutes"], c["state"]) for c in r["clocks"]} for r in data["incidents"]["rows"]}
    assert states[october["t2"].number] == {"response": (20, "breached"), "resolve": (60, "breached")}
    assert states[october["t7"].number] == {"response": (None, "breached"), "resolve": (None, "breached")}  # never acknowledged
    assert states[october["t3"].number] == {"response": (7, "met"), "resolve": (22, "met"), "restore": (180, "met")}
    assert states[running.number] == {"response": (5, "met"), "resolve": (None, "running")}
    [t5] = data["resources"]["rows"]
    assert (t5["number"], t5["elapsed_minutes"], t5["state"]) == (october["t5"].number, 120, "met")


def test_the_listings_use_the_embedded_monospace_cjk_font(october, users, contract, tmp_path):
    _breached_faults(MANY, users=users, system=october["own"])  # long lists: listings, not tables
    data = monthly_report_data(contract=contract, period=OCTOBER, now=EVAL_AT)
    data.update(version=1, generated_at=EVAL_AT, generated_by_name="测试")
    path = tmp_path / "monthly.pdf"
    path.write_bytes(render_pdf("reports/pdf/monthly.html", data))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    mono = [line for line in fonts.splitlines() if "Noto-Sans-Mono-CJK-SC" in line]
    assert mono and all(" yes " in line for line in mono), fonts  # embedded


def test_the_report_data_takes_the_same_queries_whatever_the_number_of_rows(
    october, users, contract, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES):
        few = monthly_report_data(contract=contract, period=OCTOBER, now=EVAL_AT)
    _breached_faults(MANY, users=users, system=october["own"])
    with django_assert_num_queries(QUERIES):
        many = monthly_report_data(contract=contract, period=OCTOBER, now=EVAL_AT)
    assert many["incidents"]["total"] == few["incidents"]["total"] + MANY

