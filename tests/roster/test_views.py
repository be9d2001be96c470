import datetime as dt
import re
import subprocess

import pytest
from icalendar import Calendar

from roster.models import Assignment
from roster.services.members import member_feed_token_rotate
from roster.services.rosters import roster_feed_token_rotate

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(make_roster):
    return make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 7))


PAGES = ["/roster/on-duty/", "/roster/rosters/", "/roster/mine/", "/roster/swaps/", "/roster/log/", "/roster/handover/", "/roster/periods/"]


def test_pages_render_for_manager_engineer_and_auditor(client, users, manager, team, roster):
    for user in (manager, team["e1"].user, users["auditor"]):
        client.force_login(user)
        for path in [*PAGES, f"/roster/rosters/{roster.pk}/"]:
            if path == "/roster/mine/" and user == users["auditor"]:
                continue
            response = client.get(path)
            assert response.status_code == 200, (user.username, path, response.status_code)


def test_purchasers_are_refused_duty_pages_but_see_periods(client, users, roster):
    client.force_login(users["requester"])
    for path in [p for p in PAGES if p != "/roster/periods/"] + [f"/roster/rosters/{roster.pk}/", f"/roster/rosters/{roster.pk}/roster.csv"]:
        assert client.get(path).status_code == 403, path
    assert client.get("/roster/periods/").status_code == 200


def test_roster_grid_shows_people_by_days_with_fairness(client, manager, roster):
    client.force_login(manager)
    html = client.get(f"/roster/rosters/{roster.pk}/").content.decode()
    assert 'class="roster-grid"' in html and "pos-leader" in html and "pos-engineer" in html and "公平性" in html
    assert "<script>" not in html and "onclick" not in html


