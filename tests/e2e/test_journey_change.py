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
    # The host picker offers only the chosen system's hosts (issue 19 item 8).
    offered = form.locator("#id_hosts").evaluate("s => [...s.options].filter(o => !o.hidden).map(o => o.dataset.group)")
    assert offered and set(offered) == {str(system.pk)}, offered
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


def test_an_approved_change_is_not_started_before_its_window(e2e):
    """Issue 19 item 4: the implementer opens an approved change days before its window; the page
    names the window instead of offering 开始实施, and a start sent anyway (a page left open in another
    tab) is refused with the window, nothing written."""
    from changes.services import change_approve, change_create, change_submit

    engineer = User.objects.get(username="eng1")
    system = BusinessSystem.objects.filter(organization_id=user_tenant_id(User.objects.get(username="req1"))).order_by("pk").first()
    day = _free_day(timezone.localdate() + dt.timedelta(days=4))
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(22, 0)))
    change = change_create(actor=engineer, data={
        "title": "存储扩容窗口（E2E）", "category": "normal", "risk": "medium", "business_systems": [system.pk],
        "reason": "容量不足", "plan": "1. 扩容 2. 验证", "rollback_plan": "回退扩容", "verification_plan": "容量核对",
        "window_start": start, "window_end": start + dt.timedelta(hours=2), "implementers": [engineer.pk],
    })
    change_submit(actor=engineer, change_id=change.pk)
    change_approve(actor=User.objects.get(username="lead"), change_id=change.pk)
    change = change_approve(actor=User.objects.get(username="appr1"), change_id=change.pk)
    assert change.status == "approved"
    window = f"{start:%Y-%m-%d %H:%M} — {start + dt.timedelta(hours=2):%Y-%m-%d %H:%M}"

    page = e2e.login("eng1")
    page.goto(e2e.url(f"/changes/{change.pk}/"))
    actions = page.locator("main section[aria-labelledby=h-actions]")
    button = actions.get_by_role("button", name="开始实施")
    expect(button).to_be_disabled()
    expect(actions.locator("#start-wait")).to_contain_text(window)
    expect(actions.locator("#start-wait")).to_contain_text("尚未开始，不能开始实施")
    e2e.shot(page, "change-window-not-open")

    # The same form sent anyway: the server refuses with the window and starts nothing.
    button.evaluate("b => b.disabled = false")
    with page.expect_navigation():
        button.click()
    expect(page.locator("main .messages .msg-error")).to_contain_text(window)
    expect(page.locator("main .messages")).not_to_contain_text("已开始实施")
    e2e.shot(page, "change-start-refused")
    change.refresh_from_db()
    assert change.status == "approved" and change.started_at is None
