"""Journey: the purchaser's approver (appr1) receives last month's issued package and assesses it 需整改
with a remediation item for eng1; eng1 answers with evidence; appr1 returns it (it reopens); the project
manager sees the package pipeline and the open item on the dashboard."""

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from reports.demo import _issued_package as _demo_issued_package
from reports.models import Assessment, RemediationItem
from reports.selectors.periods import month_of
from tests.e2e.conftest import E2E_DB
from tickets.models import Contract

pytestmark = E2E_DB


def _issued_package():
    pm, approver = User.objects.get(username="pm"), User.objects.get(username="appr1")
    period = month_of(timezone.now()).previous()
    while True:
        contract = Contract.objects.filter(purchaser_id=approver.organization.tenant_id, start_date__lte=period.last_day,
                                           end_date__gte=period.first_day).order_by("-start_date").first()
        # With the demo history (the README tour) last month is already assessed: take the month before.
        if not Assessment.objects.filter(package__contract=contract, package__month=period.first_day).exists():
            break
        period = period.previous()
    # The demo seeder's helper: generation tasks may run in a thread beside the caller here; it waits for them.
    return _demo_issued_package(pm=pm, contract=contract, period=period)


def test_assessment_and_remediation(e2e, tmp_path):
    package = _issued_package()
    page = e2e.login("appr1")
    page.goto(e2e.url(f"/reports/packages/{package.pk}/"))
    expect(page.locator("main #assessment")).to_contain_text("登记签收")
    e2e.shot(page, "package-receive")
    with page.expect_navigation():
        page.locator("main #assessment").get_by_role("button", name="登记签收").click()
    expect(page.locator("main")).to_contain_text("提交评定")
    page.locator("main input[name=verdict][value=remediate]").check()
    page.fill("main #id_comments", "巡检台账缺少夜班记录，请补正。")
    page.fill("main #id_item-0-title", "补齐夜班巡检记录")
    page.select_option("main #id_item-0-owner", label="张伟")
    deadline = (timezone.localdate() + timezone.timedelta(days=5)).isoformat()
    page.fill("main #id_item-0-deadline", deadline)
    e2e.shot(page, "assess-form")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="提交评定").click()
    expect(page.locator("main")).to_contain_text("需整改")
    e2e.shot(page, "assessed")
    assessment = Assessment.objects.get(package=package)
    item = RemediationItem.objects.get(assessment=assessment)
    assert assessment.verdict == "remediate" and item.owner.username == "eng1"

    engineer = e2e.login("eng1")
    engineer.goto(e2e.url(f"/reports/remediation/{item.pk}/"))
    engineer.fill("main #id_text", "已补录 4 个夜班的巡检记录。")
    evidence = tmp_path / "夜班巡检补录.txt"
    evidence.write_text("夜班巡检补录说明\n", encoding="utf-8")
    engineer.set_input_files("main #id_file", str(evidence))
    with engineer.expect_navigation():
        engineer.locator("main").get_by_role("button", name="提交答复").click()
    expect(engineer.locator("main")).to_contain_text("夜班巡检补录.txt")
    e2e.shot(engineer, "answered")

    page.goto(e2e.url(f"/reports/remediation/{item.pk}/"))
    page.fill("main #id_reason", "请附夜班负责人签字页。")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="退回").click()
    expect(page.locator("main")).to_contain_text("退回 1 次")
    e2e.shot(page, "returned")
    item.refresh_from_db()
    assert item.state == "open" and item.returns == 1

    pm = e2e.login("pm")
    pm.goto(e2e.url("/reports/"))
    expect(pm.locator("main #pipeline")).to_contain_text("需整改")
    expect(pm.locator("main #pipeline")).to_contain_text("补齐夜班巡检记录")
    e2e.shot(pm, "dashboard-pipeline")
    pm.goto(e2e.url("/"))
    expect(pm.locator('[data-panel="reports-remediation"]')).to_contain_text("补齐夜班巡检记录")
    e2e.shot(pm, "home-remediation")
