"""Journey 1: a requester reports a P2 fault with an attachment; an engineer sees it arrive in the
queue by itself (htmx polling), claims and acknowledges it in place, locates and resolves it on the
ticket page; the requester confirms the resolution and rates it 5."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import E2E_DB
from tickets.models import Ticket

pytestmark = E2E_DB

TITLE = "门户网站首页打不开（E2E）"


def test_fault_from_report_to_rating(e2e):
    # The engineer keeps the unassigned queue open; the browser clock is controlled so the 30 s poll
    # can be made to fire without waiting for it.
    engineer = e2e.new_page()
    engineer.clock.install()
    _login(e2e, engineer, "eng1")
    engineer.goto(e2e.url("/tickets/queue/unassigned/"))
    expect(engineer.locator("#ticket-table")).to_contain_text("每 30 秒自动刷新")
    expect(engineer.locator("#ticket-table")).not_to_contain_text(TITLE)

    requester = e2e.login("req1")
    requester.goto(e2e.url("/tickets/new/"))
    expect(requester.locator("h1")).to_have_text("提交工单")
    form = requester.locator("main form.ticket-form")
    form.locator("#id_kind").select_option("fault")
    form.locator("#id_severity").select_option("P2")
    form.locator("#id_business_system").select_option(index=1)
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_description").fill("09:10 起首页 502，影响对外办事入口。")
    form.locator("#id_attachments").set_input_files(
        [{"name": "nginx-error.log", "mimeType": "text/plain", "buffer": b"upstream timed out (110)\n"}]
    )
    e2e.shot(requester, "submit-form", tour="1-submit-ticket")
    with requester.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(requester.locator("h1")).to_contain_text(TITLE)
    expect(requester.locator("main")).to_contain_text("nginx-error.log")
    ticket = Ticket.objects.get(title=TITLE)
    assert (ticket.severity, ticket.kind, ticket.status) == ("P2", "fault", "new")
    e2e.shot(requester, "submitted")

    # The queue refreshes itself: advance the page's clock past the poll interval, no reload.
    row = engineer.locator(f"#ticket-row-{ticket.pk}")
    expect(row).to_have_count(0)
    engineer.clock.fast_forward("00:31")
    expect(row).to_be_visible()
    expect(row).to_contain_text(ticket.number)
    expect(row.locator(".sla[data-sla-clock=response]")).to_have_class(re.compile(r"\bsla-ok\b"))
    e2e.shot(engineer, "queue-with-new-ticket")

    # Claim and acknowledge in place (htmx swaps the row).
    row.get_by_role("button", name=re.compile("^认领")).click()
    expect(row).to_contain_text("已认领")
    row.get_by_role("button", name=re.compile("^响应")).click()
    expect(row).to_contain_text("已响应")
    ticket.refresh_from_db()
    assert ticket.assignee.username == "eng1" and ticket.status == "acknowledged"
    e2e.shot(engineer, "queue-claimed-acknowledged", tour="2-work-queue")

    # Locate and resolve on the ticket page.
    engineer.goto(e2e.url(f"/tickets/{ticket.pk}/"))
    _panel_action(engineer, "定位", {"textarea": "上游应用池耗尽，已定位到连接泄漏。"})
    expect(engineer.locator(".ticket-head .status")).to_have_text("已定位")
    _panel_action(engineer, "解决", {"textarea": "重启应用池并修复连接释放，首页恢复。"})
    expect(engineer.locator(".ticket-head .status")).to_have_text("已解决")
    e2e.shot(engineer, "ticket-resolved", tour="3-ticket-page")

    # The requester confirms and rates 5.
    requester.goto(e2e.url(f"/tickets/{ticket.pk}/"))
    with requester.expect_navigation():
        requester.locator("main").get_by_role("button", name="确认关闭").click()
    expect(requester.locator(".ticket-head .status")).to_have_text("已关闭")
    requester.locator("main input[name=score][value='5']").check()
    requester.locator("main #rate-h ~ form textarea, main form[action$='/do/rate/'] textarea").first.fill("处理很快。")
    with requester.expect_navigation():
        requester.locator("main").get_by_role("button", name="提交评价").click()
    expect(requester.locator("main .score")).to_have_text("5 / 5")
    e2e.shot(requester, "closed-and-rated")

    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert ticket.satisfaction.score == 5
    assert ticket.attachments.count() == 1


def _login(e2e, page, username):
    page.goto(e2e.url("/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", "opsdesk-demo")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/accounts/login/" not in page.url


def _panel_action(page, label, fill):
    panel = page.locator("main details.action-panel", has=page.locator("summary", has_text=re.compile(f"^{label}$")))
    panel.locator("summary").click()
    panel.locator("textarea").first.fill(fill["textarea"])
    with page.expect_navigation():
        panel.get_by_role("button", name=f"确认{label}").click()
