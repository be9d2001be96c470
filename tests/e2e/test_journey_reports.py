"""Journey 5: the project manager generates the monthly operations report (a task: the page shows its
state and progress), looks at the preview of its first pages, confirms and issues it, downloads the PDF, then generates and downloads the acceptance
package (zip with a manifest)."""

import io
import zipfile

from playwright.sync_api import expect

from reports.models import AcceptancePackage, MonthlyReport
from tests.e2e.conftest import E2E_DB

pytestmark = E2E_DB

# In tests the generation task runs in-process, inside the POST (with the demo history of
# `make screenshots` it takes longer than the default 15 s); with a broker the POST returns at once.
SLOW = 120_000


def test_monthly_report_issue_and_package(e2e):
    page = e2e.login("pm")
    page.goto(e2e.url("/reports/monthly/"))
    expect(page.locator("h1")).to_have_text("运维报告")
    month = page.locator("main #g-month").input_value()
    assert len(month) == 7 and month[4] == "-"
    e2e.shot(page, "monthly-list")
    with page.expect_navigation(timeout=SLOW):
        page.locator("main").get_by_role("button", name="生成月报").click(timeout=SLOW)
    # The report page shows the generation state; it reloads itself until the task is done.
    expect(page.locator("main .report-meta")).to_contain_text("生成状态")
    expect(page.locator("main").get_by_role("link", name="下载 PDF")).to_be_visible(timeout=SLOW)
    report = MonthlyReport.objects.order_by("-pk").first()  # the one just generated (the tour's demo history holds another)
    assert report.task_state == "done" and report.month.strftime("%Y-%m") == month
    e2e.shot(page, "monthly-generated")

    # Before issuing: the first pages as images drawn by the server, and a confirmation that works
    # without scripts (a panel with a box to tick; unticked, the browser and the server refuse).
    previews = page.locator("main .preview-pages img")
    expect(previews).to_have_count(3)
    for i in range(3):  # lazy images: each loads once scrolled to, drawn on the server at first request
        previews.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=previews.nth(i).element_handle())
    page.locator("main details.issue-panel > summary").click()
    panel = page.locator("main details.issue-panel")
    expect(panel).to_contain_text("不能修改或撤回")
    e2e.shot(page, "monthly-issue-confirm")
    panel.get_by_label("我已核对本版本的预览和 PDF").check()
    with page.expect_navigation():
        panel.get_by_role("button", name="确认签发归档").click()
    expect(page.locator("main")).to_contain_text("已签发的版本不可修改")
    report.refresh_from_db()
    assert report.is_issued and report.issued_by.username == "pm" and len(report.sha256) == 64
    e2e.shot(page, "monthly-issued", tour="6-monthly-report")

    with page.expect_download() as info:
        page.locator("main").get_by_role("link", name="下载 PDF").click()
    pdf = open(info.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 20000

    page.goto(e2e.url("/reports/packages/"))
    with page.expect_navigation(timeout=SLOW):
        page.locator("main").get_by_role("button", name="生成月度材料包").click(timeout=SLOW)
    expect(page.locator("main").get_by_role("link", name="下载 ZIP")).to_be_visible(timeout=SLOW)
    expect(page.locator("main table")).to_contain_text("运维月报")
    expect(page.locator("main table")).to_contain_text("工单台账")
    e2e.shot(page, "package-done")
    package = AcceptancePackage.objects.order_by("-pk").first()
    assert package.report_id == report.pk
    with page.expect_download() as info:
        page.locator("main").get_by_role("link", name="下载 ZIP").click()
    archive = zipfile.ZipFile(io.BytesIO(open(info.value.path(), "rb").read()))
    names = archive.namelist()
    listed = {entry["path"] for entry in package.manifest}
    assert listed < set(names), names  # every listed file, plus the manifest of their hashes
    assert any(n.endswith(".pdf") for n in names) and any(n.endswith(".xlsx") for n in names)


def test_quarterly_report_and_service_year_summary(e2e):
    """Issue 18 items 2 and 4: the project manager generates last quarter's report and the current
    contract's service-year summary from the same page, issues the quarter's, builds its package; the
    dashboard shows the service year to date beside the month."""
    page = e2e.login("pm")
    page.goto(e2e.url("/reports/monthly/"))
    quarter = page.locator("main #g-quarter").input_value()
    assert len(quarter) == 7 and quarter[4:6] == "-Q"
    with page.expect_navigation(timeout=SLOW):
        page.locator("main").get_by_role("button", name="生成季度报告").click(timeout=SLOW)
    expect(page.locator("main").get_by_role("link", name="下载 PDF")).to_be_visible(timeout=SLOW)
    expect(page.locator("h1")).to_contain_text(f"{quarter} 季度运维报告 v1")
    page.locator("main details.issue-panel > summary").click()  # issuing asks for the ticked confirmation
    page.locator("main details.issue-panel").get_by_label("我已核对本版本的预览和 PDF").check()
    with page.expect_navigation():
        page.locator("main details.issue-panel").get_by_role("button", name="确认签发归档").click()
    expect(page.locator("main")).to_contain_text("已签发的版本不可修改")
    e2e.shot(page, "quarterly-issued")
    with page.expect_download() as info:
        page.locator("main").get_by_role("link", name="下载 PDF").click()
    assert info.value.suggested_filename.startswith(f"季度运维报告-{quarter}-v1")

    page.goto(e2e.url("/reports/monthly/"))
    with page.expect_navigation(timeout=SLOW):
        page.locator("main").get_by_role("button", name="生成年度运维服务总结").click(timeout=SLOW)
    expect(page.locator("main").get_by_role("link", name="下载 PDF")).to_be_visible(timeout=SLOW)
    expect(page.locator("h1")).to_contain_text("年度运维服务总结 v1")
    year = MonthlyReport.objects.get(kind="year")
    assert (year.month, year.last_day) == (year.contract.start_date, year.contract.end_date)
    page.goto(e2e.url("/reports/monthly/"))
    expect(page.locator("main table")).to_contain_text("季度运维报告")
    expect(page.locator("main table")).to_contain_text("年度运维服务总结")
    e2e.shot(page, "reports-list")

    page.goto(e2e.url("/reports/packages/"))
    with page.expect_navigation(timeout=SLOW):
        page.locator("main").get_by_role("button", name="生成季度材料包").click(timeout=SLOW)
    expect(page.locator("main").get_by_role("link", name="下载 ZIP")).to_be_visible(timeout=SLOW)
    expect(page.locator("main table")).to_contain_text(f"01-季度运维报告-{quarter}-v1.pdf")
    e2e.shot(page, "quarterly-package")

    page.goto(e2e.url("/reports/"))
    expect(page.locator("main table.kpi-table thead")).to_contain_text("服务年度至今")
    expect(page.locator("main")).to_contain_text("服务年度 ")
    e2e.shot(page, "dashboard")
