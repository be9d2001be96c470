"""A real Celery worker process on the broker picks up a task and writes to the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core.models import OutboxMessage
from core.services import notification_send

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_round_trip_on_the_broker(users):
    broker = settings.CELERY_TEST_BROKER_URL
    if not broker.startswith(("redis://", "amqp://")):
        pytest.skip("no broker configured: make test found no Redis (CI always has one)")
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the database only on PostgreSQL (CI)")

    from unittest import mock

    with mock.patch("core.tasks.outbox_deliver.delay"):  # keep the eager path out of it
        notification_send(recipients=[users["engineer"]], kind="test", title="经由 Celery worker 发送")
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.PENDING

    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}  # the URL below is already this process's
    env.update(
        DJANGO_SETTINGS_MODULE="opsdesk.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_BROKER_URL=broker,
    )
    queue = f"test-{os.getpid()}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "opsdesk", "worker", "-Q", queue, "-c", "1", "-P", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        from opsdesk.celery import app

        app.send_task("core.outbox_deliver", args=[message.pk], queue=queue)  # send_task always uses the broker
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            message.refresh_from_db()
            if message.status == OutboxMessage.Status.SENT:
                break
            time.sleep(0.5)
        assert message.status == OutboxMessage.Status.SENT, worker.stdout.read1().decode() if worker.poll() is not None else "worker did not deliver in 60 s"
        assert message.attempts == 1 and message.sent_at is not None
    finally:
        worker.terminate()
        worker.wait(timeout=30)
