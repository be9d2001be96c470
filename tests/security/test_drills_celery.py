"""Shortened fault drills with a real Celery worker on a private Redis (issue 21; `make drill` runs the
full ones against the production stack): the broker stopped while tickets are created, and a worker
killed with SIGKILL in the middle of a monthly report. Asserted: nothing lost, nothing twice, creation
latency unchanged with the broker down, recovery within the bound.

Needs PostgreSQL (the worker process shares the test database) and redis-server on the PATH."""

import datetime as dt
import os
import shutil
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench.stack import RedisServer, celery_worker, wait_for
from core import dispatch
from core.models import OutboxMessage
from reports.models import MonthlyReport, TaskState
from reports.selectors.periods import parse_month
from reports.services.monthly import monthly_report_request
from tickets.models import Contract

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker shares the database only on PostgreSQL"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(log_dir=tmp_path).start()
    yield server
    server.stop()


def _worker_env(redis_url: str, **extra) -> dict:
    db = settings.DATABASES["default"]
    return {
        "DJANGO_SETTINGS_MODULE": "opsdesk.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": redis_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra,
    }


@contextmanager
def publishing_to(url: str):
    """This (test) process publishes to the broker at `url` instead of running tasks eagerly."""
    from opsdesk.celery import app

    saved = {"CELERY_BROKER_URL": app.conf.broker_url, "CELERY_BROKER_WRITE_URL": app.conf.get("CELERY_BROKER_WRITE_URL"),
             "CELERY_TASK_ALWAYS_EAGER": app.conf.task_always_eager}

    def reset_pools():  # as Celery does after a fork; kombu keeps the pools per broker URL
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    app.conf.update(CELERY_BROKER_URL=url, CELERY_BROKER_WRITE_URL=url, CELERY_TASK_ALWAYS_EAGER=False)  # namespaced keys
    assert app.connection_for_write().as_uri().startswith(url.rsplit("/", 1)[0])
    try:
        yield app
    finally:
        reset_pools()
        app.conf.update(saved)


def _create(client, system_id: int, n: int) -> float:
    started = time.perf_counter()
    response = client.post("/api/v1/tickets/", {
        "kind": "fault", "severity": "P2", "title": f"演练故障 {n}", "description": "broker drill", "business_system": system_id,
    }, format="json")
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.content
    return elapsed


def test_broker_down_keeps_creation_fast_and_loses_nothing(redis, tmp_path, api, users, systems):
    worker = celery_worker("drill-broker", _worker_env(redis.url), log_dir=tmp_path)
    client = api(users["requester"])
    try:
        with publishing_to(redis.url) as app:
            for n in range(2):  # warm-up: imports, connections
                _create(client, systems["own"].pk, n)
            up = [_create(client, systems["own"].pk, 10 + n) for n in range(6)]
            assert wait_for(lambda: not OutboxMessage.objects.filter(status="pending").exists(), 60), worker.tail()
            sent_before = OutboxMessage.objects.count()
            assert sent_before > 0, "ticket creation queued no notification: the drill would prove nothing"

            redis.stop()
            down = [_create(client, systems["own"].pk, 20 + n) for n in range(6)]
            pending = OutboxMessage.objects.filter(status="pending").count()
            assert pending == OutboxMessage.objects.count() - sent_before > 0  # kept in the outbox, nothing lost

            redis.start()  # same port: the worker reconnects by itself
            dispatch.broker_pause_reset()
            started = time.monotonic()
            app.send_task("core.outbox_deliver_pending")  # what beat sends every minute
            assert wait_for(lambda: not OutboxMessage.objects.filter(status="pending").exists(), 60), worker.tail()
            recovered = time.monotonic() - started
    finally:
        worker.stop()
    assert OutboxMessage.objects.filter(status="sent").count() == OutboxMessage.objects.count()
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}  # each sent once
    up_median, down_median = statistics.median(up), statistics.median(down)
    print(f"\nbroker drill: creation median up {up_median * 1000:.0f} ms, down {down_median * 1000:.0f} ms; "
          f"{pending} messages kept, delivered {recovered:.1f} s after the sweep; load {os.getloadavg()[0]:.1f}")
    assert down_median <= up_median * 1.2 + 0.05, (up, down)


def _report_files(report: MonthlyReport) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "reports" / "monthly" / str(report.contract_id) / f"{report.month:%Y-%m}"
    return sorted(p for p in folder.glob(f"*-v{report.version}.pdf")) if folder.exists() else []


def test_a_worker_killed_mid_report_is_recovered_once_within_the_bound(redis, tmp_path, users):
    contract = Contract.objects.get(start_date__lte=dt.date(2026, 5, 1), end_date__gte=dt.date(2026, 5, 31))
    env = _worker_env(redis.url, CELERY_BROKER_VISIBILITY_TIMEOUT="5")
    first = celery_worker("drill-kill-1", env, log_dir=tmp_path)
    try:
        with publishing_to(redis.url) as app:
            killed_at = None
            for _attempt in range(3):  # a render that finishes before the kill is simply tried again
                report = monthly_report_request(actor=users["project_manager"], contract=contract, period=parse_month("2026-05"))
                state = lambda: MonthlyReport.objects.values_list("task_state", flat=True).get(pk=report.pk)  # noqa: E731
                assert wait_for(lambda: state() != TaskState.QUEUED, 60, interval=0.02), first.tail()
                if state() == TaskState.RUNNING:
                    first.kill9()
                    killed_at = MonthlyReport.objects.values_list("progress", flat=True).get(pk=report.pk)
                    if state() == TaskState.RUNNING:
                        break
                first.stop()
                first = celery_worker(f"drill-kill-1-{_attempt}", env, log_dir=tmp_path)
            assert killed_at is not None and state() == TaskState.RUNNING, "could not catch the render mid-way"

            second = celery_worker("drill-kill-2", env, log_dir=tmp_path)
            try:
                # Shortened: the stale time (3 min) is simulated by ageing the heartbeat.
                MonthlyReport.objects.filter(pk=report.pk).update(
                    progress_at=timezone.now() - dt.timedelta(minutes=settings.REPORTS_STALE_RUNNING_MINUTES, seconds=5))
                started = time.monotonic()
                app.send_task("reports.generations_resume")  # what beat sends every minute
                assert wait_for(lambda: state() == TaskState.DONE, 90, interval=0.2), second.tail(60)
                recovered = time.monotonic() - started
                time.sleep(8)  # the killed worker's message comes back after the 5 s visibility timeout
            finally:
                second.stop()
    finally:
        first.stop()
    report.refresh_from_db()
    versions = MonthlyReport.objects.filter(contract=contract, month=report.month)
    assert versions.filter(task_state__in=(TaskState.QUEUED, TaskState.RUNNING)).count() == 0
    assert report.sha256 and report.progress == 100
    assert len(_report_files(report)) == 1  # one file for the generation, never two
    print(f"\nworker-kill drill: killed at {killed_at} %, done {recovered:.1f} s after the sweep; "
          f"load {os.getloadavg()[0]:.1f}")
    assert recovered < 60
