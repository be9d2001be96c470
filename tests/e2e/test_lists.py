"""The ticket list's tools in the browser (issue 19 item 10): the duty leader ticks rows of the queue
and comments on them in bulk, saves the filters as a view, and downloads the filtered list; at laptop
and phone widths, with nothing scrolling sideways and every new control labelled."""

import csv
import io

from playwright.sync_api import expect

from tests.e2e.conftest import E2E_DB
from tests.e2e.test_experience import UNLABELLED_JS, _overflow
from tickets.models import TicketComment

pytestmark = E2E_DB


def test_duty_leader_bulk_comments_saves_a_view_and_exports(e2e):
    page = e2e.login("lead")
    page.goto(e2e.url("/tickets/queue/open/"))
    rows = page.locator("input[name=tickets][form=bulk-form]")
    assert rows.count() >= 2
    assert page.evaluate(UNLABELLED_JS) == []
    expect(page.locator("[data-bulk-for=comment]")).to_be_hidden()  # the assign input shows first
    rows.nth(0).check()
    rows.nth(1).check()
    expect(page.locator("#bulk-count")).to_have_text("已选 2 张")
    page.select_option("#bulk-form select[name=action]", "comment")
    expect(page.locator("[data-bulk-for=assign]")).to_be_hidden()
    page.fill("#bulk-form textarea[name=body]", "机房空调告警，统一跟进处理")
    e2e.shot(page, "queue-bulk-1366")
    with page.expect_navigation():
        page.click("#bulk-form button[type=submit]")
    expect(page.get_by_text("已在 2 张工单上发表评论。")).to_be_visible()
    assert TicketComment.objects.filter(body="机房空调告警，统一跟进处理").count() == 2
    assert "/tickets/queue/open/" in page.url

    # Save the list's current filters as a view, then open it from its chip.
    page.goto(e2e.url("/tickets/?kind=fault"))
    page.click("section.saved-views summary")
    page.fill("section.saved-views input[name=name]", "故障")
    with page.expect_navigation():
        page.click("section.saved-views button:has-text('保存当前筛选')")
    expect(page.locator(".view-chips a[aria-current=true]")).to_have_text("故障")
    e2e.shot(page, "list-views-1366")

    with page.expect_download() as download:
        page.click(".export-links a:has-text('CSV')")
    body = open(download.value.path(), encoding="utf-8-sig").read()
    table = list(csv.reader(io.StringIO(body)))
    assert table[0][0] == "编号" and len(table) > 1
    assert {row[2] for row in table[1:]} == {"故障"}


def test_the_list_tools_fit_a_phone(e2e):
    page = e2e.login("lead", width=360, height=740)
    for path, label in (("/tickets/queue/open/", "queue"), ("/tickets/", "list")):
        page.goto(e2e.url(path))
        assert _overflow(page) <= 0, f"{path} scrolls sideways at 360px"
        expect(page.locator("#bulk-form button[type=submit]")).to_be_visible()
        page.click("section.saved-views summary")
        expect(page.locator("section.saved-views input[name=name]")).to_be_visible()
        assert _overflow(page) <= 0, f"{path} scrolls sideways at 360px with the views open"
        e2e.shot(page, f"{label}-360")
    page = e2e.login("eng1", width=360, height=740)
    page.goto(e2e.url("/tickets/queue/mine/"))
    assert page.locator("#bulk-form").count() == 0  # bulk actions are the duty leader's
    assert _overflow(page) <= 0
    e2e.shot(page, "engineer-queue-360")
