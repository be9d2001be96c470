"""Thin, idempotent tasks: take ids, call one service. Each cause is handled once (BackupAlert.key)."""

import datetime as dt

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


@shared_task(name="routine.inspection_rounds_plan", ignore_result=True)
def inspection_rounds_plan() -> int:
    """Periodic: plan today's and tomorrow's rounds (idempotent: one round per schedule and slot)."""
    from .services import inspections

    today = timezone.localdate()
    with audit_context(source="task:routine.inspection_rounds_plan"):
        return inspections.inspection_rounds_plan(first_day=today, last_day=today + dt.timedelta(days=1))


@shared_task(name="routine.inspection_missed_sweep", ignore_result=True)
def inspection_missed_sweep() -> int:
    """Periodic: rounds past their grace time become missed and the duty leader is told (bounded batch)."""
    from .services import inspections

    now = timezone.now()
    flagged = 0
    with audit_context(source="task:routine.inspection_missed_sweep"):
        for round_id in inspections.inspection_missed_due_ids(now=now):
            flagged += inspections.inspection_round_flag_missed(round_id=round_id, now=now)
    return flagged
