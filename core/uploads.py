"""Upload safety, for every app that accepts files (ticket attachments, imports).

    from core.uploads import upload_check, attachment_response, UploadRejected

    checked = upload_check(request.FILES["file"])          # raises UploadRejected (a ValidationFailed, 400)
    attachment.file.save(checked.name, checked.file)       # sanitised name; checked.content_type is sniffed
    ...
    return attachment_download(actor=request.user, obj=attachment, filename=attachment.original_name,
                               content_type=attachment.content_type, detail="…")  # after the access check

- Size limit: settings.OPSDESK_UPLOAD_MAX_BYTES (default 20 MiB).
- The extension must be in the whitelist AND the content must match it (magic bytes): a renamed
  executable or an HTML page called report.pdf is refused.
- The file name is sanitised (no path, no control or shell characters, bounded length; Chinese kept).
- `attachment_response` always sends `Content-Disposition: attachment` for anything that a browser
  could render as active content (HTML, SVG, XML, anything unknown), plus nosniff, a sandbox CSP and
  `Cache-Control: private, no-store` (no shared or browser cache keeps a purchaser's file).
- `attachment_download` is the one way a stored attachment leaves, for pages and the API alike: it
  opens the file (NotFound when it is gone), writes the audit row and answers with the response above.
"""

from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.http import FileResponse
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.exceptions import NotFound, ValidationFailed
from core.models import AuditLog

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class UploadRejected(ValidationFailed):
    default_code = "upload_rejected"


# extension → (content type, how to recognise the content)
_OOXML = "ooxml"
_TEXT = "text"
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | str]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "zip": ("application/zip", (b"PK\x03\x04", b"PK\x05\x06")),
    "gz": ("application/gzip", (b"\x1f\x8b",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _OOXML),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _OOXML),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _OOXML),
    "txt": ("text/plain", _TEXT),
    "log": ("text/plain", _TEXT),
    "csv": ("text/csv", _TEXT),
}
# Browsers render these as active content: never inline.
INLINE_SAFE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain"}
_OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_ACTIVE_MARKERS = (b"<html", b"<!doctype html", b"<script", b"<svg", b"<?xml", b"<iframe", b"<body")


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # sanitised file name, safe to store and to send back
    extension: str
    content_type: str  # from the content, never from the client
    size: int
    file: IO[bytes]


def sanitize_filename(name: str, *, max_length: int = 120) -> str:
    """The last path component, NFC-normalised, without control, path, shell or reserved characters,
    not hidden, bounded in length with the extension kept. Never empty."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*;&$`\'%{}\[\]]+', "_", name).strip(" .")
    name = re.sub(r"\s+", " ", name)
    if not name:
        return "file"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext[:16]
    room = max_length - (len(ext) + 1 if ext else 0)
    stem = stem[:room].rstrip(" .") or "file"
    return f"{stem}.{ext}" if ext else stem


def _head(file: IO[bytes], n: int = 8192) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    data = file.read(n)
    file.seek(position)
    return data


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a multi-byte character cut at the end of the sample
                return True
    return False


def _matches(extension: str, file: IO[bytes], head: bytes) -> bool:
    _content_type, rule = ALLOWED[extension]
    if rule == _TEXT:
        return _looks_like_text(head) and not any(m in head.lower() for m in _ACTIVE_MARKERS)
    if rule == _OOXML:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            position = file.tell()
            with zipfile.ZipFile(file) as archive:
                names = archive.namelist()
            file.seek(position)
        except (zipfile.BadZipFile, OSError):
            return False
        return "[Content_Types].xml" in names and any(n.startswith(_OOXML_PARTS[extension]) for n in names)
    return any(head.startswith(magic) for magic in rule)


def upload_check(upload, *, allowed: set[str] | None = None, max_bytes: int | None = None) -> CheckedUpload:
    """Validate an uploaded file (Django UploadedFile or any object with .name, .size, .read/.seek).

    `allowed`: a subset of ALLOWED's extensions for this use; default all of them.
    Raises UploadRejected (400, field "file") with a Chinese message.
    """
    limit = max_bytes or getattr(settings, "OPSDESK_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    name = sanitize_filename(getattr(upload, "name", "") or "file")
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    permitted = set(ALLOWED) if allowed is None else set(allowed) & set(ALLOWED)
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    if size == 0:
        raise UploadRejected(_("文件为空"), fields={"file": [_("文件为空")]})
    if size > limit:
        message = _("文件过大：上限 %(mb)s MB") % {"mb": limit // (1024 * 1024)}
        raise UploadRejected(message, fields={"file": [message]})
    if extension not in permitted:
        message = _("不允许的文件类型“.%(ext)s”，允许：%(allowed)s") % {"ext": extension, "allowed": ", ".join(sorted(permitted))}
        raise UploadRejected(message, fields={"file": [message]})
    head = _head(upload)
    if not _matches(extension, upload, head):
        message = _("文件内容与扩展名“.%(ext)s”不符") % {"ext": extension}
        raise UploadRejected(message, fields={"file": [message]})
    upload.seek(0)
    return CheckedUpload(name=name, extension=extension, content_type=ALLOWED[extension][0], size=size, file=upload)


# What a stored file may be served as (its media type, parameters such as charset aside): the upload
# whitelist and the legacy Office formats ticket attachments accept; anything else goes out as bytes.
SERVABLE_TYPES = {t for t, _ in ALLOWED.values()} | {"application/msword", "application/vnd.ms-excel"}


def attachment_response(file: IO[bytes], *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    """Serve a stored file. `inline=True` is honoured only for types a browser shows passively
    (PDF, raster images, plain text); HTML, SVG, XML and everything else is always a download."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in SERVABLE_TYPES:
        content_type = media_type = "application/octet-stream"
    as_attachment = not (inline and media_type in INLINE_SAFE_TYPES)
    response = FileResponse(file, as_attachment=as_attachment, filename=sanitize_filename(filename), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def attachment_download(*, actor, obj, filename: str, content_type: str, detail: str, file=None) -> FileResponse:
    """The one download of a stored attachment (`obj.file`, or the `file` field of `obj` given, e.g. a
    self-check's report), for pages and the API. The caller has loaded `obj` through its access-checked
    selector; a file missing from storage (or none stored) is NotFound."""
    stored = obj.file if file is None else file
    if not stored:
        raise NotFound(_("附件文件不存在"))
    try:
        handle = stored.open("rb")
    except FileNotFoundError as error:
        raise NotFound(_("附件文件不存在")) from error
    audit_record(actor=actor, action=AuditLog.Action.DOWNLOAD, obj=obj, detail=detail)
    return attachment_response(handle, filename=filename, content_type=content_type)
