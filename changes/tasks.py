"""Periodic work of change requests. Thin and idempotent: a bounded batch of ids, one service each."""

from celery import shared_task
from django.utils import timezone

from .services import change_retrospective_flag_overdue, change_retrospective_overdue_ids


@shared_task(name="tickets.change_retrospective_overdue_scan", ignore_result=True)
def change_retrospective_overdue_scan() -> int:
    """Flag emergency changes whose retrospective approval passed its 24-hour deadline to the PM."""
    now = timezone.now()
    return sum(
        change_retrospective_flag_overdue(approval_id=approval_id, now=now)
        for approval_id in change_retrospective_overdue_ids(now=now, limit=200)
    )
