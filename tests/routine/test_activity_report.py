"""A self-check's report: uploaded on the activity page or through the API, checked as ticket attachments
are (core.uploads), and downloaded only through core.uploads.attachment_download (audit row, no-store,
sandbox CSP), page and API alike."""

import io

import pytest
import time_machine

from core.models import AuditLog
from routine.models import SecurityActivity

from .conftest import local

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _now(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    with time_machine.travel(local(2026, 10, 20, 10), tick=False):
        yield


def _file(name: str, data: bytes) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _headers_of_a_safe_download(response) -> None:
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")


def test_page_upload_then_download_with_audit(client, users, scan):
    client.force_login(users["engineer"])
    page = f"/routine/security/activities/{scan.pk}/"
    assert "上传报告" in client.get(page).content.decode()
    response = client.post(page, {"file": _file("扫描报告.pdf", PDF)})
    assert response.status_code == 302
    scan.refresh_from_db()
    assert scan.report.name.endswith("扫描报告.pdf")
    html = client.get(page).content.decode()
    assert f"/routine/security/activities/{scan.pk}/report/" in html
    client.force_login(users["requester"])  # the purchaser reads its own self-check's report
    download = client.get(f"/routine/security/activities/{scan.pk}/report/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    _headers_of_a_safe_download(download)
    assert AuditLog.objects.filter(action="download", actor=users["requester"], detail__contains="9 月漏洞扫描").count() == 1
    assert "上传报告" not in client.get(page).content.decode() and "替换报告" not in client.get(page).content.decode()


def test_bad_files_are_refused_beside_the_field_and_nothing_is_stored(client, users, scan, settings):
    client.force_login(users["engineer"])
    page = f"/routine/security/activities/{scan.pk}/"
    html = client.post(page, {"file": _file("report.pdf", b"<html><script>alert(1)</script>")}).content.decode()
    assert "文件内容与扩展名" in html
    html = client.post(page, {"file": _file("report.exe", b"MZ\x90\x00")}).content.decode()
    assert "不允许的文件类型" in html
    settings.OPSDESK_ATTACHMENT_MAX_BYTES = 10
    html = client.post(page, {"file": _file("report.pdf", PDF)}).content.decode()
    assert "文件过大" in html
    scan.refresh_from_db()
    assert not scan.report


def test_create_with_a_report_on_the_page(client, users, systems, purchaser):
    client.force_login(users["engineer"])
    data = {"kind": "pentest", "title": "渗透测试", "organization": purchaser.pk, "systems": [systems["own"].pk], "scope": "门户",
            "started_on": "2026-10-10", "ended_on": "2026-10-12", "people": "安全组"}
    html = client.post("/routine/security/activities/new/", {**data, "report": _file("r.docx", b"PK\x03\x04junk")}).content.decode()
    assert "文件内容与扩展名" in html and not SecurityActivity.objects.exists()
    assert client.post("/routine/security/activities/new/", {**data, "report": _file("r.pdf", PDF)}).status_code == 302
    assert SecurityActivity.objects.get().report.name.endswith("r.pdf")


def test_api_upload_and_download(api, users, scan):
    url = f"/api/v1/security-activities/{scan.pk}/report/"
    assert api(users["engineer"]).get(url).status_code == 404  # nothing uploaded yet
    assert api(users["requester"]).post(url, {"file": _file("a.pdf", PDF)}, format="multipart").status_code == 403
    assert api(users["other_requester"]).post(url, {"file": _file("a.pdf", PDF)}, format="multipart").status_code == 404
    bad = api(users["engineer"]).post(url, {"file": _file("a.pdf", b"not a pdf")}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()["fields"]
    good = api(users["engineer"]).post(url, {"file": _file("a.pdf", PDF)}, format="multipart")
    assert good.status_code == 200 and good.json()["report"] == url
    listed = api(users["requester"]).get("/api/v1/security-activities/").json()["results"][0]
    assert listed["report"] == url
    download = api(users["requester"]).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    _headers_of_a_safe_download(download)
    assert api(users["other_requester"]).get(url).status_code == 404
    assert AuditLog.objects.filter(action="download", detail__contains="（API）").count() == 1
