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
