"""A heartbeat for long work: while a generation runs, a daemon thread touches its row every few
seconds, so a sweep can tell a live worker (fresh heartbeat) from a killed one (silent past the stale
time) within minutes, however long a single step (a PDF render) takes."""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)


@contextmanager
def heartbeat(rows: QuerySet, *, every: float, field: str = "progress_at") -> Iterator[None]:
    """Set `field` to now on `rows` every `every` seconds until the block ends. Pass a queryset that
    matches only while the work is still ours (e.g. `filter(pk=…, task_state="running")`), so a beat
    never revives a row that was re-queued or finished meanwhile. The beats commit on their own
    connection; a failed beat is logged and retried at the next one."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    rows.update(**{field: timezone.now()})
                except Exception:  # noqa: BLE001 - a database hiccup: try again at the next beat
                    logger.warning("heartbeat on %s failed", rows.model._meta.label, exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, daemon=True, name=f"heartbeat-{rows.model._meta.model_name}")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)
