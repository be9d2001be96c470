"""Long work resumes in minutes (issue 21 item 2): a heartbeat while a generation runs, a minute sweep
that re-queues a silent one after REPORTS_STALE_RUNNING_MINUTES (default 3), one version and one file
in the end, and a page that says 重新排队 instead of showing a frozen bar."""

import datetime as dt
import time

import pytest

import reports.pdf
from core.heartbeat import heartbeat
from reports.models import AcceptancePackage, MonthlyReport, TaskState
from reports.selectors.periods import parse_month
from reports.services.generations import generations_resume
from reports.services.monthly import monthly_report_generate, monthly_report_request
from reports.services.packages import acceptance_package_request
from reports.tasks import generations_resume_task, monthly_report_generate_task

from .conftest import EVAL_AT

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """A SIGKILL seen from inside: no `except Exception` runs, the row stays `running`."""


def test_the_defaults_recover_within_minutes(settings):
    assert settings.REPORTS_STALE_RUNNING_MINUTES == 3
    assert settings.CELERY_BEAT_SCHEDULE["reports.generations_resume"]["schedule"] == 60.0
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == 180
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.REPORTS_HEARTBEAT_SECONDS * 3 < settings.REPORTS_STALE_RUNNING_MINUTES * 60


def _killed_generation(monkeypatch, django_capture_on_commit_callbacks, users, contract) -> MonthlyReport:
    with django_capture_on_commit_callbacks(execute=False):
        report = monthly_report_request(actor=users["project_manager"], contract=contract, period=parse_month("2026-10"))
    real = reports.pdf.render_pdf
    monkeypatch.setattr(reports.pdf, "render_pdf", lambda *a, **k: (_ for _ in ()).throw(WorkerKilled()))
    with pytest.raises(WorkerKilled):
        monthly_report_generate_task(report.pk)
    monkeypatch.setattr(reports.pdf, "render_pdf", real)
    report.refresh_from_db()
    assert (report.task_state, report.progress) == (TaskState.RUNNING, 50)
    return report


def test_the_minute_sweep_requeues_a_silent_generation_after_three_minutes(
    october, users, contract, monkeypatch, time_machine, django_capture_on_commit_callbacks, client
):
    time_machine.move_to(EVAL_AT, tick=False)
    report = _killed_generation(monkeypatch, django_capture_on_commit_callbacks, users, contract)
    client.force_login(users["project_manager"])

    # Within the stale time the row may belong to a live worker: left alone, the bar is shown.
    time_machine.move_to(EVAL_AT + dt.timedelta(minutes=2, seconds=50), tick=False)
    with django_capture_on_commit_callbacks(execute=False):
        assert generations_resume() == {"monthly": 0, "package": 0}
    page = client.get(f"/reports/monthly/{report.pk}/").content.decode()
    assert "<progress" in page and "重新排队" not in page

    # Past it, before the sweep: the page says it stopped and will be re-queued (no frozen bar).
    time_machine.move_to(EVAL_AT + dt.timedelta(minutes=3, seconds=1), tick=False)
    page = client.get(f"/reports/monthly/{report.pk}/").content.decode()
    assert "生成中断" in page and "重新排队" in page and "<progress" not in page

    # The sweep re-queues it (the broker is down here: the message is lost, the row stays queued).
    monkeypatch.setattr(monthly_report_generate_task, "delay", lambda *a: (_ for _ in ()).throw(ConnectionError("down")))
    from core import dispatch

    dispatch.broker_pause_reset()
    assert generations_resume()["monthly"] == 1
    report.refresh_from_db()
    assert (report.task_state, report.progress, report.progress_note) == (TaskState.QUEUED, 0, "生成中断，已重新排队")
    assert "生成中断，已重新排队" in client.get(f"/reports/monthly/{report.pk}/").content.decode()
    monkeypatch.undo()
    dispatch.broker_pause_reset()

    # A minute later the sweep hands the queued row to a worker (eager here), which finishes it once.
    time_machine.move_to(EVAL_AT + dt.timedelta(minutes=4, seconds=5), tick=False)
    generations_resume_task()
    report.refresh_from_db()
    assert report.task_state == TaskState.DONE and report.sha256 and report.progress == 100
    assert MonthlyReport.objects.filter(contract=contract, month=dt.date(2026, 10, 1)).count() == 1
    # The killed worker's message, redelivered after the visibility timeout, changes nothing.
    sha = report.sha256
    assert monthly_report_generate(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.sha256 == sha


def test_a_stale_package_is_requeued_and_built_once(october, users, contract, monkeypatch, time_machine,
                                                    django_capture_on_commit_callbacks):
    time_machine.move_to(EVAL_AT, tick=False)
    monthly_report_generate(report_id=monthly_report_request(
        actor=users["project_manager"], contract=contract, period=parse_month("2026-10")).pk)
    with django_capture_on_commit_callbacks(execute=False):
        package = acceptance_package_request(actor=users["project_manager"], contract=contract, period=parse_month("2026-10"))
    import reports.services.packages as packages

    real = packages.package_files
    monkeypatch.setattr(packages, "package_files", lambda **k: (_ for _ in ()).throw(WorkerKilled()))
    with pytest.raises(WorkerKilled):
        packages.acceptance_package_build(package_id=package.pk)
    monkeypatch.setattr(packages, "package_files", real)
    time_machine.move_to(EVAL_AT + dt.timedelta(minutes=4), tick=False)
    assert generations_resume()["package"] == 1
    package.refresh_from_db()
    assert package.task_state == TaskState.DONE and package.sha256
    assert AcceptancePackage.objects.filter(contract=contract, month=dt.date(2026, 10, 1)).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_heartbeat_keeps_a_slow_step_alive_and_stops_with_it(users, contract):
    report = MonthlyReport.objects.create(contract=contract, month=dt.date(2026, 10, 1), last_day=dt.date(2026, 10, 31), version=1,
                                          requested_at=EVAL_AT, task_state=TaskState.RUNNING, progress_at=EVAL_AT)
    rows = MonthlyReport.objects.filter(pk=report.pk, task_state=TaskState.RUNNING)
    with heartbeat(rows, every=0.1):
        time.sleep(0.5)  # a long PDF render
    report.refresh_from_db()
    beaten = report.progress_at
    assert beaten > EVAL_AT
    time.sleep(0.3)
    report.refresh_from_db()
    assert report.progress_at == beaten  # stopped with the block
    # A beat never revives a row that is no longer ours.
    MonthlyReport.objects.filter(pk=report.pk).update(task_state=TaskState.QUEUED, progress_at=EVAL_AT)
    with heartbeat(rows, every=0.1):
        time.sleep(0.3)
    report.refresh_from_db()
    assert report.progress_at == EVAL_AT
