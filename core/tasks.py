"""Thin, idempotent tasks: take ids, re-fetch, call one service."""

from celery import shared_task

from .services import outbox_message_deliver, outbox_pending_ids


@shared_task(name="core.outbox_deliver", ignore_result=True)
def outbox_deliver(message_id: int) -> None:
    outbox_message_deliver(message_id=message_id)


@shared_task(name="core.outbox_deliver_pending", ignore_result=True)
def outbox_deliver_pending() -> int:
    """Periodic sweep: deliver what is due (a bounded batch), including what the broker never got."""
    sent = 0
    for message_id in outbox_pending_ids(limit=200):
        sent += outbox_message_deliver(message_id=message_id)
    return sent


@shared_task(name="core.audit_purge_expired", ignore_result=True)
def audit_purge_expired_task() -> int:
    """Periodic: drop audit entries older than the retention period (bounded batches, idempotent)."""
    from .audit import audit_context, audit_purge_expired

    with audit_context(source="task:core.audit_purge_expired"):
        return audit_purge_expired()
