"""The organisation's ticket list and the engineers' work queues."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.services.tickets import ticket_acknowledge, ticket_claim

from .conftest import action_urls

pytestmark = pytest.mark.django_db

QUEUES = ["unassigned", "mine", "team", "breaching", "open"]


@pytest.mark.parametrize("queue", QUEUES)
def test_every_queue_renders_for_an_engineer(login, users, new_ticket, queue):
    ticket = new_ticket(title="队列里的工单")
    ticket_claim(actor=users["engineer"], ticket=ticket)
    response = login(users["engineer"]).get(f"/tickets/queue/{queue}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "工作队列" in html and 'aria-current="page"' in html
    shown = "队列里的工单" in html
    assert shown == (queue in ("mine", "team", "breaching", "open"))


def test_the_unassigned_queue_offers_claim_and_acknowledge_in_place(login, users, new_ticket):
    ticket = new_ticket()
    html = login(users["engineer"]).get("/tickets/queue/").content.decode()
    assert {"claim", "acknowledge"} <= action_urls(html, ticket.pk)
    assert f'hx-post="/tickets/{ticket.pk}/do/claim/"' in html
    assert f'hx-target="#ticket-row-{ticket.pk}"' in html


def test_auditors_read_the_queue_without_any_action(login, users, new_ticket):
    ticket = new_ticket()
    response = login(users["auditor"]).get("/tickets/queue/open/")
    assert response.status_code == 200
    assert ticket.number in response.content.decode()
    assert action_urls(response.content.decode(), ticket.pk) == set()


@pytest.mark.parametrize("role", ["requester", "approver"])
def test_purchaser_staff_have_no_work_queue(login, users, role):
    assert login(users[role]).get("/tickets/queue/").status_code == 403


def test_an_unknown_queue_is_404(login, users):
    assert login(users["engineer"]).get("/tickets/queue/everything/").status_code == 404


def test_the_queue_polls_its_own_url_so_the_filters_are_kept(login, users, new_ticket):
    new_ticket(severity="P1", title="宕机")
    new_ticket(severity="P3", title="一般问题")
    client = login(users["engineer"])
    html = client.get("/tickets/queue/open/?severity=P1&search=%E5%AE%95").content.decode()
    assert 'hx-get="/tickets/queue/open/?severity=P1&amp;search=%E5%AE%95"' in html
    assert 'hx-trigger="every 30s"' in html
    assert "宕机" in html and "一般问题" not in html
    # The poll answers with the table only, still filtered.
    partial = client.get("/tickets/queue/open/?severity=P1&search=%E5%AE%95", HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body and 'id="ticket-table"' in body
    assert "宕机" in body and "一般问题" not in body
    assert "HX-Request" in partial["Vary"]


def test_sla_badges_carry_the_colour_class_and_the_countdown_data(login, users, new_ticket):
    new_ticket(severity="P2")
    html = login(users["engineer"]).get("/tickets/queue/").content.decode()
    assert 'class="sla sla-ok"' in html
    assert 'data-sla-clock="response"' in html and "data-due=" in html and 'data-target="15"' in html


def test_filters_by_status_kind_assignee_and_breached(login, users, new_ticket):
    mine = new_ticket(title="已认领的")
    ticket_claim(actor=users["engineer"], ticket=mine)
    ticket_acknowledge(actor=users["engineer"], ticket=mine)
    new_ticket(kind="request", severity="P4", title="开通账号请求")
    client = login(users["engineer"])
    html = client.get(f"/tickets/queue/open/?assignee={users['engineer'].pk}&status=acknowledged").content.decode()
    assert "已认领的" in html and "开通账号请求" not in html
    html = client.get("/tickets/queue/open/?kind=request").content.decode()
    assert "开通账号请求" in html and "已认领的" not in html
    html = client.get("/tickets/queue/open/?breached=1").content.decode()
    assert "没有符合条件的工单" in html


def test_a_bad_filter_value_shows_an_error_instead_of_failing(login, users, new_ticket):
    new_ticket()
    response = login(users["engineer"]).get("/tickets/queue/open/?reported_from=not-a-date&severity=P9")
    assert response.status_code == 200
    assert response.context["form"].errors["reported_from"]


def test_requesters_list_only_their_organisations_tickets(login, users, systems, new_ticket):
    own = new_ticket(title="本局工单")
    other = new_ticket(actor=users["other_requester"], system=systems["other"], title="他局工单")
    html = login(users["requester"]).get("/tickets/").content.decode()
    assert own.number in html and other.number not in html and "他局工单" not in html
    assert 'name="assignee"' not in html  # the provider's people are not a filter for purchasers


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [f"/tickets/queue/{q}/" for q in QUEUES] + ["/tickets/"])
def test_list_pages_use_a_constant_number_of_queries(login, users, systems, new_ticket, django_assert_num_queries, url):
    """Given a ticket of each kind, two of them claimed (so every queue has rows and every prefetch
    and the calendar year are read), when six more tickets arrive, the pages cost the same queries."""
    client = login(users["duty_leader"])
    kinds = ["fault", "security", "resource", "request"]
    for i, kind in enumerate(kinds):
        t = new_ticket(kind=kind, severity="P1" if kind == "fault" else "P3", title=f"第{i}张")
        if i % 2:
            ticket_claim(actor=users["engineer"], ticket=t)
    client.get(url)
    baseline = _count(client, url)
    for i in range(6):
        t = new_ticket(kind=["fault", "security", "resource", "request"][i % 4], severity="P3", title=f"更多{i}")
        if i % 2:
            ticket_claim(actor=users["engineer2"], ticket=t)
    with django_assert_num_queries(baseline):
        client.get(url)


def test_a_page_reads_every_calendar_year_its_clocks_need_in_one_query(login, users, systems, new_ticket, api):
    """Service requests run on working hours: open ones reported in 2024 and 2025 and shown now need
    three calendar years, read in one query by the queue, the list and the API list alike."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    for year in (2024, 2025):
        new_ticket(kind="request", severity="P4", title=f"{year} 年的请求",
                   now=dt.datetime(year, 6, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    new_ticket(kind="request", severity="P4", title="今天的请求")
    client = login(users["duty_leader"])
    api_client = api(users["duty_leader"])
    for get, url in ((client.get, "/tickets/queue/open/"), (client.get, "/tickets/"), (api_client.get, "/api/v1/tickets/")):
        with CaptureQueriesContext(connection) as ctx:
            response = get(url)
            assert response.status_code == 200
        calendar = [q["sql"] for q in ctx.captured_queries if "roster_calendarday" in q["sql"]]
        assert len(calendar) == 1, (url, calendar)
        assert "2024-01-01" in calendar[0] and "2026-12-31" in calendar[0], calendar[0]
    body = api_client.get("/api/v1/tickets/").json()
    elapsed = {t["title"]: t["sla"]["response"]["elapsed_minutes"] for t in body["results"]}
    assert elapsed["2024 年的请求"] > elapsed["2025 年的请求"] > elapsed["今天的请求"] >= 0


def test_the_list_counts_up_to_the_cap_and_says_when_more_match(login, users, new_ticket, monkeypatch):
    """The list page counts as the API does (core.pagination.CappedCountPaginator): counting every one
    of a million tickets cost more than the page."""
    from core.pagination import CappedCountPaginator

    for _ in range(4):
        new_ticket()
    client = login(users["duty_leader"])
    assert "共 4 张工单" in client.get("/tickets/").content.decode()
    monkeypatch.setattr(CappedCountPaginator, "COUNT_CAP", 3)
    html = client.get("/tickets/").content.decode()
    assert "超过 3 张工单" in html and "共 4 张工单" not in html


def test_the_filter_drop_downs_come_from_one_query_each_in_its_own_order(login, users, systems, settings):
    from django.core.cache import cache

    from accounts.models import Organization
    from accounts.roles import PROVIDER_ROLES
    from accounts.selectors import users_with_role
    from tickets.forms import TicketFilterForm
    from tickets.models import BusinessSystem

    TicketFilterForm({}, user=users["duty_leader"], staff_filters=True)  # reads the user's roles once
    for _each in range(2):  # a per-process cache keeps nothing: read each time
        with CaptureQueriesContext(connection) as ctx:
            form = TicketFilterForm({}, user=users["duty_leader"], staff_filters=True)
        assert len(ctx.captured_queries) == 1 and "UNION ALL" in ctx.captured_queries[0]["sql"]
    settings.SHARED_CACHE = True  # a cache every process shares (Redis): read once, then kept
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        TicketFilterForm({}, user=users["duty_leader"], staff_filters=True)
    assert len(ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        TicketFilterForm({}, user=users["duty_leader"], staff_filters=True)
    assert ctx.captured_queries == []

    def shown(name):
        return [label for value, label in form.fields[name].widget.choices if value != ""]

    systems_by_name = list(BusinessSystem.objects.order_by("name").values_list("name", flat=True))
    assert shown("business_system") == systems_by_name
    assert shown("organization") == list(
        Organization.objects.filter(kind="purchaser", parent__isnull=True).order_by("name").values_list("name", flat=True))
    people = users_with_role(*PROVIDER_ROLES).order_by("real_name", "username")
    assert shown("assignee") == [u.display_name for u in people] and len(people) >= 5
    # Purchaser staff: their organisation's systems only, no organisation or assignee drop-down.
    form = TicketFilterForm({}, user=users["requester"], staff_filters=False)
    assert shown("business_system") == [n for n in systems_by_name if n in (systems["own"].name, systems["own_normal"].name)]
    assert "organization" not in form.fields and "assignee" not in form.fields


def test_the_cached_drop_downs_follow_changes_to_their_rows(users, systems, other_purchaser, settings):
    """With a shared cache the drop-downs' pairs are kept (tickets.selectors.reference.reference_choices)
    and forgotten when a business system, a purchaser or a user changes, or a user's roles do."""
    from accounts.models import Organization
    from accounts.roles import Role
    from accounts.services import user_create, user_set_roles
    from tickets.forms import AssignForm, TicketFilterForm
    from tickets.models import BusinessSystem

    settings.SHARED_CACHE = True

    def shown(name, user=users["duty_leader"]):
        form = TicketFilterForm({}, user=user, staff_filters=True)
        return [label for value, label in form.fields[name].widget.choices if value != ""]

    def assignable():
        return [label for value, label in AssignForm().fields["assignee"].widget.choices if value != ""]

    assert "新接入系统" not in shown("business_system") and "新接入系统" not in shown("business_system", users["requester"])
    added = BusinessSystem.objects.create(name="新接入系统", organization=systems["own"].organization)
    assert "新接入系统" in shown("business_system") and "新接入系统" in shown("business_system", users["requester"])
    added.name = "改名的系统"
    added.save()
    assert "改名的系统" in shown("business_system") and "新接入系统" not in shown("business_system")
    added.delete()
    assert "改名的系统" not in shown("business_system")

    Organization.objects.create(name="新采购人单位", kind=Organization.Kind.PURCHASER)
    assert "新采购人单位" in shown("organization")

    before = shown("assignee")
    assert assignable() == before
    newcomer = user_create(username="newcomer", real_name="新来的工程师", organization=users["engineer"].organization,
                           roles=[Role.ENGINEER], password=None)
    assert "新来的工程师" in shown("assignee") and "新来的工程师" in assignable()
    user_set_roles(user=newcomer, roles=[Role.REQUESTER])
    assert "新来的工程师" not in shown("assignee") and "新来的工程师" not in assignable()
    user_set_roles(user=newcomer, roles=[Role.ENGINEER])
    newcomer.is_active = False
    newcomer.save()
    assert "新来的工程师" not in shown("assignee")


def test_a_login_keeps_the_cached_drop_downs(client, users, settings):
    from django.core.cache import cache

    from tickets.forms import TicketFilterForm

    settings.SHARED_CACHE = True
    TicketFilterForm({}, user=users["duty_leader"], staff_filters=True)
    cached = [key for key in cache._cache if "opsdesk:choices:staff" in key]
    assert cached
    users["engineer"].set_password("a-long-password-1")
    users["engineer"].save(update_fields=["password"])
    assert client.login(username=users["engineer"].username, password="a-long-password-1")  # writes last_login
    assert [key for key in cache._cache if "opsdesk:choices:staff" in key] == cached


def test_a_failing_cache_reads_the_drop_downs_from_the_database(login, users, systems, settings):
    """Redis down: the list pages still answer, the drop-downs read from the database."""
    settings.SHARED_CACHE = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
                                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    client = login(users["duty_leader"])
    html = client.get("/tickets/").content.decode()
    assert systems["own"].name in html and users["engineer"].display_name in html
    assert client.get("/tickets/queue/unassigned/").status_code == 200


def test_the_kind_filter_offers_any_kind_first_and_keeps_a_chosen_one(login, users):
    """The kind drop-down starts at "全部" (it showed the first kind, and the next submit filtered by it)."""
    import re

    client = login(users["engineer"])
    html = client.get("/tickets/queue/open/").content.decode()
    select = re.search(r'<select name="kind"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert select.startswith('<option value="" selected>全部</option>'), select[:120]
    html = client.get("/tickets/queue/open/", {"kind": "security"}).content.decode()
    select = re.search(r'<select name="kind"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert '<option value="security" selected>' in select and '<option value="" selected>' not in select


def test_row_urls_are_what_reverse_gives(users, new_ticket):
    """ticket_rows splices each ticket's id into URLs reversed once per page: the same as reverse()."""
    from django.urls import reverse
    from django.utils import timezone

    from tickets.selectors.tickets import ticket_list_for_user
    from tickets.views.queues import ROW_ACTIONS, ticket_rows

    for i in range(3):
        new_ticket(title=f"行{i}")
    tickets = list(ticket_list_for_user(user=users["engineer"], for_rows=True))
    rows = ticket_rows(user=users["engineer"], tickets=tickets, now=timezone.now())
    for row in rows:
        pk = row["ticket"].pk
        assert row["url"] == reverse("ticket-detail", args=[pk])
        assert row["row_actions"] and all(url == reverse("ticket-action", args=[pk, action]) for action, url in row["row_actions"])
        assert {action for action, _url in row["row_actions"]} <= set(ROW_ACTIONS)


def test_row_times_are_what_django_date_formats_give():
    import datetime as dt

    from django.utils import dateformat, timezone

    from tickets.templatetags.ticket_pages import _local

    for value in (dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC), dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC)):
        for fmt in ("m-d H:i", "c", "Y-m-d"):
            assert _local(value, fmt) == dateformat.format(timezone.localtime(value), fmt)
    assert _local(None, "c") == ""
