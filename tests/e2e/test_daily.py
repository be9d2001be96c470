"""Issue 19: the daily experience in a real browser — the grouped navigation at 1366 and 360 px and the
home pages of five roles."""

import pytest

from tests.e2e.conftest import E2E_DB

pytestmark = E2E_DB

NAV_TOP = "nav.mainnav .nav-row > li"


def _row_tops(page) -> set[int]:
    return set(page.locator(NAV_TOP).evaluate_all("els => els.map(e => Math.round(e.getBoundingClientRect().top))"))


@pytest.mark.parametrize("username", ["lead", "pm", "eng1", "req1", "appr1", "audit"])
def test_grouped_navigation_fits_one_row_at_1366(e2e, username):
    page = e2e.login(username, width=1366)
    assert len(_row_tops(page)) == 1, f"{username}: the navigation wraps at 1366 px"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    # Opening a group shows its links; opening another closes the first.
    groups = page.locator("nav.mainnav details[data-nav-group]")
    first, last = groups.first, groups.last
    first.locator("summary").click()
    assert first.locator("ul a").first.is_visible()
    last.locator("summary").click()
    assert last.locator("ul a").first.is_visible()
    assert not first.locator("ul a").first.is_visible()
    e2e.shot(page, f"nav-1366-{username}")
    # A link inside a group leads to its page, and the group is marked as the current one.
    href = last.locator("ul a").first.get_attribute("href")
    with page.expect_navigation():
        last.locator("ul a").first.click()
    assert page.url.endswith(href)
    assert page.locator("nav.mainnav summary.nav-current").count() == 1


@pytest.mark.parametrize("username", ["lead", "req1"])
def test_grouped_navigation_works_at_360(e2e, username):
    page = e2e.login(username, width=360, height=740)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    group = page.locator("nav.mainnav details[data-nav-group]").last
    group.locator("summary").click()
    panel = group.locator("ul")
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    e2e.shot(page, f"nav-360-{username}-open")
    link = panel.locator("a").first
    href = link.get_attribute("href")
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(href)


HOME_PANELS = {
    "eng1": ["tickets-mine", "tickets-unassigned", "roster-my-next-shift", "changes-mine-today"],
    # 李明 is technical lead, duty leader and engineer: the leader's panels and his own work.
    "lead": ["tickets-breaching", "tickets-mine", "tickets-unassigned", "roster-my-next-shift", "roster-on-duty",
             "roster-protection", "changes-today"],
    "pm": ["reports-kpis", "tickets-breaching", "roster-on-duty", "roster-protection", "changes-today"],
    "req1": ["tickets-requester-waiting", "tickets-requester-open"],
    "appr1": ["approvals", "tickets-requester-waiting", "tickets-requester-open"],
}


@pytest.mark.parametrize("username", list(HOME_PANELS))
def test_home_page_answers_what_now(e2e, username):
    page = e2e.login(username)
    panels = page.locator("#home-panels [data-panel]").evaluate_all("els => els.map(e => e.dataset.panel)")
    assert sorted(panels) == sorted(HOME_PANELS[username]), panels
    assert page.locator("#home-panels a.card").count() == 0, "no tile copies of the navigation"
    e2e.shot(page, f"home-{username}", tour=f"0-home-{username}" if username in ("lead", "req1") else None)
    # Live like the queue: the panels come back from the server without a reload.
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true" and r.url.endswith("/")):
        page.evaluate("htmx.trigger('#home-panels', 'refresh')")
    page.wait_for_selector("#home-panels [data-panel]")
