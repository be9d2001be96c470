"""Comments and attachments of a ticket."""

import datetime as dt
import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_is_provider_staff
from core.exceptions import ValidationFailed
from core.limits import TEXT_MAX_LENGTH, text_lengths_check

from ..models import Ticket, TicketAttachment, TicketComment, TicketEvent
from .events import ticket_event_record
from .notify import ticket_notify, ticket_url
from .transitions import ticket_action_check


@transaction.atomic
def ticket_comment(
    *, actor: User, ticket: Ticket, body: str, internal: bool = False, now: dt.datetime | None = None
) -> TicketComment:
    """A comment, visible to the requester's organisation unless `internal` (provider staff only)."""
    now = now or timezone.now()
    text_lengths_check(body=(body, TEXT_MAX_LENGTH))
    ticket_action_check(action="comment", user=actor, ticket=ticket)
    if not body.strip():
        raise ValidationFailed(fields={"body": [_("请填写评论内容")]})
    if internal and not user_is_provider_staff(actor):
        raise ValidationFailed(fields={"internal": [_("只有服务商人员可以发表内部评论")]})
    comment = TicketComment.objects.create(ticket=ticket, author=actor, body=body, internal=internal, created_at=now)
    ticket_event_record(
        ticket=ticket, kind=TicketEvent.Kind.COMMENTED, actor=actor, at=now, note="" if internal else body[:500],
        data={"comment": comment.pk, "internal": internal},
    )
    if not internal and ticket.assignee_id and ticket.assignee_id != actor.pk and not user_is_provider_staff(actor):
        ticket_notify(recipients=[ticket.assignee], kind="ticket_commented", title=f"工单 {ticket.number} 有新评论",
                          body=body[:500], url=ticket_url(ticket))
    return comment


# extension -> (content type, sniffing rule)
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "gif": ("image/gif", "gif"),
    "txt": ("text/plain; charset=utf-8", "text"),
    "log": ("text/plain; charset=utf-8", "text"),
    "csv": ("text/csv; charset=utf-8", "text"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "ooxml:word/"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml:xl/"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ooxml:ppt/"),
    "doc": ("application/msword", "ole"),
    "xls": ("application/vnd.ms-excel", "ole"),
}

_MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "ole": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}


def _content_matches(rule: str, data: bytes) -> bool:
    """Content sniffing: the bytes must really be of the type the extension claims."""
    if rule in _MAGIC:
        return data.startswith(_MAGIC[rule])
    if rule == "text":
        if b"\x00" in data:
            return False
        for encoding in ("utf-8", "gb18030"):
            try:
                data.decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
        return False
    if rule.startswith("ooxml:"):
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names and any(n.startswith(rule.removeprefix("ooxml:")) for n in names)
    return False


def attachment_name_sanitise(name: str) -> str:
    """Keep the base name only, no control characters, path separators or leading dots; at most 120
    characters with the extension kept."""
    name = PurePath(str(name).replace("\\", "/")).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[/\\:*?"<>|]+', "_", name).strip().lstrip(".")
    if not name:
        return "附件"
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > 120:
        return stem[: 119 - len(ext)] + "." + ext
    return name[:120]


@transaction.atomic
def ticket_attachment_add(
    *, actor: User, ticket: Ticket, name: str, data: bytes, internal: bool = False, now: dt.datetime | None = None
) -> TicketAttachment:
    """Store an attachment under MEDIA_ROOT with a random name. Refused: too large, an extension not
    on the whitelist, or content that is not what the extension says."""
    now = now or timezone.now()
    ticket_action_check(action="attach", user=actor, ticket=ticket)
    if internal and not user_is_provider_staff(actor):
        raise ValidationFailed(fields={"internal": [_("只有服务商人员可以上传内部附件")]})
    clean = attachment_name_sanitise(name)
    limit = settings.OPSDESK_ATTACHMENT_MAX_BYTES
    if not data:
        raise ValidationFailed(fields={"file": [_("文件为空")]})
    if len(data) > limit:
        raise ValidationFailed(fields={"file": [f"文件超过大小上限 {limit // (1024 * 1024)} MB"]})
    ext = clean.rpartition(".")[2].lower() if "." in clean else ""
    if ext not in ALLOWED_TYPES:
        allowed = "、".join(sorted(ALLOWED_TYPES))
        raise ValidationFailed(fields={"file": [f"不支持的文件类型，允许：{allowed}"]})
    content_type, rule = ALLOWED_TYPES[ext]
    if not _content_matches(rule, data):
        raise ValidationFailed(fields={"file": [f"文件内容与扩展名 .{ext} 不符"]})
    attachment = TicketAttachment(
        ticket=ticket, original_name=clean, content_type=content_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor, uploaded_at=now, internal=internal,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
    try:
        attachment.save()
        ticket_event_record(
            ticket=ticket, kind=TicketEvent.Kind.ATTACHMENT_ADDED, actor=actor, at=now, note=clean,
            data={"attachment": attachment.pk, "size": len(data), "sha256": attachment.sha256, "internal": internal},
        )
    except Exception:
        # Django has no on-rollback hook: remove the file we just wrote when this step fails. (A later
        # rollback of an outer transaction leaves an unreferenced file, which nothing can serve:
        # downloads go through the row.)
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment
