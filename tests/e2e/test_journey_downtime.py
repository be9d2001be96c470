"""Journey 2: a phoned-in P1 (system down) is recorded by the engineer with the time of the call,
acknowledged and resolved; its outage record closes with it, and the project manager downloads the
downtime report PDF from the ticket page."""

import datetime as dt
import io

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import User
from accounts.selectors import user_tenant_id
from tests.e2e.conftest import E2E_DB
from tickets.models import BusinessSystem, Ticket

pytestmark = E2E_DB

TITLE = "社保业务系统整体宕机（E2E）"


def test_p1_outage_and_its_downtime_report(e2e):
    caller = User.objects.get(username="req1")
    system = BusinessSystem.objects.filter(organization_id=user_tenant_id(caller)).order_by("pk").first()
    called_at = timezone.localtime(timezone.now() - dt.timedelta(minutes=12)).replace(second=0, microsecond=0)

    engineer = e2e.login("eng1")
    engineer.goto(e2e.url("/tickets/intake/"))
    expect(engineer.locator("h1")).to_have_text("电话/邮件报障登记")
    form = engineer.locator("main form.ticket-form")
    form.locator("#id_channel").select_option("phone")
    form.locator("#id_reported_at").fill(called_at.strftime("%Y-%m-%dT%H:%M"))
    form.locator("#id_requester").select_option(str(caller.pk))
    form.locator("#id_kind").select_option("fault")
    form.locator("#id_severity").select_option("P1")
    form.locator("#id_business_system").select_option(str(system.pk))
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_description").fill("来电：系统首页和接口全部无响应。")
    e2e.shot(engineer, "intake-form")
    with engineer.expect_navigation():
        form.locator("button[type=submit]").click()
    ticket = Ticket.objects.get(title=TITLE)
    assert ticket.severity == "P1" and ticket.reported_at == called_at and ticket.channel == "phone"
    expect(engineer.locator("main #down-h")).to_be_visible()  # the outage record opened with the P1
    expect(engineer.locator("main section[aria-labelledby=down-h]")).to_contain_text("持续中")

    for label in ("认领", "响应"):
        with engineer.expect_navigation():
            engineer.locator("main .ticket-actions").get_by_role("button", name=label, exact=True).click()
    panel = engineer.locator("main details.action-panel", has=engineer.locator("summary", has_text="解决"))
    panel.locator("summary").click()
    panel.locator("textarea").first.fill("存储链路切换后恢复，已确认业务正常。")
    with engineer.expect_navigation():
        panel.get_by_role("button", name="确认解决").click()
    expect(engineer.locator(".ticket-head .status")).to_have_text("已解决")
    ticket.refresh_from_db()
    record = ticket.downtimes.get()
    assert record.start == called_at and record.end == ticket.resolved_at and not record.claimed_planned
    e2e.shot(engineer, "p1-resolved")

    manager = e2e.login("pm")
    manager.goto(e2e.url(f"/tickets/{ticket.pk}/"))
    outage = manager.locator("main section[aria-labelledby=down-h]")
    expect(outage).to_contain_text(system.name)
    e2e.shot(manager, "p1-ticket-page")
    with manager.expect_download() as info:
        outage.get_by_role("link", name="下载宕机报告（PDF）").click()
    download = info.value
    content = open(download.path(), "rb").read()
    assert content.startswith(b"%PDF-") and len(content) > 5000
    assert download.suggested_filename.endswith(".pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert ticket.number in text and "宕机报告" in text.replace(" ", "")
