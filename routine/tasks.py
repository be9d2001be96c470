"""Thin, idempotent tasks: take ids, call one service. Each cause is handled once (BackupAlert.key)."""

from celery import shared_task
from django.utils import timezone

from core.audit import audit_context

from .services import backups as backup_services


@shared_task(name="routine.backup_day_check", ignore_result=True)
def backup_day_check() -> int:
    """Periodic: yesterday's backups of every active policy, once the grace hours have passed."""
    now = timezone.now()
    raised = 0
    with audit_context(source="task:routine.backup_day_check"):
        day, ids = backup_services.backup_day_check_due(now=now)
        for policy_id in ids:
            raised += backup_services.backup_day_check(policy_id=policy_id, day=day, now=now) is not None
    return raised
