"""Issue 19 item 1: the home page answers "what now" per role, from the selectors the full pages use,
and refreshes its panels in place (htmx asks the same URL)."""

import pytest

from tickets.services.tickets import ticket_acknowledge, ticket_claim, ticket_create, ticket_resolve, ticket_start

pytestmark = pytest.mark.django_db


def _ticket(users, systems, title, **more):
    return ticket_create(
        actor=users["requester"], title=title, kind="fault", severity="P2", business_system=systems["own"], **more
    )


def _panels(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return {p["key"]: p for p in response.context["panels"]}, response.content.decode()


def test_engineer_sees_own_tickets_by_time_left_and_unassigned_ones(client, users, systems):
    mine = _ticket(users, systems, "我的故障")
    ticket_claim(actor=users["engineer"], ticket=mine)
    _ticket(users, systems, "无人认领的故障")
    panels, html = _panels(client, users["engineer"])
    assert [r["ticket"].title for r in panels["tickets-mine"]["rows"]] == ["我的故障"]
    assert [r["ticket"].title for r in panels["tickets-unassigned"]["rows"]] == ["无人认领的故障"]
    assert "reports-kpis" not in panels and "approvals" not in panels
    assert 'class="sla ' in html  # the queue's SLA badge


def test_duty_leader_sees_breaching_on_duty_and_protection(client, users, systems):
    _ticket(users, systems, "计时中的故障")
    panels, _html = _panels(client, users["duty_leader"])
    assert {"tickets-breaching", "roster-on-duty", "roster-protection", "changes-today"} <= set(panels)
    assert "changes-mine-today" not in panels  # the leader's panel lists all of today's changes
    assert [r["ticket"].title for r in panels["tickets-breaching"]["rows"]] == ["计时中的故障"]


def test_project_manager_sees_kpis_month_and_year_to_date(client, users):
    panels, html = _panels(client, users["project_manager"])
    kpis = panels["reports-kpis"]
    assert kpis["month"].kind == "month" and kpis["year"].kind == "year"
    assert len(kpis["rows"]) == 10 and "年初至今" in html and "月报签发期限" in html


def test_requester_sees_open_tickets_and_what_waits_for_them(client, users, systems):
    open_one = _ticket(users, systems, "仍在处理")
    done = _ticket(users, systems, "已修好")
    ticket_claim(actor=users["engineer"], ticket=done)
    ticket_acknowledge(actor=users["engineer"], ticket=done)
    ticket_start(actor=users["engineer"], ticket=done)
    ticket_resolve(actor=users["engineer"], ticket=done, resolution="已更换网卡")
    panels, _html = _panels(client, users["requester"])
    assert [r["ticket"].pk for r in panels["tickets-requester-open"]["rows"]] == [open_one.pk]
    waiting = panels["tickets-requester-waiting"]["items"]
    assert [(i["title"], str(i["what"])) for i in waiting] == [("已修好", "请确认是否解决")]
    assert "tickets-mine" not in panels and "reports-kpis" not in panels


def test_another_requester_sees_none_of_it(client, users, systems):
    _ticket(users, systems, "别人的工单")
    panels, html = _panels(client, users["other_requester"])
    assert panels["tickets-requester-open"]["rows"] == [] and "别人的工单" not in html


def test_approver_sees_what_to_decide(client, users):
    panels, html = _panels(client, users["approver"])
    assert "approvals" in panels and "待我决定" in html


def test_the_panels_refresh_in_place(client, users, systems):
    client.force_login(users["engineer"])
    response = client.get("/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.startswith('<div id="home-panels"') and "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_home_page_query_count_does_not_grow_with_tickets(client, users, systems, django_assert_num_queries):
    for n in range(8):
        ticket_claim(actor=users["engineer"], ticket=_ticket(users, systems, f"故障{n}"))
    client.force_login(users["engineer"])
    client.get("/")  # warm the per-process caches (calendar, translations)
    # session, user with organisation and roles (accounts.authentication: one query, was two), unread count, mine (+count), unassigned, clocks, calendar, next shift, changes,
    # the engineer's open remediation items (one count while there are none)
    with django_assert_num_queries(10):
        client.get("/", HTTP_HX_REQUEST="true")
