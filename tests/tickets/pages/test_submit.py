"""Submitting a ticket (purchaser staff) and recording a phone / e-mail report (provider staff)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tickets.models import Ticket, TicketAttachment

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_requester_form_is_chinese_and_offers_only_own_organisation_systems(login, users, systems):
    html = login(users["requester"]).get("/tickets/new/").content.decode()
    assert "提交工单" in html and 'for="id_title"' in html and 'for="id_business_system"' in html
    assert systems["own"].name in html and systems["own_normal"].name in html
    assert systems["other"].name not in html
    assert 'name="reported_at"' not in html and 'name="channel"' not in html  # the web clock starts now


def test_every_input_of_the_form_has_a_label(login, users, systems):
    response = login(users["requester"]).get("/tickets/new/")
    form = response.context["form"]
    html = response.content.decode()
    for field in form:
        assert f'for="{field.id_for_label}"' in html, field.name


def test_submit_creates_the_ticket_with_attachments_and_opens_its_page(login, users, systems):
    client = login(users["requester"])
    response = client.post("/tickets/new/", {
        "kind": "fault", "severity": "P2", "business_system": systems["own"].pk, "title": "门户网站打不开",
        "description": "首页 502", "attachments": [SimpleUploadedFile("截图.png", PNG, content_type="image/png")],
    })
    ticket = Ticket.objects.get(title="门户网站打不开")
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
    assert ticket.requester == users["requester"] and ticket.channel == "web"
    assert TicketAttachment.objects.get(ticket=ticket).original_name == "截图.png"
    page = client.get(response["Location"]).content.decode()
    assert ticket.number in page and "门户网站打不开" in page


def test_missing_fields_keep_the_input_and_show_chinese_errors(login, users, systems):
    response = login(users["requester"]).post("/tickets/new/", {
        "kind": "fault", "severity": "P2", "business_system": systems["own"].pk, "title": "", "description": "保留我写的描述",
    })
    html = response.content.decode()
    assert response.status_code == 200
    assert "该字段是必填项。" in html
    assert "保留我写的描述" in html
    assert f'<option value="{systems["own"].pk}" selected>' in html
    assert not Ticket.objects.exists()


def test_a_service_refusal_is_shown_beside_its_field_with_the_input_kept(login, users, systems):
    """A resource adjustment without resource and direction: the service says so (400), not a 500."""
    response = login(users["requester"]).post("/tickets/new/", {
        "kind": "resource", "severity": "P3", "business_system": systems["own"].pk, "title": "扩容 CPU",
    })
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="扩容 CPU"' in html
    assert response.context["form"].errors.get("resource") or response.context["form"].errors.get("direction")
    assert not Ticket.objects.exists()


def test_a_refused_attachment_leaves_no_ticket_and_asks_to_choose_again(login, users, systems):
    response = login(users["requester"]).post("/tickets/new/", {
        "kind": "fault", "severity": "P3", "business_system": systems["own"].pk, "title": "带附件",
        "attachments": [SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")],
    })
    html = response.content.decode()
    assert response.status_code == 200
    assert "tool.exe" in html and "不支持的文件类型" in html and "请重新选择附件" in html
    assert not Ticket.objects.exists()


def test_another_organisations_system_cannot_be_chosen(login, users, systems):
    response = login(users["requester"]).post("/tickets/new/", {
        "kind": "fault", "severity": "P3", "business_system": systems["other"].pk, "title": "越权",
    })
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert response.context["form"].errors["business_system"]


@pytest.mark.parametrize("role", ["engineer", "auditor"])
def test_only_purchaser_staff_submit_on_the_web(login, users, role):
    assert login(users[role]).get("/tickets/new/").status_code == 403


def test_provider_staff_record_a_phone_report_with_its_real_time(login, users, systems):
    client = login(users["engineer"])
    assert client.get("/tickets/intake/").status_code == 200
    reported = timezone.localtime() - dt.timedelta(minutes=20)
    response = client.post("/tickets/intake/", {
        "channel": "phone", "requester": users["requester"].pk, "reported_at": reported.strftime("%Y-%m-%dT%H:%M"),
        "kind": "fault", "severity": "P2", "business_system": systems["own"].pk, "title": "电话报障：门户慢",
    })
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.channel == "phone" and ticket.recorded_by == users["engineer"] and ticket.requester == users["requester"]
    assert ticket.reported_at == reported.replace(second=0, microsecond=0)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "录入人" in page and users["engineer"].display_name in page


def test_a_future_report_time_is_refused_on_its_field(login, users, systems):
    future = timezone.localtime() + dt.timedelta(hours=2)
    response = login(users["engineer"]).post("/tickets/intake/", {
        "channel": "phone", "requester": users["requester"].pk, "reported_at": future.strftime("%Y-%m-%dT%H:%M"),
        "kind": "fault", "severity": "P2", "business_system": systems["own"].pk, "title": "未来的报障",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["reported_at"]
    assert 'value="未来的报障"' in response.content.decode()


def test_requesters_cannot_open_the_intake_page(login, users):
    assert login(users["requester"]).get("/tickets/intake/").status_code == 403
