"""Embedded-mode stand-in for Celery beat: runs CELERY_BEAT_SCHEDULE's tasks in this process.

`make run` starts it beside the web server when there is no broker. In production, Celery beat reads
the same schedule and this command is not used.
"""

import logging
import signal
import time
from datetime import UTC, datetime

from celery import current_app
from celery.schedules import crontab, schedule
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

logger = logging.getLogger("opsdesk.scheduler")


class Command(BaseCommand):
    help = "Run the periodic tasks in-process (embedded mode, no broker)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every task once and exit")

    def handle(self, *args, once: bool = False, **options):
        import opsdesk.celery  # noqa: F401 - registers the app and its tasks

        current_app.loader.import_default_modules()
        entries = {}
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            sched = entry["schedule"]
            if isinstance(sched, int | float):
                sched = schedule(run_every=sched)
            elif not isinstance(sched, schedule | crontab):
                raise TypeError(f"unsupported schedule for {name}")
            entries[name] = (entry["task"], sched, tuple(entry.get("args", ())))

        if once:
            for name, (task, _sched, args) in entries.items():
                self._run(name, task, args)
            return

        stop = {"flag": False}
        signal.signal(signal.SIGTERM, lambda *a: stop.update(flag=True))
        started = datetime.now(tz=UTC)
        # Interval jobs run at start-up; cron-style jobs wait for their next time.
        last_run = {
            name: started if isinstance(sched, crontab) else datetime.fromtimestamp(0, tz=UTC)
            for name, (_task, sched, _args) in entries.items()
        }
        if options["verbosity"] >= 1:
            self.stdout.write(f"scheduler: {len(entries)} periodic tasks: {', '.join(entries)}")
        while not stop["flag"]:
            for name, (task, sched, args) in entries.items():
                due, _next_in = sched.is_due(last_run[name])
                if due:
                    last_run[name] = datetime.now(tz=UTC)
                    self._run(name, task, args)
            time.sleep(5)

    def _run(self, name: str, task: str, args: tuple) -> None:
        close_old_connections()
        try:
            current_app.tasks[task].apply(args=args, throw=True)
        except Exception:
            logger.exception("periodic task %s failed", name)
        finally:
            close_old_connections()

