"""Hand a task to Celery. One place for every app, so that a broker outage never breaks or slows a
request (the periodic sweeps pick up what was left queued) and so that, in the embedded mode (no
broker), long work runs beside the request instead of inside it.

A request never waits for the broker: publishing makes one connection attempt with a short timeout
and no retries (settings: CELERY_TASK_PUBLISH_RETRY off, CELERY_BROKER_CONNECT_TIMEOUT, transport
`max_retries` 0). After a failure this process stops trying for BROKER_PAUSE_SECONDS, so a ticket
that queues twenty notifications pays for one refused connection, not twenty. What was not handed
over is in the database already (outbox rows, queued generations) and the minute sweeps send it."""

import logging
import threading
import time

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

BROKER_PAUSE_SECONDS = 30.0
_paused_until = 0.0


def broker_paused() -> bool:
    return time.monotonic() < _paused_until


def broker_pause_reset() -> None:
    global _paused_until
    _paused_until = 0.0


def enqueue(task, *args) -> None:
    """`task.delay(*args)`, or in the embedded mode a daemon thread running the task in-process.

    Call it after commit (core.db.after_commit): the task re-reads its rows by id.
    """
    global _paused_until
    if getattr(settings, "OPSDESK_EAGER_TASKS_IN_THREAD", False):
        threading.Thread(target=_run_in_thread, args=(task, args), daemon=True, name=f"task-{task.name}").start()
        return
    if broker_paused():
        logger.debug("broker paused after a failure; %s%s left for the periodic sweep", task.name, args)
        return
    try:
        task.delay(*args)
    except Exception as exc:  # noqa: BLE001 - broker outage: the row stays queued for the periodic sweep
        _paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("broker unavailable (%s: %s); %s%s left for the periodic sweep, publishing paused %ss",
                       type(exc).__name__, exc, task.name, args, BROKER_PAUSE_SECONDS)


def _run_in_thread(task, args: tuple) -> None:
    try:
        task.apply(args=args)
    except Exception:
        logger.exception("task %s%s failed", task.name, args)
    finally:
        # The thread ends here, and its connections with it: close them all (close_old_connections
        # would keep a persistent one open until garbage collection).
        connections.close_all()
