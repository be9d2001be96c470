"""Periodic work of the roster app. Thin: each task calls one service."""

from celery import shared_task

from .services.duty import duty_flags_sweep as _sweep


@shared_task(name="roster.duty_flags_sweep", ignore_result=True)
def duty_flags_sweep() -> int:
    """Flag missing end-of-shift / daily reports and unsigned handovers to the leader (idempotent)."""
    return _sweep()
