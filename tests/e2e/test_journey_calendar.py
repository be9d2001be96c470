"""Issue 19 item 5 in a real browser: proposing 2027's heavy-protection periods finds no holiday data and
links to the 节假日日历 page; the project manager pastes the State Council's notice, checks the preview,
confirms, and the proposal for 2027 then works and is saved. The auditor reads the edit in the audit
log in words."""

import datetime as dt
from pathlib import Path

from playwright.sync_api import expect

from roster.models import CalendarDay, CalendarYearEvent, HeavyProtectionPeriod
from tests.e2e.conftest import E2E_DB

pytestmark = E2E_DB

NOTICE_2027 = (Path(__file__).resolve().parents[1] / "data" / "calendar" / "notice_2027.txt").read_text(encoding="utf-8")


def test_holiday_entry_unblocks_the_heavy_protection_proposal(e2e):
    assert not CalendarDay.objects.filter(date__year=2027).exists()  # the demo has no 2027 holidays
    pm = e2e.login("pm")
    pm.goto(e2e.url("/roster/periods/?propose=1&year=2027"))
    alert = pm.locator(".messages")
    expect(alert).to_contain_text("2027 年没有节假日日历数据")
    e2e.shot(pm, "propose-2027-missing")
    with pm.expect_navigation():
        alert.get_by_role("link", name="录入 2027 年节假日安排").click()
    main = pm.locator("main")
    expect(main).to_contain_text("2027 年尚未录入节假日安排")

    # A typo in the pasted notice: the line is named and nothing is saved.
    form = main.locator("form.stacked")
    form.locator("#id_text").fill(NOTICE_2027.replace("共9天", "共8天"))
    with pm.expect_navigation():
        form.get_by_role("button", name="预览").click()
    expect(main.get_by_role("alert")).to_contain_text("通知写“共8天”")
    e2e.shot(pm, "calendar-bad-line")
    assert not CalendarDay.objects.filter(date__year=2027).exists()

    form = main.locator("form.stacked")
    form.locator("#id_text").fill(NOTICE_2027)
    with pm.expect_navigation():
        form.get_by_role("button", name="预览").click()
    preview = main.locator("section.preview")
    expect(preview).to_contain_text("预览：2027 年放假安排（尚未保存）")
    expect(preview).to_contain_text("春节")
    assert not CalendarDay.objects.filter(date__year=2027).exists()  # a preview saves nothing
    width = pm.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width <= 0, "the calendar page scrolls sideways at 1366 px"
    e2e.shot(pm, "calendar-preview")
    with pm.expect_navigation():
        preview.get_by_role("button", name="确认保存").click()
    expect(pm.locator(".messages")).to_contain_text("2027 年节假日安排已保存")
    expect(main.locator("#h-history")).to_contain_text("2027 年修改记录")
    expect(main).to_contain_text("导入国务院通知")
    e2e.shot(pm, "calendar-saved")
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 20)).kind == "makeup_workday"
    assert CalendarYearEvent.objects.get(year=2027).actor.username == "pm"

    # The proposal that was a dead end now works, and its first line is saved.
    pm.goto(e2e.url("/roster/periods/?propose=1&year=2027&lead_days=0&trail_days=0"))
    proposals = pm.locator("table.proposals")
    expect(proposals).to_contain_text("2027年春节重保")
    expect(proposals).to_contain_text("2027-02-05")
    e2e.shot(pm, "propose-2027")
    row = proposals.locator("tr", has_text="2027年春节重保")
    with pm.expect_navigation():
        row.get_by_role("button", name="确认保存").click()
    saved = HeavyProtectionPeriod.objects.get(name="2027年春节重保")
    assert (saved.start, saved.end) == (dt.date(2027, 2, 5), dt.date(2027, 2, 14))

    # The provider's quality auditor reads the calendar's history entry in the audit log, in words.
    auditor = e2e.login("qa")
    auditor.goto(e2e.url("/audit-log/?object_type=roster.calendaryearevent"))
    log = auditor.locator("main table.audit-log")
    expect(log).to_contain_text("工作日历变更记录")
    expect(log).to_contain_text("导入国务院通知")
    assert "roster.calendaryearevent" not in log.inner_text()
    e2e.shot(auditor, "audit-log-calendar")
    auditor.goto(e2e.url("/audit-log/"))
    e2e.shot(auditor, "audit-log")
