"""The downtime report's narrative (impact, root cause, actions taken, prevention): written by provider
staff on the ticket page or through the API, on the timeline, printed in the downtime report PDF."""

import io

import pytest
from pypdf import PdfReader

from tickets.models import TicketEvent
from tickets.services.tickets import ticket_acknowledge, ticket_resolve

pytestmark = pytest.mark.django_db

TEXTS = {
    "outage_impact": "大数据平台全部业务中断，影响 3 个委办局",
    "root_cause": "存储节点 RAID 卡故障",
    "actions_taken": "切换至备用存储节点并恢复服务",
    "prevention": "增加 RAID 卡健康巡检",
}


@pytest.fixture
def p1(users, new_ticket):
    ticket = new_ticket(severity="P1", title="大数据平台宕机")
    ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    return ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="已恢复")


def test_staff_write_it_through_the_api_and_it_is_on_the_timeline(api, users, p1):
    response = api(users["engineer"]).patch(f"/api/v1/tickets/{p1.pk}/", TEXTS, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in TEXTS} == TEXTS
    event = p1.events.get(kind=TicketEvent.Kind.DOWNTIME_REPORT_UPDATED)
    assert event.actor == users["engineer"] and event.data["new"] == TEXTS and "故障原因" in event.note
    again = api(users["engineer"]).patch(f"/api/v1/tickets/{p1.pk}/", TEXTS, format="json")
    assert again.status_code == 200 and p1.events.filter(kind=TicketEvent.Kind.DOWNTIME_REPORT_UPDATED).count() == 1


@pytest.mark.parametrize("role", ["requester", "auditor"])
def test_purchaser_staff_and_auditors_cannot_write_it(api, users, p1, role):
    response = api(users[role]).patch(f"/api/v1/tickets/{p1.pk}/", {"root_cause": "x"}, format="json")
    assert response.status_code in (403, 409), response.content
    p1.refresh_from_db()
    assert p1.root_cause == ""


def test_staff_write_it_on_the_ticket_page_and_requesters_read_it(client, users, p1):
    client.force_login(users["engineer"])
    page = client.get(f"/tickets/{p1.pk}/").content.decode()
    assert "填写宕机报告" in page and 'name="root_cause"' in page
    response = client.post(f"/tickets/{p1.pk}/do/downtime_report/", TEXTS)
    assert response.status_code == 302
    p1.refresh_from_db()
    assert p1.prevention == TEXTS["prevention"]
    client.force_login(users["requester"])
    page = client.get(f"/tickets/{p1.pk}/").content.decode()
    assert TEXTS["root_cause"] in page and 'name="root_cause"' not in page and "填写宕机报告" in page  # timeline label
    denied = client.post(f"/tickets/{p1.pk}/do/downtime_report/", {"root_cause": "改写"})
    assert denied.status_code in (403, 409)
    p1.refresh_from_db()
    assert p1.root_cause == TEXTS["root_cause"]


def test_the_downtime_report_pdf_prints_them(api, users, p1):
    api(users["engineer"]).patch(f"/api/v1/tickets/{p1.pk}/", TEXTS, format="json")
    response = api(users["engineer"]).get(f"/api/v1/tickets/{p1.pk}/downtime-report.pdf")
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")
    for value in TEXTS.values():
        assert value.replace(" ", "") in text
    assert "（待填写）" not in text
