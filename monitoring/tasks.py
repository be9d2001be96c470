"""Thin, idempotent tasks of the monitoring intake: take ids, call one service."""

import logging

from celery import shared_task

from core.audit import audit_context

from .services.intake import alert_batch_failed, alert_batch_process, alert_batches_pending

logger = logging.getLogger(__name__)


def _process(batch_id: int) -> int:
    try:
        with audit_context(source="task:monitoring.alert_batch_process"):
            return alert_batch_process(batch_id=batch_id)
    except Exception as exc:
        logger.exception("alert batch %s failed", batch_id)
        alert_batch_failed(batch_id=batch_id, error=f"{type(exc).__name__}: {exc}")
        return 0


@shared_task(name="monitoring.alert_batch_process", ignore_result=True)
def alert_batch_process_task(batch_id: int) -> int:
    """Process one received batch (queued after the request's commit). A no-op when it is done already
    or another worker holds it."""
    return _process(batch_id)


@shared_task(name="monitoring.alert_batches_sweep", ignore_result=True)
def alert_batches_sweep() -> int:
    """Periodic: process what is still pending (the task never ran, or its worker died)."""
    return sum(_process(batch_id) for batch_id in alert_batches_pending())


@shared_task(name="monitoring.utilisation_pull", ignore_result=True)
def utilisation_pull_task(day: str | None = None) -> int:
    """Periodic (hourly, acting once a day): pull yesterday's utilisation from Prometheus when
    OPSDESK_PROMETHEUS_URL is set and the day is not pulled yet; `day` (YYYY-MM-DD) re-pulls a given
    day (it replaces its rows). Idempotent."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from .services.utilisation import utilisation_day_pulled, utilisation_pull

    if not settings.OPSDESK_PROMETHEUS_URL:
        return 0
    target = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    if day is None and utilisation_day_pulled(day=target):
        return 0
    with audit_context(source="task:monitoring.utilisation_pull"):
        return utilisation_pull(day=target)
