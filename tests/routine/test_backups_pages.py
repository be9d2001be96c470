"""Backup pages: compliance, the registers with their exports, the import form, restore tests."""

import datetime as dt
import io

import pytest
import time_machine
from openpyxl import load_workbook

from core.models import AuditLog
from routine.models import BackupRun, RestoreTest
from routine.services.backups import backup_runs_record

from .conftest import local, run_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(local(2026, 4, 2, 10), tick=False):
        yield


@pytest.fixture
def runs(users, policy, other_policy):
    backup_runs_record(actor=users["engineer"], items=[run_item(policy, dt.date(2026, 3, d), kind="full") for d in range(1, 31)]
                       + [run_item(other_policy, dt.date(2026, 3, 1), kind="full", job="=cmd|' /C calc'!A0")])


def test_compliance_page_shows_the_missing_day(client, users, runs):
    client.force_login(users["requester"])
    html = client.get("/routine/backups/?month=2026-03").content.decode()
    assert "数据库每日备份" in html and "03-31" in html and "未达标" in html
    assert "他局文件备份" not in html


def test_a_bad_month_is_a_message_not_an_error(client, users, runs):
    client.force_login(users["engineer"])
    response = client.get("/routine/backups/?month=March")
    assert response.status_code == 200 and "YYYY-MM" in response.content.decode()


def test_run_register_filters_and_exports(client, users, runs):
    client.force_login(users["provider_auditor"])  # the formula is in another purchaser's run
    page = client.get("/routine/backups/runs/?result=success").content.decode()
    assert "J-" in page
    csv = client.get("/routine/backups/runs/?export=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("业务系统,备份策略,作业编号")
    assert "'=cmd" in csv  # a formula is not run by the spreadsheet
    xlsx = client.get("/routine/backups/runs/?export=xlsx&policy=" + str(BackupRun.objects.first().policy_id))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 31
    assert AuditLog.objects.filter(action="export", object_type="routine.backup-runs").count() == 2


def test_purchasers_export_only_their_own(client, users, runs):
    client.force_login(users["other_requester"])
    csv = client.get("/routine/backups/runs/?export=csv").content.decode("utf-8-sig")
    assert len(csv.splitlines()) == 2 and "他局文件备份" in csv


def test_import_form_reports_per_row(client, users, policy):
    client.force_login(users["engineer"])
    text = ("策略,作业编号,备份方式,开始时间,结束时间,结果\n"
            f"{policy.pk},P-1,全量,2026-03-01 01:00,2026-03-01 02:00,成功\n"
            f"{policy.pk},P-2,全量,2026-03-02 01:00,2026-03-02 02:00,好\n")
    upload = io.BytesIO(text.encode())
    upload.name = "runs.csv"
    html = client.post("/routine/backups/runs/", {"file": upload}).content.decode()
    assert "未登记任何记录" in html and "result" in html
    assert BackupRun.objects.count() == 0
    upload.seek(0)
    client.post("/routine/backups/runs/", {"file": upload, "partial": "on"})
    assert list(BackupRun.objects.values_list("job_id", flat=True)) == ["P-1"]


def test_restore_test_form(client, users, policy):
    client.force_login(users["engineer"])
    response = client.post("/routine/backups/restore-tests/", {
        "policy": policy.pk, "tested_at": "2026-03-05T10:00", "result": "failed", "notes": ""})
    assert response.status_code == 200 and RestoreTest.objects.count() == 0
    response = client.post("/routine/backups/restore-tests/", {
        "policy": policy.pk, "tested_at": "2026-03-05T10:00", "result": "success", "duration_minutes": "30"})
    assert response.status_code == 302 and RestoreTest.objects.get().performed_by == users["engineer"]


def test_pages_query_counts(client, users, runs, django_assert_max_num_queries):
    client.force_login(users["engineer"])
    client.get("/routine/backups/runs/")
    with django_assert_max_num_queries(12):
        client.get("/routine/backups/runs/")
    with django_assert_max_num_queries(12):
        client.get("/routine/backups/?month=2026-03")
