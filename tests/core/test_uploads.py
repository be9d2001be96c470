import io
import zipfile

import pytest

from core.uploads import UploadRejected, attachment_response, sanitize_filename, upload_check


class Upload(io.BytesIO):
    def __init__(self, name: str, data: bytes):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def _ooxml(part: str) -> bytes:
    buffer = io.BytesIO()
    stamp = (2026, 1, 1, 0, 0, 0)  # fixed: the bytes name the test, and every xdist process must collect the same ids
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", stamp), "<Types/>")
        z.writestr(zipfile.ZipInfo(f"{part}document.xml", stamp), "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,data,content_type",
    [
        ("故障截图.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "image/png"),
        ("report.PDF", b"%PDF-1.7\n...", "application/pdf"),
        ("photo.jpg", b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        ("日志.log", "2025-07-01 故障恢复\n".encode(), "text/plain"),
        ("gbk.txt", "中文内容".encode("gb18030"), "text/plain"),
        ("变更方案.docx", _ooxml("word/"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("资源.xlsx", _ooxml("xl/"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_allowed_files_pass_with_the_sniffed_type(name, data, content_type):
    checked = upload_check(Upload(name, data))
    assert checked.content_type == content_type and checked.size == len(data)
    assert checked.file.read() == data  # left at the start


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("evil.exe", b"MZ\x90\x00", "不允许的文件类型"),
        ("page.html", b"<html>", "不允许的文件类型"),
        ("logo.svg", b"<svg onload=alert(1)>", "不允许的文件类型"),
        ("invoice.pdf", b"<html><script>alert(1)</script>", "内容与扩展名"),
        ("shot.png", b"MZ\x90\x00 really an exe", "内容与扩展名"),
        ("notes.txt", b"<!DOCTYPE html><script>x</script>", "内容与扩展名"),
        ("binary.txt", b"\x00\x01\x02\x03", "内容与扩展名"),
        ("fake.docx", _ooxml("xl/"), "内容与扩展名"),
        ("noext", b"hello", "不允许的文件类型"),
        ("empty.txt", b"", "文件为空"),
    ],
)
def test_refused_files(name, data, message):
    with pytest.raises(UploadRejected, match=message) as info:
        upload_check(Upload(name, data))
    assert info.value.status_code == 400 and "file" in info.value.fields


def test_size_limit_and_per_use_whitelist(settings):
    settings.OPSDESK_UPLOAD_MAX_BYTES = 10
    with pytest.raises(UploadRejected, match="文件过大"):
        upload_check(Upload("a.txt", b"x" * 11))
    settings.OPSDESK_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(UploadRejected, match="不允许"):
        upload_check(Upload("a.txt", b"hello"), allowed={"pdf"})


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\报告.pdf", "报告.pdf"),
        ("a\x00b\nc.txt", "abc.txt"),
        ("rm -rf $(x);`y`.sh", "rm -rf _(x)_y_.sh"),
        ("...", "file"),
        (".bashrc", "bashrc"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_sanitize_filename(raw, clean):
    assert sanitize_filename(raw) == clean


def test_html_and_svg_are_never_served_inline():
    for content_type in ("text/html", "image/svg+xml", "application/xml"):
        response = attachment_response(io.BytesIO(b"<svg/>"), filename="x.svg", content_type=content_type, inline=True)
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    pdf = attachment_response(io.BytesIO(b"%PDF-"), filename="报告.pdf", content_type="application/pdf", inline=True)
    assert pdf["Content-Disposition"].startswith("inline")
    assert attachment_response(io.BytesIO(b"%PDF-"), filename="a.pdf", content_type="application/pdf")["Content-Disposition"].startswith("attachment")
