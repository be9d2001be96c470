"""Request bodies over OPSDESK_REQUEST_MAX_BYTES (DATA_UPLOAD_MAX_MEMORY_SIZE) are 413 with the error
shape; attachments keep their own, larger limit."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


def _shape(response, status):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    return body


def test_the_default_limit_is_one_mebibyte(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024


def test_a_json_body_over_the_limit_is_a_413_and_at_the_limit_is_read(api, users, systems, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    client = api(users["requester"])
    base = {"kind": "fault", "severity": "P3", "title": "大请求", "business_system": systems["own"].pk}
    padding = 4096 - len(json.dumps({**base, "description": ""}).encode())
    at_limit = json.dumps({**base, "description": "a" * padding})
    assert len(at_limit.encode()) == 4096
    assert client.post("/api/v1/tickets/", at_limit, content_type="application/json").status_code == 201
    over = json.dumps({**base, "description": "a" * (padding + 1)})
    body = _shape(client.post("/api/v1/tickets/", over, content_type="application/json"), 413)
    assert body["code"] == "request_too_large"


def test_a_5_mb_form_encoded_patch_is_a_413_and_stores_nothing(api, users, new_ticket_api):
    ticket_id = new_ticket_api()
    client = api(users["requester"])
    response = client.patch(f"/api/v1/tickets/{ticket_id}/", "description=" + "x" * (5 * 1024 * 1024),
                            content_type="application/x-www-form-urlencoded")
    _shape(response, 413)
    assert client.get(f"/api/v1/tickets/{ticket_id}/").json()["description"] == "首页 502"


def test_a_5_mb_json_body_is_a_413(api, users, new_ticket_api):
    ticket_id = new_ticket_api()
    body = json.dumps({"description": "x" * (5 * 1024 * 1024)})
    _shape(api(users["requester"]).patch(f"/api/v1/tickets/{ticket_id}/", body, content_type="application/json"), 413)


def test_a_page_form_over_the_limit_is_a_413_page(client, users):
    client.force_login(users["requester"])
    response = client.post("/tickets/new/", "title=" + "x" * (2 * 1024 * 1024), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and "请求体过大".encode() in response.content


def test_an_attachment_over_the_body_limit_but_under_its_own_is_accepted(api, users, new_ticket_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    ticket_id = new_ticket_api()
    log = SimpleUploadedFile("big.log", b"line of log\n" * 20_000)  # 240 KB
    response = api(users["requester"]).post(f"/api/v1/tickets/{ticket_id}/attachments/", {"file": log}, format="multipart")
    assert response.status_code == 201, response.content


def test_multipart_text_fields_over_the_limit_are_a_413(api, users, new_ticket_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    ticket_id = new_ticket_api()
    response = api(users["requester"]).post(
        f"/api/v1/tickets/{ticket_id}/attachments/",
        {"file": SimpleUploadedFile("a.txt", b"ok"), "note": "n" * (128 * 1024)}, format="multipart",
    )
    _shape(response, 413)


@pytest.fixture
def new_ticket_api(api, users, systems):
    def make() -> int:
        response = api(users["requester"]).post(
            "/api/v1/tickets/",
            {"kind": "fault", "severity": "P3", "title": "网站打不开", "description": "首页 502", "business_system": systems["own"].pk},
            format="json",
        )
        assert response.status_code == 201, response.content
        return response.json()["id"]

    return make