def test_page_query_counts_are_constant(client, manager, make_roster, time_machine):
    """Each page costs the same number of queries with a 3-day roster as with a 21-day one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roster.services.duty import duty_log_add, handover_submit

    def measure(roster) -> dict:
        shift = roster.shifts.order_by("start").first()
        time_machine.move_to(shift.start + dt.timedelta(hours=1))
        for n in range(roster.shifts.count()):
            duty_log_add(actor=manager, shift_id=shift.pk, kind="note", text=f"记录 {n}")
        handover_submit(actor=manager, shift_id=shift.pk, manual_items=["a", "b"])
        client.force_login(manager)
        counts = {}
        for path in [f"/roster/rosters/{roster.pk}/", "/roster/rosters/", "/roster/on-duty/", "/roster/swaps/", "/roster/periods/",
                     "/roster/mine/", f"/roster/log/?shift={shift.pk}", f"/roster/handover/?shift={shift.pk}"]:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(path).status_code == 200, path
            counts[path.split("?")[0].replace(str(roster.pk), "<pk>")] = len(ctx.captured_queries)
        return counts

    small = measure(make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 3)))
    big = measure(make_roster(dt.date(2026, 12, 10), dt.date(2026, 12, 30)))
    assert small == big


def test_manager_generates_and_publishes_from_the_page(client, manager, team):
    client.force_login(manager)
    response = client.post("/roster/rosters/new/", {
        "name": "元旦值班", "start_date": "2026-12-30", "end_date": "2027-01-02", "leader_templates": ["full"], "leader_count": 1,
        "engineer_templates": ["full"], "engineer_count": 2, "security_count": 1, "onsite_count": 1,
        "members": [m.pk for m in team.values()], "min_rest_hours": 11, "max_consecutive_nights": 2,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    detail = response["Location"]
    pk = int(detail.rstrip("/").split("/")[-1])
    client.post(f"/roster/rosters/{pk}/do/generate/")
    client.post(f"/roster/rosters/{pk}/do/publish/")
    assert Assignment.objects.filter(shift__roster_id=pk, member__isnull=True).count() == 0
    html = client.get(detail).content.decode()
    assert "已发布" in html and "第 1 版" in html


def test_engineer_cannot_publish_or_create(client, team, roster):
    client.force_login(team["e1"].user)
    assert client.get("/roster/rosters/new/").status_code == 403
    assert client.post(f"/roster/rosters/{roster.pk}/do/publish/").status_code == 403
    assert client.post(f"/roster/rosters/{roster.pk}/do/generate/").status_code == 403
    assert client.post(f"/roster/rosters/{roster.pk}/do/feed/").status_code == 403


def test_csv_has_a_bom_and_chinese_headers(client, manager, roster):
    client.force_login(manager)
    body = client.get(f"/roster/rosters/{roster.pk}/roster.csv").content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig").splitlines()
    assert text[0].startswith("日期,班次,开始,结束,岗位") and len(text) == 1 + 7 * 3
    assert "2026-12-01 08:30" in text[1]


def test_pdf_embeds_a_cjk_font(client, manager, roster, tmp_path):
    client.force_login(manager)
    response = client.get(f"/roster/rosters/{roster.pk}/roster.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    pdf = tmp_path / "roster.pdf"
    pdf.write_bytes(response.content)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-CJK-SC" in fonts and "DejaVu" not in fonts
    from pypdf import PdfReader

    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert "值班表" in text and "带班领导" in text


def test_ical_feeds_parse_back_with_the_same_times(client, manager, team, roster):
    roster_feed_token_rotate(actor=manager, roster_id=roster.pk)
    roster.refresh_from_db()
    body = client.get(f"/roster/feeds/roster/{roster.ical_token}.ics").content
    cal = Calendar.from_ical(body)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    seats = Assignment.objects.filter(shift__roster=roster).select_related("shift")
    assert len(events) == seats.count() == 21
    for seat in seats:
        event = events[f"roster-seat-{seat.pk}@opsdesk"]
        assert event.decoded("dtstart") == seat.shift.start and event.decoded("dtend") == seat.shift.end
        assert str(event["dtstart"].params["TZID"]) == "Asia/Shanghai"
        assert event.decoded("dtstart").utcoffset() == dt.timedelta(hours=8)
    assert cal.walk("VTIMEZONE")
    assert event.decoded("dtstart") == local(seat.shift.date.year, seat.shift.date.month, seat.shift.date.day, 8, 30)

    member = team["e1"]
    member_feed_token_rotate(actor=member.user, member=member)
    member.refresh_from_db()
    mine = Calendar.from_ical(client.get(f"/roster/feeds/member/{member.ical_token}.ics").content)
    assert len(mine.walk("VEVENT")) == Assignment.objects.filter(member=member).count() > 0

    old = member.ical_token
    member_feed_token_rotate(actor=member.user, member=member, revoke=True)
    assert client.get(f"/roster/feeds/member/{old}.ics").status_code == 404
    roster_feed_token_rotate(actor=manager, roster_id=roster.pk, revoke=True)
    assert client.get(f"/roster/feeds/roster/{roster.ical_token}.ics").status_code == 404


def test_user_text_is_escaped(client, manager, team, roster, time_machine):
    from roster.services.duty import duty_log_add

    shift = roster.shifts.order_by("start").first()
    time_machine.move_to(shift.start + dt.timedelta(hours=1))
    duty_log_add(actor=manager, shift_id=shift.pk, kind="note", text="<script>alert(1)</script>")
    client.force_login(manager)
    html = client.get(f"/roster/log/?shift={shift.pk}").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html


def fake_open_items(*, user, shift):
    """Stands in for the tickets selector the integrator wires in."""
    return [
        {"ticket": "GD-2026-0042", "title": "数据库主从延迟", "remaining_minutes": 18, "note": f"{shift.template.name}"},
        {"ticket": "GD-2026-0007", "title": "备份作业失败", "remaining_minutes": -3205, "note": ""},
    ]


@pytest.fixture
def fake_provider():
    from roster.selectors.handover import HANDOVER_OPEN_ITEMS

    with HANDOVER_OPEN_ITEMS.replaced(tests=[fake_open_items]):
        yield


def test_handover_page_fills_open_items_from_the_registered_provider_and_is_signed_off(client, fake_provider, roster, time_machine):
    first, second = roster.shifts.order_by("start")[:2]
    outgoing = Assignment.objects.filter(shift=first, position="engineer").select_related("member__user").first().member.user
    incoming = Assignment.objects.filter(shift=second, position="engineer").select_related("member__user").first().member.user
    time_machine.move_to(first.end - dt.timedelta(minutes=10))
    client.force_login(outgoing)
    page = client.get(f"/roster/handover/?shift={first.pk}").content.decode()
    assert "GD-2026-0042" in page and "剩余 18 分" in page
    # A deadline already passed reads as overdue, in days and hours (not "剩余 -3205 分钟").
    assert "已超时 2 天 5 小时" in page and "-3205" not in page
    response = client.post("/roster/handover/", {"form": "submit", "shift": first.pk, "manual_items": "备份复核\n\n机房空调告警已报修", "notes": ""})
    assert response.status_code == 302
    handover = first.handover
    assert handover.open_items[0]["ticket"] == "GD-2026-0042" and handover.manual_items == ["备份复核", "机房空调告警已报修"]
    client.force_login(incoming)
    client.post("/roster/handover/", {"form": "sign", "shift": first.pk, "note": "已接班"})
    handover.refresh_from_db()
    assert handover.status == "signed" and handover.to_user == incoming


def test_duty_log_page_records_and_reports(client, roster, time_machine):
    shift = roster.shifts.order_by("start").first()
    engineer = Assignment.objects.filter(shift=shift, position="engineer").select_related("member__user").first().member.user
    time_machine.move_to(shift.start + dt.timedelta(hours=3))
    client.force_login(engineer)
    page = client.get("/roster/log/").content.decode()  # the shift the user is on now
    assert shift.template.name in page
    client.post("/roster/log/", {"form": "log", "shift": shift.pk, "kind": "phone", "text": "采购人来电咨询", "ticket_ref": ""})
    bad = client.post("/roster/log/", {"form": "report", "shift": shift.pk, "kind": "events", "summary": ""})
    assert bad.status_code == 200 and "情况报告请填写内容" in bad.content.decode()
    client.post("/roster/log/", {"form": "report", "shift": shift.pk, "kind": "zero", "summary": ""})
    assert shift.log_entries.get().kind == "phone" and shift.report.kind == "zero"


def test_period_page_proposes_and_saves(client, manager):
    from roster.models import HeavyProtectionPeriod

    client.force_login(manager)
    page = client.get("/roster/periods/", {"propose": 1, "year": 2026, "lead_days": 0, "trail_days": 0}).content.decode()
    assert "2026年春节重保" in page and "2026-02-15" in page and "2026-02-23" in page
    response = client.post("/roster/periods/", {"name": "2026年春节重保", "kind": "spring_festival", "start": "2026-02-15", "end": "2026-02-23", "level": 2})
    assert response.status_code == 302
    assert HeavyProtectionPeriod.objects.get().end == dt.date(2026, 2, 23)
    missing = client.get("/roster/periods/", {"propose": 1, "year": 2027}).content.decode()
    assert "2027 年没有节假日日历数据" in missing
    bad = client.post("/roster/periods/", {"name": "x", "kind": "meeting", "start": "2026-05-02", "end": "2026-05-01", "level": 1})
    assert bad.status_code == 200 and "结束日期不能早于开始日期" in bad.content.decode()


def test_swap_inbox_page_flow(client, manager, team, make_roster, time_machine):
    from roster.services.rosters import PositionSpec

    time_machine.move_to(local(2026, 11, 28, 9))
    roster = make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 1), positions=[PositionSpec("day", "engineer", 1)])
    seat = Assignment.objects.select_related("member__user").get(shift__roster=roster)
    helper = next(m for k, m in team.items() if k.startswith("e") and m.pk != seat.member_id)
    client.force_login(seat.member.user)
    assert "换班/替班" in client.get("/roster/mine/").content.decode()
    assert client.get(f"/roster/swaps/new/?assignment={seat.pk}").status_code == 200
    client.post("/roster/swaps/new/", {"assignment": seat.pk, "counterpart": helper.pk, "reason": "就医"})
    swap = seat.member.swaps_requested.get()
    client.force_login(helper.user)
    assert "接受" in client.get("/roster/swaps/").content.decode()
    client.post("/roster/swaps/", {"swap": swap.pk, "action": "accept"})
    client.force_login(manager)
    client.post("/roster/swaps/", {"swap": swap.pk, "action": "approve"})
    seat.refresh_from_db()
    assert seat.member_id == helper.pk
    client.force_login(team["e1"].user if team["e1"].pk not in (helper.pk, swap.requester_id) else team["e4"].user)
    assert client.post("/roster/swaps/", {"swap": swap.pk, "action": "cancel"}).status_code == 404


def test_csv_cells_cannot_become_formulas():
    from roster.exports import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _cell("张伟") == "张伟" and _cell(3) == "3"


def test_daily_report_form_in_a_heavy_protection_period(client, manager, make_roster, time_machine):
    from roster.services.periods import period_create

    period = period_create(actor=manager, name="两会保障", kind="two_sessions", start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 2))
    roster = make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 2), period=period)
    shift = roster.shifts.order_by("start").first()
    engineer = Assignment.objects.filter(shift=shift, position="engineer").select_related("member__user").first().member.user
    time_machine.move_to(shift.start + dt.timedelta(hours=20))
    client.force_login(engineer)
    assert "重保日报 12-01（两会保障）" in client.get(f"/roster/log/?shift={shift.pk}").content.decode()
    client.post("/roster/log/", {"form": "daily", "shift": shift.pk, "daily-kind": "zero", "daily-summary": ""})
    assert roster.reports.get(day=dt.date(2026, 12, 1)).summary == "无情况报平安"


def test_the_new_roster_form_names_each_members_positions_in_chinese(client, manager, team):
    client.force_login(manager)
    html = client.get("/roster/rosters/new/").content.decode()
    assert "值班工程师" in html
    assert not re.search(r"（[^）]*\b(leader|engineer|security|onsite)\b[^）]*）", html)
