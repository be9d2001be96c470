from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core.models import Notification, OutboxMessage
from core.services import notification_send, outbox_message_deliver
from core.tasks import outbox_deliver_pending


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_notification_writes_inbox_and_email_and_delivers_after_commit(users):
    with transaction.atomic():
        notification_send(recipients=[users["engineer"]], kind="test", title="工单即将超时", body="正文", url="/t/1/")
        assert len(mail.outbox) == 0  # nothing leaves before commit
    assert Notification.objects.filter(recipient=users["engineer"]).count() == 1
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.SENT
    assert mail.outbox[0].subject == "工单即将超时" and "/t/1/" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_is_written_or_sent_for_a_rolled_back_change(users):
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_send(recipients=[users["engineer"]], kind="test", title="回滚")
        raise RuntimeError
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists() and not mail.outbox


@pytest.mark.django_db
def test_dedupe_key_makes_a_notice_idempotent(users):
    for _ in range(3):
        notification_send(recipients=[users["engineer"]], kind="sla", title="50%", dedupe_key="ticket:1:response:50")
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_broker_down_then_the_sweep_delivers(users):
    with mock.patch("core.tasks.outbox_deliver.delay", side_effect=ConnectionError("broker down")):
        notification_send(recipients=[users["engineer"]], kind="test", title="代理不可用")
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.PENDING  # saved, not lost
    assert outbox_deliver_pending() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and len(mail.outbox) == 1


@pytest.mark.django_db
def test_failed_delivery_backs_off_and_gives_up_after_the_limit(users, settings):
    settings.OPSDESK_WEBHOOK_URL = "http://127.0.0.1:9/hook"  # nothing listens on the discard port
    with mock.patch("core.tasks.outbox_deliver.delay"):
        notification_send(recipients=[users["engineer"]], kind="test", title="机器人", email=False, webhook=True)
    message = OutboxMessage.objects.get(channel="webhook")
    assert outbox_message_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.attempts == 1 and message.last_error and message.next_attempt_at > timezone.now()
    for _ in range(10):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        outbox_message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED and message.attempts == 8
