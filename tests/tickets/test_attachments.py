"""Attachments: size limit, extension whitelist AND content sniffing, sanitised names, access-checked download."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.models import TicketAttachment
from tickets.services.comments import attachment_name_sanitise

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(client, ticket, name, data, **extra):
    return client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments/", {"file": SimpleUploadedFile(name, data), **extra}, format="multipart"
    )


@pytest.mark.parametrize(("name", "data"), [("截图.png", PNG), ("报告.pdf", PDF), ("日志.log", "错误：超时\n".encode()),
                                            ("方案.docx", None)])
def test_allowed_files_are_stored_and_downloaded_as_attachments(api, users, new_ticket, name, data):
    data = data if data is not None else docx_bytes()
    ticket = new_ticket()
    res = upload(api(users["requester"]), ticket, name, data)
    assert res.status_code == 201, res.json()
    body = res.json()
    assert body["name"] == name and body["size"] == len(data)
    stored = TicketAttachment.objects.get(pk=body["id"])
    assert stored.file.name.startswith(f"tickets/{ticket.pk}/") and name not in stored.file.name
    download = api(users["engineer"]).get(body["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == data
    assert ticket.events.filter(kind="attachment_added").count() == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("脚本.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("page.html", b"<html><script>alert(1)</script>", "不支持的文件类型"),
        ("fake.png", b"<html><script>alert(1)</script>", "不符"),
        ("fake.pdf", PNG, "不符"),
        ("fake.docx", b"PK\x03\x04garbage", "不符"),
        ("binary.txt", b"\x00\x01\x02", "不符"),
        ("empty.txt", b"", "空"),
    ],
)
def test_refused_files(api, users, new_ticket, name, data, message):
    res = upload(api(users["requester"]), new_ticket(), name, data)
    assert res.status_code == 400
    assert message in " ".join(res.json()["fields"]["file"])
    assert not TicketAttachment.objects.exists()


def test_size_limit(api, users, new_ticket, settings):
    settings.OPSDESK_ATTACHMENT_MAX_BYTES = 1024
    res = upload(api(users["requester"]), new_ticket(), "big.txt", b"a" * 1025)
    assert res.status_code == 400 and "大小上限" in res.json()["fields"]["file"][0]


def test_names_are_sanitised():
    assert attachment_name_sanitise("../../etc/passwd.txt") == "passwd.txt"
    assert attachment_name_sanitise("C:\\Users\\a\\报告.pdf") == "报告.pdf"
    assert attachment_name_sanitise("a\x00b\r\n.txt") == "ab.txt"
    assert attachment_name_sanitise('x<y>:"|?*.txt') == "x_y_.txt"
    assert attachment_name_sanitise("...") == "附件"
    long = attachment_name_sanitise("长" * 300 + ".pdf")
    assert len(long) == 120 and long.endswith(".pdf")


def test_other_tenants_and_internal_attachments(api, users, new_ticket):
    ticket = new_ticket()
    public = upload(api(users["engineer"]), ticket, "a.txt", b"public").json()
    internal = upload(api(users["engineer"]), ticket, "b.txt", b"internal", internal=True).json()
    assert upload(api(users["requester"]), ticket, "c.txt", b"x", internal=True).status_code == 400
    other = api(users["other_requester"])
    assert other.get(public["download_url"]).status_code == 404
    assert other.get(f"/api/v1/tickets/{ticket.pk}/attachments/").status_code == 404
    requester = api(users["requester"])
    assert requester.get(internal["download_url"]).status_code == 404
    assert [a["id"] for a in requester.get(f"/api/v1/tickets/{ticket.pk}/attachments/").json()["results"]] == [public["id"]]
    assert api(users["auditor"]).get(internal["download_url"]).status_code == 200
    assert upload(api(users["auditor"]), ticket, "d.txt", b"x").status_code == 403
    assert api().get(public["download_url"]).status_code in (401, 403)


@pytest.mark.parametrize("route", ["page", "api"])
@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("日志.log", "错误：超时\n".encode(), "text/plain; charset=utf-8"),
    ("截图.png", PNG, "image/png"),
])
def test_every_attachment_route_sends_the_download_headers(api, client, users, new_ticket, route, name, data, content_type):
    """The page and the API serve an attachment through one download: always as an attachment, never
    sniffed, sandboxed, and kept by no cache; each download audited."""
    from core.models import AuditLog

    ticket = new_ticket()
    attachment = upload(api(users["requester"]), ticket, name, data).json()
    if route == "page":
        client.force_login(users["engineer"])
        response = client.get(f"/tickets/{ticket.pk}/attachments/{attachment['id']}/download/")
    else:
        response = api(users["engineer"]).get(attachment["download_url"])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == data
    assert AuditLog.objects.filter(action=AuditLog.Action.DOWNLOAD, object_id=str(attachment["id"])).count() == 1


@pytest.mark.parametrize("route", ["page", "api"])
def test_an_attachment_missing_from_storage_is_404_on_each_route(api, client, users, new_ticket, route):
    ticket = new_ticket()
    attachment = upload(api(users["requester"]), ticket, "截图.png", PNG).json()
    stored = TicketAttachment.objects.get(pk=attachment["id"])
    stored.file.storage.delete(stored.file.name)
    if route == "page":
        client.force_login(users["engineer"])
        response = client.get(f"/tickets/{ticket.pk}/attachments/{attachment['id']}/download/")
    else:
        response = api(users["engineer"]).get(attachment["download_url"])
        assert response.json()["message"] == "附件文件不存在"
    assert response.status_code == 404
