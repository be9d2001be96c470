"""Issue 19 item 2: the navigation is grouped (工单 / 变更 / 值班 / 报表 / 管理) with each role's few
daily links first, and the top row stays short enough for one row at 1366 px."""

import pytest

from accounts.roles import Role
from core.navigation import DAILY_LIMIT, nav_for, nav_items_for

pytestmark = pytest.mark.django_db


def _labels(entries):
    return [str(e["label"]) for e in entries]


@pytest.mark.parametrize(
    ("roles", "daily"),
    [
        ((Role.ENGINEER,), ["工作队列", "我的值班"]),
        ((Role.DUTY_LEADER, Role.ENGINEER), ["工作队列", "交接班", "当前值班"]),
        ((Role.PROJECT_MANAGER,), ["指标看板", "运维月报"]),
        ((Role.REQUESTER,), ["提交工单", "工单"]),
        ((Role.APPROVER,), ["待我审批", "工单", "验收评定"]),
        ((Role.AUDITOR,), ["工单", "审计日志"]),
    ],
)
def test_each_role_sees_its_daily_links_first(make_user, roles, daily):
    nav = nav_for(make_user(*roles))
    assert _labels(nav["daily"]) == daily
    assert len(nav["daily"]) <= DAILY_LIMIT


def test_groups_hold_every_permitted_entry_once_in_a_fixed_order(make_user):
    user = make_user(Role.TECH_LEAD, Role.DUTY_LEADER, Role.ENGINEER, Role.PROJECT_MANAGER)
    nav = nav_for(user)
    assert [g["key"] for g in nav["groups"]] == ["tickets", "changes", "roster", "reports", "admin"]
    grouped = [e["url"] for g in nav["groups"] for e in g["items"]]
    assert sorted(grouped) == sorted(e["url"] for e in nav_items_for(user))
    assert len(grouped) == len(set(grouped))
    # Top row: home + daily links + groups — short enough for one row at 1366 px (the browser test measures it).
    assert 1 + len(nav["daily"]) + len(nav["groups"]) <= 9


def test_a_requester_has_no_reports_or_admin_group(make_user):
    nav = nav_for(make_user(Role.REQUESTER))
    keys = [g["key"] for g in nav["groups"]]
    assert "reports" not in keys and "tickets" in keys


def test_the_page_renders_groups_as_details_and_marks_the_current_group(client, make_user):
    client.force_login(make_user(Role.ENGINEER))
    html = client.get("/roster/on-duty/").content.decode()
    assert '<details data-nav-group="roster">' in html
    assert '<summary class="nav-current">值班</summary>' in html
    assert 'href="/roster/on-duty/" aria-current="page"' in html


def test_the_language_menu_names_each_language_in_itself(client, make_user):
    client.force_login(make_user(Role.ENGINEER))
    html = client.get("/").content.decode()
    assert '<option value="en" lang="en">English</option>' in html
    assert "英语" not in html and "简体中文" in html


def test_the_menu_html_is_rendered_once_per_menu_language_and_page_and_stays_right(client, make_user):
    """{% main_nav %} reuses the menu's HTML: each role gets its own, the current page is marked, the
    language switch changes the words, and the HTML is what the fragment renders afresh."""
    import re

    from django.template.loader import get_template
    from django.test import RequestFactory
    from django.urls import resolve
    from django.utils import translation

    from core.navigation import nav_for
    from core.templatetags.core_nav import main_nav

    def fresh(nav, path):
        request = RequestFactory().get(path)
        request.resolver_match = resolve(path)
        return request, get_template("core/_main_nav.html").render({"nav": nav, "request": request})

    engineer, requester = make_user(Role.ENGINEER), make_user(Role.REQUESTER)
    for user in (engineer, requester):
        for path in ("/tickets/", "/"):
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    nav = nav_for(user)
                    request, expected = fresh(nav, path)
                    assert main_nav({"nav": nav, "request": request}) == expected
                    assert main_nav({"nav": nav, "request": request}) == expected  # from the memo
    with translation.override("zh-hans"):
        request, _html = fresh(nav_for(engineer), "/tickets/")
        mine = main_nav({"nav": nav_for(engineer), "request": request})
        theirs = main_nav({"nav": nav_for(requester), "request": request})
    assert mine != theirs and "工作队列" in mine and "工作队列" not in theirs
    assert re.search(r'href="/tickets/" aria-current="page"', mine)
    client.force_login(engineer)
    assert mine in client.get("/tickets/").content.decode()
