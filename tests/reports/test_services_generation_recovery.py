"""Issue 8 drill: a worker killed while generating a report. The task is retried (acks_late
redelivery, or the periodic sweep re-queues the row once it is stale) and exactly one report version
results, with its file and SHA-256."""

import datetime as dt
import hashlib

import pytest

import reports.pdf
from core.exceptions import Conflict
from reports.models import MonthlyReport, TaskState
from reports.selectors.periods import parse_month
from reports.services.monthly import monthly_report_request
from reports.tasks import monthly_report_daily, monthly_report_generate_task

from .conftest import EVAL_AT

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: no `except Exception` handler runs."""


def test_acks_late_settings_make_a_killed_worker_s_task_come_back(settings):
    assert settings.CELERY_TASK_ACKS_LATE is True and settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True


def test_a_generation_killed_mid_way_is_finished_once_by_the_retry(
    october, users, contract, monkeypatch, time_machine, django_capture_on_commit_callbacks, settings
):
    time_machine.move_to(EVAL_AT, tick=False)
    with django_capture_on_commit_callbacks(execute=False):  # the broker has it; no worker yet
        report = monthly_report_request(actor=users["project_manager"], contract=contract, period=parse_month("2026-10"))
    real_render = reports.pdf.render_pdf

    def killed(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(reports.pdf, "render_pdf", killed)
    with pytest.raises(WorkerKilled):
        monthly_report_generate_task(report.pk)
    report.refresh_from_db()
    assert (report.task_state, report.progress, report.sha256) == (TaskState.RUNNING, 50, "")
    monkeypatch.setattr(reports.pdf, "render_pdf", real_render)

    # Redelivered at once: the row might still belong to a live worker, so the task leaves it alone,
    # and nobody can start a second version meanwhile.
    time_machine.move_to(EVAL_AT + dt.timedelta(minutes=1), tick=False)
    assert monthly_report_generate_task(report.pk) is None
    report.refresh_from_db()
    assert report.task_state == TaskState.RUNNING
    with pytest.raises(Conflict):
        monthly_report_request(actor=users["project_manager"], contract=contract, period=parse_month("2026-10"))

    # Past the stale timeout, the periodic job re-queues and (eager here) finishes the same row.
    time_machine.move_to(EVAL_AT + dt.timedelta(minutes=settings.REPORTS_STALE_RUNNING_MINUTES + 2), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        monthly_report_daily()
    versions = MonthlyReport.objects.filter(contract=contract, month=dt.date(2026, 10, 1))
    assert versions.count() == 1
    report.refresh_from_db()
    assert (report.version, report.task_state, report.progress) == (1, TaskState.DONE, 100)
    assert report.file and report.sha256 == hashlib.sha256(report.file.open("rb").read()).hexdigest()

    # Running the task again (a late duplicate) changes nothing.
    sha = report.sha256
    monthly_report_generate_task(report.pk)
    report.refresh_from_db()
    assert versions.count() == 1 and report.sha256 == sha


def test_a_redelivered_task_takes_over_a_stale_row_directly(october, users, contract, monkeypatch, time_machine,
                                                           django_capture_on_commit_callbacks, settings):
    time_machine.move_to(EVAL_AT, tick=False)
    with django_capture_on_commit_callbacks(execute=False):
        report = monthly_report_request(actor=users["project_manager"], contract=contract, period=parse_month("2026-10"))
    monkeypatch.setattr(reports.pdf, "render_pdf", lambda *a, **k: (_ for _ in ()).throw(WorkerKilled()))
    with pytest.raises(WorkerKilled):
        monthly_report_generate_task(report.pk)
    monkeypatch.undo()
    time_machine.move_to(EVAL_AT + dt.timedelta(minutes=settings.REPORTS_STALE_RUNNING_MINUTES + 1), tick=False)
    monthly_report_generate_task(report.pk)
    report.refresh_from_db()
    assert report.task_state == TaskState.DONE and report.sha256
    assert MonthlyReport.objects.filter(contract=contract, month=dt.date(2026, 10, 1)).count() == 1
