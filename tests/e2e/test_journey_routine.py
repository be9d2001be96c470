"""Journey: a security finding recorded through the page and walked open → fixing → fixed → verified,
the verification by a second engineer (the one who fixed it is not offered the step); and the new routine
pages seen at 1366 px, the inspection round at 360 px (a phone on the machine-room floor)."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from routine.models import Drill, Finding, InspectionRound, SecurityActivity
from tests.e2e.conftest import E2E_DB

pytestmark = E2E_DB


def test_finding_from_the_page_to_verified_by_a_second_engineer(e2e):
    activity = SecurityActivity.objects.filter(kind="vuln_scan").order_by("pk").first()
    system = activity.systems.order_by("pk").first() or activity.organization

    eng1 = e2e.login("eng1")
    eng1.on("dialog", lambda dialog: dialog.accept())
    eng1.goto(e2e.url(f"/routine/security/activities/{activity.pk}/"))
    eng1.get_by_role("link", name="登记安全问题").click()
    form = eng1.locator("main form.stacked")
    expect(form.locator("#id_activity")).to_have_value(str(activity.pk))
    form.locator("#id_title").fill("SSH 允许弱加密算法（E2E）")
    form.locator("#id_severity").select_option("medium")
    form.locator("#id_found_on").fill(f"{max(activity.started_on, timezone.localdate() - dt.timedelta(days=1)):%Y-%m-%d}")
    with eng1.expect_navigation():  # no system: refused beside the field, the input kept
        form.get_by_role("button", name="登记").click()
    expect(eng1.locator("main .errorlist").first).to_contain_text("请填写业务系统")
    expect(form.locator("#id_title")).to_have_value("SSH 允许弱加密算法（E2E）")
    e2e.shot(eng1, "finding-form-error")
    form.locator("#id_business_system").select_option(str(system.pk))
    with eng1.expect_navigation():
        form.get_by_role("button", name="登记").click()
    finding = Finding.objects.get(title="SSH 允许弱加密算法（E2E）")
    expect(eng1.locator("h1")).to_contain_text("SSH 允许弱加密算法")
    expect(eng1.locator("main")).to_contain_text("待整改")

    for step, status in (("开始整改", "fixing"), ("整改完成", "fixed")):
        with eng1.expect_navigation():
            eng1.get_by_role("button", name=step).click()
        finding.refresh_from_db()
        assert finding.status == status
    expect(eng1.get_by_role("button", name="验证通过")).to_have_count(0)
    expect(eng1.locator("main")).to_contain_text("整改人不能验证自己整改的问题")
    e2e.shot(eng1, "finding-fixed-by-eng1")

    eng2 = e2e.login("eng2")
    eng2.on("dialog", lambda dialog: dialog.accept())  # verifying asks for confirmation
    eng2.goto(e2e.url(f"/routine/security/findings/{finding.pk}/"))
    eng2.locator("#id_note").fill("复测通过，已禁用 CBC 与 SHA1。")
    with eng2.expect_navigation():
        eng2.get_by_role("button", name="验证通过").click()
    finding.refresh_from_db()
    assert finding.status == "verified" and finding.verified_by.username == "eng2" and finding.fixed_by.username == "eng1"
    expect(eng2.locator("main")).to_contain_text("已验证")
    expect(eng2.locator("main form button[name=action]")).to_have_count(0)
    e2e.shot(eng2, "finding-verified")


def _planned_drill() -> Drill:
    from accounts.models import User
    from routine.services.drills import drill_plan

    done = Drill.objects.order_by("pk").first()
    return drill_plan(actor=User.objects.get(username="lead"), kind="emergency", title="网络中断应急演练（E2E）",
                      organization=done.organization, systems=list(done.systems.all()), plan="切换备用链路",
                      scenario="主链路中断", planned_on=timezone.localdate() + dt.timedelta(days=7), rto_target_minutes=30,
                      rpo_target_minutes=5, participants="李明、张伟")


def test_new_routine_pages_at_desktop_and_the_round_at_phone_width(e2e):
    lead = e2e.login("lead")
    activity = SecurityActivity.objects.order_by("pk").first()
    for path, label in (
        ("/routine/backups/", "backups"),
        ("/routine/backups/policies/new/", "policy-new"),
        ("/routine/inspections/setup/", "inspection-setup"),
        ("/routine/inspections/templates/new/", "checklist-new"),
        ("/routine/inspections/schedules/new/", "schedule-new"),
        ("/routine/security/activities/", "activities"),
        ("/routine/security/activities/new/", "activity-new"),
        (f"/routine/security/activities/{activity.pk}/", "activity"),
        ("/routine/security/findings/new/", "finding-new"),
        ("/routine/security/warnings/new/", "warning-new"),
        ("/routine/security/antivirus/new/", "antivirus-new"),
        ("/routine/drills/new/", "drill-new"),
    ):
        lead.goto(e2e.url(path))
        expect(lead.locator("h1")).to_be_visible()
        e2e.shot(lead, label)
    planned = Drill.objects.filter(status="planned").first() or _planned_drill()
    lead.goto(e2e.url(f"/routine/drills/{planned.pk}/record/"))
    expect(lead.locator("h1")).to_contain_text("登记演练结果")
    e2e.shot(lead, "drill-record")

    pending = InspectionRound.objects.filter(status="pending").order_by("slot").first()
    done = InspectionRound.objects.filter(status="done", anomalies__gt=0).order_by("-slot").first()
    phone = e2e.login("eng1", width=360, height=740)
    for round_, label in ((pending, "round-pending-360"), (done, "round-done-360")):
        if round_ is None:
            continue
        phone.goto(e2e.url(f"/routine/inspections/rounds/{round_.pk}/"))
        expect(phone.locator("h1")).to_be_visible()
        # nothing wider than the phone: no sideways scrolling on the machine-room floor
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        e2e.shot(phone, label)
