"""Notifications and the outbox. Every app notifies people through `notification_send`, inside the
transaction of the change; delivery happens after commit (and again from the periodic sweep)."""

import json
import logging
import urllib.request
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator

from .db import after_commit, lock_one
from .dispatch import enqueue
from .models import Notification, OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def _backoff(attempts: int) -> timedelta:
    # 1, 2, 4, … minutes, capped at one hour.
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


@transaction.atomic
def notification_send(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str | None = None,
    email: bool = True,
    webhook: bool = False,
) -> list[Notification]:
    """Write an inbox row per recipient and queue e-mail (and optionally one webhook post).

    With `dedupe_key`, a second call with the same key for the same recipient writes nothing, so a
    caller may run twice (duplicate task runs, restarts) and people are told once.
    """
    now = timezone.now()
    # A title built from a ticket's (up to 200 characters) plus its prefix is cut to what the inbox and
    # the e-mail subject hold, with an ellipsis; the body carries the rest.
    title = Truncator(title).chars(Notification._meta.get_field("title").max_length)
    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        key = f"{dedupe_key}" if dedupe_key else None
        if key and Notification.objects.filter(recipient=user, dedupe_key=key).exists():
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user, kind=kind, title=title, body=body, url=url, dedupe_key=key, created_at=now
                )
        except IntegrityError:  # a concurrent run wrote it first
            continue
        created.append(note)
        if email and user.email:
            _outbox_add(
                channel=OutboxMessage.Channel.EMAIL,
                recipient=user.email,
                subject=title,
                body=_with_link(body, url),
                dedupe_key=f"email:{user.pk}:{key}" if key else None,
                now=now,
            )
    if webhook and settings.OPSDESK_WEBHOOK_URL and (created or not dedupe_key):
        _outbox_add(
            channel=OutboxMessage.Channel.WEBHOOK,
            recipient=settings.OPSDESK_WEBHOOK_URL,
            subject=title,
            body=_with_link(body, url),
            dedupe_key=f"webhook:{key}" if dedupe_key else None,
            now=now,
        )
    return created


def _with_link(body: str, url: str) -> str:
    return f"{body}\n\n{settings.OPSDESK_SITE_URL.rstrip('/')}{url}" if url else body


def _outbox_add(*, channel: str, recipient: str, subject: str, body: str, dedupe_key: str | None, now) -> None:
    if dedupe_key and OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return
    message = OutboxMessage.objects.create(
        channel=channel,
        recipient=recipient,
        subject=subject[:200],
        body=body,
        dedupe_key=dedupe_key,
        next_attempt_at=now,
        created_at=now,
    )
    from .tasks import outbox_deliver

    after_commit(lambda: enqueue(outbox_deliver, message.pk))


@transaction.atomic
def notification_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def outbox_message_deliver(*, message_id: int) -> bool:
    """Try once to deliver one message. Returns True when it is (now or already) sent.

    Locks the row so two workers never send the same message twice.
    """
    with transaction.atomic():
        try:
            message = lock_one(OutboxMessage.objects.all(), message_id)
        except OutboxMessage.DoesNotExist:
            return False
        if message.status != OutboxMessage.Status.PENDING:
            return message.status == OutboxMessage.Status.SENT
        now = timezone.now()
        message.attempts += 1
        try:
            _send(message)
        except Exception as exc:  # noqa: BLE001 - any delivery failure is retried later
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
            message.next_attempt_at = now + _backoff(message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return False
        message.status = OutboxMessage.Status.SENT
        message.sent_at = now
        message.last_error = ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


def _send(message: OutboxMessage) -> None:
    if message.channel == OutboxMessage.Channel.EMAIL:
        send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient])
        return
    data = json.dumps({"msgtype": "text", "text": {"content": f"{message.subject}\n{message.body}"}}).encode()
    request = urllib.request.Request(message.recipient, data=data, headers={"Content-Type": "application/json"})  # noqa: S310
    if not message.recipient.startswith(("http://", "https://")):
        raise ValueError("webhook URL must be http(s)")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - http(s) only, checked above
        if response.status >= 300:
            raise RuntimeError(f"webhook answered HTTP {response.status}")


def outbox_pending_ids(*, limit: int = 200) -> list[int]:
    return list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
