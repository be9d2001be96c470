"""Export of the filtered ticket list (issue 19 item 10): CSV and xlsx, the list's own filters, only
what the user may read, headers in the user's language, bounded, audited. Files are read back."""

import csv
import io

import pytest
from openpyxl import load_workbook

from core.models import AuditLog
from tickets.selectors import exports as export_selectors
from tickets.services.tickets import ticket_acknowledge, ticket_assign

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # Excel reads UTF-8 with its BOM
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def listed(new_ticket, users, systems):
    """Three tickets of the requester's purchaser (one P1), one of another purchaser."""
    p1 = new_ticket("fault", "P1", title="=HYPERLINK(\"http://x\")")  # a formula-looking title
    p3 = new_ticket("request", "P3", title="申请开通端口")
    acknowledged = new_ticket("fault", "P2", title="磁盘告警")
    ticket_acknowledge(actor=users["engineer"], ticket=acknowledged)
    other = new_ticket("fault", "P2", actor=users["other_requester"], system=systems["other"], title="他局故障")
    return {"p1": p1, "p3": p3, "acknowledged": acknowledged, "other": other}


def test_csv_holds_the_filtered_list_in_the_list_order_with_chinese_headers(api, users, listed):
    response = api(users["engineer"]).get("/api/v1/tickets/export.csv", {"kind": "fault"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="tickets-')
    rows = read_csv(response)
    header = rows[0]
    assert header[:5] == ["编号", "标题", "类型", "级别", "状态"] and "响应 SLA" in header and "处理人" in header
    numbers = [r[0] for r in rows[1:]]
    # newest first, as the list; the request is not a fault
    assert numbers == [listed["other"].number, listed["acknowledged"].number, listed["p1"].number]
    by_number = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    ack = by_number[listed["acknowledged"].number]
    assert ack["状态"] == "已响应" and ack["处理人"] == users["engineer"].display_name
    assert ack["响应 SLA"].startswith("达标（") and ack["业务系统"] == "测试大数据平台"
    assert ack["响应时间"] and ack["解决时间"] == ""
    p1 = by_number[listed["p1"].number]
    assert p1["标题"] == "'=HYPERLINK(\"http://x\")"  # never run as a formula
    assert p1["恢复 SLA"].startswith("进行中") and p1["定位排除 SLA"].startswith("定位 进行中")
    assert response["X-Export-Rows"] == "3"


def test_xlsx_is_the_same_table_and_english_headers_follow_the_users_language(client, users, listed):
    client.force_login(users["engineer"])
    client.cookies["django_language"] = "en"
    response = client.get("/tickets/export.xlsx?severity=P1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = read_xlsx(response)
    assert rows[0][:4] == ["Number", "Title", "Type", "Level"]
    assert len(rows) == 2 and rows[1][0] == listed["p1"].number
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")" and rows[1][3] == "P1" and rows[1][4] == "New"
    assert rows[1][10] is not None and rows[1][10].year >= 2026  # the report time as a date, local wall time


@pytest.mark.parametrize("role, sees", [
    ("requester", {"p1", "p3", "acknowledged"}),
    ("other_requester", {"other"}),
    ("auditor", {"p1", "p3", "acknowledged"}),
    ("provider_auditor", {"p1", "p3", "acknowledged", "other"}),
    ("duty_leader", {"p1", "p3", "acknowledged", "other"}),
])
def test_the_export_holds_only_what_the_user_may_read(api, users, listed, role, sees):
    rows = read_csv(api(users[role]).get("/api/v1/tickets/export.csv"))
    assert {r[0] for r in rows[1:]} == {listed[name].number for name in sees}


def test_the_queue_of_the_query_string_is_exported_as_the_queue_page_shows_it(api, users, listed):
    ticket_assign(actor=users["duty_leader"], ticket=listed["p3"], assignee=users["engineer2"])
    rows = read_csv(api(users["engineer2"]).get("/api/v1/tickets/export.csv", {"queue": "mine"}))
    assert [r[0] for r in rows[1:]] == [listed["p3"].number]


def test_invalid_filters_are_400_with_field_messages_and_a_page_goes_back_to_the_list(api, client, users, listed):
    response = api(users["engineer"]).get("/api/v1/tickets/export.csv", {"severity": "P9", "reported_from": "x"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"severity", "reported_from"}
    assert api(users["engineer"]).get("/api/v1/tickets/export.pdf").status_code == 400
    assert api(users["engineer"]).get("/api/v1/tickets/export.csv", {"queue": "all"}).status_code == 400
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORT).exists()
    client.force_login(users["engineer"])
    page = client.get("/tickets/export.csv?severity=P9", follow=True)
    assert page.redirect_chain[-1][0] == "/tickets/?severity=P9"
    assert "P9" in page.content.decode() and page.context["form"].errors["severity"]
    assert client.get("/tickets/export.pdf").status_code == 404


def test_a_list_over_the_bound_is_refused_not_cut(api, users, listed, monkeypatch):
    monkeypatch.setattr(export_selectors, "EXPORT_MAX_ROWS", 2)
    response = api(users["engineer"]).get("/api/v1/tickets/export.xlsx")
    assert response.status_code == 400 and "缩小" in response.json()["message"]
    assert len(read_csv(api(users["engineer"]).get("/api/v1/tickets/export.csv", {"severity": "P1"}))) == 2


def test_rows_are_read_in_chunks_in_the_list_order(api, users, listed, monkeypatch):
    monkeypatch.setattr(export_selectors, "CHUNK_SIZE", 2)
    rows = read_csv(api(users["duty_leader"]).get("/api/v1/tickets/export.csv"))
    assert [r[0] for r in rows[1:]] == [t.number for t in (listed["other"], listed["acknowledged"], listed["p3"], listed["p1"])]


def test_every_export_is_audited_with_its_filters_and_row_count(api, users, listed):
    read_csv(api(users["auditor"]).get("/api/v1/tickets/export.csv", {"kind": "fault", "page": "3"}))
    entry = AuditLog.objects.get(action=AuditLog.Action.EXPORT)
    assert entry.actor_id == users["auditor"].pk
    assert entry.detail == "工单列表 CSV（2 行）kind=fault"


def test_export_query_count_does_not_grow_with_the_tickets(api, users, new_ticket, django_assert_num_queries):
    """role check, the ids, one chunk (tickets with their joins, their clocks), the calendar year of the
    running working-hours clocks (the service requests'), the audit entry."""
    client = api(users["engineer"])
    for _i in range(3):
        new_ticket("fault", "P2")
    new_ticket("request", "P3")
    read_csv(client.get("/api/v1/tickets/export.csv"))  # warm the user's role cache like any earlier request
    with django_assert_num_queries(6):
        assert len(read_csv(client.get("/api/v1/tickets/export.csv"))) == 5
    for _i in range(9):
        new_ticket(("fault", "request", "security")[_i % 3], "P2")
    with django_assert_num_queries(6):
        assert len(read_csv(client.get("/api/v1/tickets/export.csv"))) == 14


def test_the_list_page_links_the_export_of_what_it_shows(client, users, listed):
    client.force_login(users["engineer"])
    html = client.get("/tickets/?severity=P1&page=2").content.decode()
    assert 'href="/tickets/export.csv?severity=P1"' in html and 'href="/tickets/export.xlsx?severity=P1"' in html
    html = client.get("/tickets/queue/mine/?kind=fault").content.decode()
    assert 'href="/tickets/export.csv?queue=mine&amp;kind=fault"' in html


@pytest.mark.parametrize("params", [
    {},
    {"status": ["new", "acknowledged"]},
    {"breached": "false"},
    {"kind": "fault", "severity": "P2"},
    {"queue": "open", "search": "磁盘"},
    {"queue": "unassigned"},
], ids=["all", "two-statuses", "not-breached", "kind-severity", "queue-search", "unassigned"])
def test_the_api_lists_query_string_exports_the_same_tickets(api, users, listed, params):
    """One filter definition: what the API list answers for a query string is what its export holds."""
    client = api(users["duty_leader"])
    listed_ids = [t["number"] for t in client.get("/api/v1/tickets/", {**params, "page_size": 100}).json()["results"]]
    exported = [r[0] for r in read_csv(client.get("/api/v1/tickets/export.csv", params))[1:]]
    assert exported == listed_ids and exported


def test_the_list_page_filters_by_several_statuses_as_the_api_does(client, users, listed):
    client.force_login(users["engineer"])
    page = client.get("/tickets/?status=new&status=acknowledged")
    numbers = {row["ticket"].number for row in page.context["rows"]}
    assert numbers == {t.number for t in listed.values()}
    page = client.get("/tickets/?status=acknowledged")
    assert [row["ticket"].number for row in page.context["rows"]] == [listed["acknowledged"].number]
