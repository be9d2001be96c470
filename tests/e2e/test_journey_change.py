"""Journey 3: a normal change drafted in the browser goes through its two approval steps (the
provider's technical lead, then the purchaser's approver); a normal change whose window touches a
heavy-protection period is saved as a draft but refused at submission (封网, change_freeze)."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from accounts.selectors import user_tenant_id
from changes.models import ChangeRequest
from roster.models import HeavyProtectionPeriod
from roster.services.periods import period_create
from tests.e2e.conftest import E2E_DB
from tickets.models import BusinessSystem

pytestmark = E2E_DB


def _free_day(after: dt.date) -> dt.date:
    day = after
    while HeavyProtectionPeriod.objects.filter(start__lte=day + dt.timedelta(days=1), end__gte=day - dt.timedelta(days=1)).exists():
        day += dt.timedelta(days=1)
    return day


def _fill_change(page, *, title, system, start, end):
    form = page.locator("main form.stacked")
    form.locator("#id_title").fill(title)
    form.locator("#id_category").select_option("normal")
    form.locator("#id_risk").select_option("medium")
    form.locator("#id_business_systems").select_option([str(system.pk)])
    form.locator("#id_window_start").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.locator("#id_window_end").fill(end.strftime("%Y-%m-%dT%H:%M"))
    form.locator("#id_reason").fill("数据库补丁修复已知缺陷。")
    form.locator("#id_plan").fill("1. 备份；2. 安装补丁；3. 重启实例。")
    form.locator("#id_rollback_plan").fill("回退到补丁前快照。")
    form.locator("#id_verification_plan").fill("业务冒烟测试与慢查询检查。")
    return form


def _decide(e2e, username, change, comment):
    page = e2e.login(username)
    page.goto(e2e.url("/changes/inbox/"))
    expect(page.locator("main")).to_contain_text(change.number)
    e2e.shot(page, f"inbox-{username}")
    page.locator("main").get_by_role("link", name=re.compile(re.escape(change.number))).first.click()
    expect(page.locator("h1")).to_contain_text(change.title)
    approve = page.locator("main form[action$='/approve/']")
    approve.locator("textarea").fill(comment)
    with page.expect_navigation():
        approve.get_by_role("button", name="同意").click()
    return page


def test_normal_change_through_two_approvals(e2e):
    requester = User.objects.get(username="req1")
    system = BusinessSystem.objects.filter(organization_id=user_tenant_id(requester)).order_by("pk").first()
    day = _free_day(timezone.localdate() + dt.timedelta(days=3))
    start = dt.datetime.combine(day, dt.time(22, 0))

    engineer = e2e.login("eng1")
    engineer.goto(e2e.url("/changes/new/"))
    form = _fill_change(engineer, title="核心库补丁升级（E2E）", system=system, start=start, end=start + dt.timedelta(hours=1))
    e2e.shot(engineer, "change-form")
    with engineer.expect_navigation():
        form.get_by_role("button", name="保存并提交审批").click()
    change = ChangeRequest.objects.get(title="核心库补丁升级（E2E）")
    assert change.status == "submitted"
    expect(engineer.locator("main .chain li")).to_have_count(2)
    e2e.shot(engineer, "change-submitted")

    lead = _decide(e2e, "lead", change, "方案可行，同意。")
    change.refresh_from_db()
    assert change.status == "in_approval"
    expect(lead.locator("main .chain li").first).to_contain_text("李明")

    approver = _decide(e2e, "appr1", change, "同意在窗口内实施。")
    change.refresh_from_db()
    assert change.status == "approved"
    expect(approver.locator("main .chain li").nth(1)).to_contain_text("周强")
    e2e.shot(approver, "change-approved", tour="4-change-approved")
    assert [a.decided_by.username for a in change.approvals.order_by("position")] == ["lead", "appr1"]


def test_normal_change_is_frozen_in_a_heavy_protection_period(e2e):
    pm = User.objects.get(username="pm")
    first = _free_day(timezone.localdate() + dt.timedelta(days=10))
    period = period_create(actor=pm, name="重大会议保障（E2E）", kind="meeting", start=first, end=first + dt.timedelta(days=2), level=1)
    system = BusinessSystem.objects.filter(organization_id=user_tenant_id(User.objects.get(username="req1"))).first()
    start = dt.datetime.combine(period.start + dt.timedelta(days=1), dt.time(21, 0))

    engineer = e2e.login("eng1")
    engineer.goto(e2e.url("/changes/new/"))
    form = _fill_change(engineer, title="重保期间扩容（E2E）", system=system, start=start, end=start + dt.timedelta(hours=2))
    with engineer.expect_navigation():
        form.get_by_role("button", name="保存并提交审批").click()
    main = engineer.locator("main")
    expect(main).to_contain_text("一般变更暂停（封网）")
    expect(main).to_contain_text("重大会议保障（E2E）")
    # The typed input is kept next to the refusal.
    expect(main.locator("#id_title")).to_have_value("重保期间扩容（E2E）")
    e2e.shot(engineer, "change-freeze-refused")
    change = ChangeRequest.objects.get(title="重保期间扩容（E2E）")
    assert change.status == "draft"
