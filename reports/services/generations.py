"""The minute sweep that keeps long generations moving (monthly reports, acceptance packages).

A generation row is the job: `queued` until a worker claims it, `running` while the worker's heartbeat
(progress_at, every REPORTS_HEARTBEAT_SECONDS) is fresh, then `done` or `failed`. The sweep
- re-queues a `running` row whose heartbeat is older than REPORTS_STALE_RUNNING_MINUTES (its worker
  was killed; its progress starts again and the page says 生成中断，已重新排队), and
- hands every `queued` row that has waited over a minute to the workers again (the broker was down at
  request time, or the re-queue above).
Handing a row out twice is harmless: the task claims the row under a lock and returns when it is
running under a live worker or already done, and only the claimant that still holds `running` at the
end writes the file, so one generation gives one version and one file."""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dispatch import enqueue

from ..models import AcceptancePackage, MonthlyReport, TaskState
from .monthly import stale_before

logger = logging.getLogger(__name__)

QUEUED_GRACE = dt.timedelta(minutes=1)


def _task_for(model):
    from ..tasks import acceptance_package_build_task, monthly_report_generate_task

    return monthly_report_generate_task if model is MonthlyReport else acceptance_package_build_task


def _resume(model, *, now: dt.datetime, limit: int) -> int:
    with transaction.atomic():
        stale = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(Q(progress_at__lt=stale_before(now)) | Q(progress_at__isnull=True), task_state=TaskState.RUNNING)
            .order_by("requested_at")
            .values_list("pk", flat=True)[:limit]
        )
        if stale:
            model.objects.filter(pk__in=stale, task_state=TaskState.RUNNING).update(
                task_state=TaskState.QUEUED, progress=0, progress_note=_("生成中断，已重新排队"), progress_at=now
            )
    for pk in stale:
        logger.warning("%s %s: heartbeat stale, re-queued", model._meta.model_name, pk)
    waiting = list(
        model.objects.filter(task_state=TaskState.QUEUED, requested_at__lt=now - QUEUED_GRACE)
        .exclude(pk__in=stale)
        .order_by("requested_at")
        .values_list("pk", flat=True)[:limit]
    )
    task = _task_for(model)
    for pk in [*stale, *waiting]:
        enqueue(task, pk)
    return len(stale) + len(waiting)


def generations_resume(*, now: dt.datetime | None = None, limit: int = 10) -> dict[str, int]:
    """Every minute: re-queue stale generations and re-send queued ones (bounded batches per kind).
    Returns how many rows of each kind were handed to the workers."""
    now = now or timezone.now()
    return {
        "monthly": _resume(MonthlyReport, now=now, limit=limit),
        "package": _resume(AcceptancePackage, now=now, limit=limit),
    }
