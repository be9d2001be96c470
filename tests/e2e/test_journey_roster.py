"""Journey 4: the manager creates and generates a roster for a period and publishes it; an engineer
asks a colleague to take one of the shifts, the colleague accepts, the manager approves, and on-duty
at that shift's time shows the colleague."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from roster.models import Assignment, Roster, ShiftTemplate
from tests.e2e.conftest import E2E_DB

pytestmark = E2E_DB


def test_roster_generate_swap_and_on_duty(e2e):
    first = timezone.localdate() + dt.timedelta(days=20)
    manager = e2e.login("pm")
    manager.on("dialog", lambda dialog: dialog.accept())  # the publish button asks for confirmation
    manager.goto(e2e.url("/roster/rosters/new/"))
    day = ShiftTemplate.objects.get(start_time=dt.time(8, 30), duration_minutes=9 * 60).code
    form = manager.locator("main form.roster-form")
    form.locator("#id_name").fill("十二月保障值班表（E2E）")
    form.locator("#id_start_date").fill(first.isoformat())
    form.locator("#id_end_date").fill((first + dt.timedelta(days=2)).isoformat())
    for position in ("leader", "engineer", "security", "onsite"):  # day shifts (08:30–17:30) only
        for box in form.locator(f"input[name={position}_templates]").all():
            box.set_checked(position in ("leader", "engineer") and box.get_attribute("value") == day)
    for box in form.locator("input[name=members]").all():
        box.check()
    e2e.shot(manager, "roster-new")
    with manager.expect_navigation():
        form.get_by_role("button", name="创建").click()
    roster = Roster.objects.get(name="十二月保障值班表（E2E）")
    with manager.expect_navigation():
        manager.locator("main").get_by_role("button", name="自动排班").click()
    assert not Assignment.objects.filter(shift__roster=roster, member__isnull=True).exists()
    with manager.expect_navigation():
        manager.locator("main").get_by_role("button", name="发布").click()
    roster.refresh_from_db()
    assert roster.status == "published"
    e2e.shot(manager, "roster-published", tour="5-roster")

    # The first engineer seat; the colleague is an engineer member with no shift in this roster.
    seat = (Assignment.objects.filter(shift__roster=roster, position="engineer")
            .select_related("shift", "member__user").order_by("shift__start", "pk").first())
    busy = set(Assignment.objects.filter(shift__roster=roster).values_list("member_id", flat=True))
    colleague = next(m for m in roster.members.exclude(pk__in=busy).select_related("user") if "engineer" in m.positions)
    during = timezone.localtime(seat.shift.start + dt.timedelta(hours=1))
    asked_by = seat.member.user.display_name

    engineer = e2e.login(seat.member.user.username)
    engineer.goto(e2e.url(f"/roster/swaps/new/?assignment={seat.pk}"))
    swap_form = engineer.locator("main form.stacked")
    swap_form.locator("#id_counterpart").select_option(str(colleague.pk))
    swap_form.locator("#id_reason").fill("家中有事，请同事替班。")
    with engineer.expect_navigation():
        swap_form.get_by_role("button", name="提交申请").click()
    expect(engineer.locator("main")).to_contain_text(colleague.user.display_name)

    counterpart = e2e.login(colleague.user.username)
    counterpart.goto(e2e.url("/roster/swaps/"))
    with counterpart.expect_navigation():
        counterpart.locator("main").get_by_role("button", name="接受").click()

    manager.goto(e2e.url("/roster/swaps/"))
    e2e.shot(manager, "swap-inbox")
    with manager.expect_navigation():
        manager.locator("main").get_by_role("button", name="批准").click()
    seat.refresh_from_db()
    assert seat.member_id == colleague.pk

    manager.goto(e2e.url(f"/roster/on-duty/?at={during:%Y-%m-%dT%H:%M}"))
    main = manager.locator("main")
    expect(main).to_contain_text(colleague.user.display_name)
    e2e.shot(manager, "on-duty-after-swap")
    # The engineer who asked is no longer on that shift.
    expect(main).not_to_contain_text(asked_by)
