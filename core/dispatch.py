"""Hand a task to Celery. One place for every app, so that a broker outage never breaks a request
(the periodic sweeps pick up what was left queued) and so that, in the embedded mode (no broker),
long work runs beside the request instead of inside it."""

import logging
import threading

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> None:
    """`task.delay(*args)`, or in the embedded mode a daemon thread running the task in-process.

    Call it after commit (core.db.after_commit): the task re-reads its rows by id.
    """
    if getattr(settings, "OPSDESK_EAGER_TASKS_IN_THREAD", False):
        threading.Thread(target=_run_in_thread, args=(task, args), daemon=True, name=f"task-{task.name}").start()
        return
    try:
        task.delay(*args)
    except Exception:  # noqa: BLE001 - broker outage: the row stays queued for the periodic sweep
        logger.warning("broker unavailable; %s%s left for the periodic sweep", task.name, args, exc_info=True)


def _run_in_thread(task, args: tuple) -> None:
    try:
        task.apply(args=args)
    except Exception:
        logger.exception("task %s%s failed", task.name, args)
    finally:
        # The thread ends here, and its connections with it: close them all (close_old_connections
        # would keep a persistent one open until garbage collection).
        connections.close_all()
