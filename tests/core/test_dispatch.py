import threading
from unittest import mock

from core import dispatch


class _Task:
    name = "test.task"

    def __init__(self):
        self.ran = threading.Event()
        self.thread = None

    def delay(self, *args):
        raise ConnectionError("broker down")

    def apply(self, args):
        self.thread = threading.current_thread()
        self.ran.set()


def test_broker_outage_is_logged_not_raised(settings):
    settings.OPSDESK_EAGER_TASKS_IN_THREAD = False
    with mock.patch.object(dispatch.logger, "warning") as warning:
        dispatch.enqueue(_Task(), 1)
    assert warning.called


def test_embedded_mode_runs_the_task_beside_the_request(settings):
    settings.OPSDESK_EAGER_TASKS_IN_THREAD = True
    task = _Task()
    with mock.patch.object(dispatch.connections, "close_all") as close_all:
        dispatch.enqueue(task, 1)
        assert task.ran.wait(5)
        for _ in range(50):  # the thread closes its connections after the task
            if close_all.called:
                break
            threading.Event().wait(0.05)
    assert task.thread is not threading.main_thread()
    assert close_all.called


def test_after_a_broker_failure_publishing_pauses_instead_of_paying_again(settings, monkeypatch):
    """Twenty notifications of one ticket cost one refused connection, not twenty (issue 21)."""
    settings.OPSDESK_EAGER_TASKS_IN_THREAD = False
    calls = []

    class Down(_Task):
        def delay(self, *args):
            calls.append(args)
            raise ConnectionError("broker down")

    task = Down()
    for i in range(20):
        dispatch.enqueue(task, i)
    assert calls == [(0,)] and dispatch.broker_paused()
    # The pause ends: the next publish tries the broker again.
    monkeypatch.setattr(dispatch, "_paused_until", 0.0)
    dispatch.enqueue(task, 99)
    assert calls == [(0,), (99,)]


def test_publishing_makes_one_short_attempt(settings):
    assert settings.CELERY_TASK_PUBLISH_RETRY is False
    assert settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 1
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["max_retries"] == 0
