"""The backup API: reporting runs (one or a list), imports, compliance, access."""

import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditLog
from routine.models import BackupRun

from .conftest import local, run_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(local(2026, 4, 2, 10), tick=False):
        yield


def test_one_run_then_the_same_again(api, users, policy):
    client = api(users["engineer"])
    item = run_item(policy, dt.date(2026, 3, 2))
    first = client.post("/api/v1/backup-runs/", item, format="json")
    again = client.post("/api/v1/backup-runs/", item, format="json")
    assert first.status_code == 201 and first.json()["status"] == "created"
    assert again.status_code == 200 and again.json()["status"] == "unchanged" and again.json()["id"] == first.json()["id"]


def test_a_list_with_a_bad_item_stores_nothing_and_reports_per_item(api, users, policy):
    client = api(users["engineer"])
    items = [run_item(policy, dt.date(2026, 3, 2)), run_item(policy, dt.date(2026, 3, 3), result="done")]
    response = client.post("/api/v1/backup-runs/", items, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["fields"] == {"1.result": [body["rows"][1]["errors"]["result"][0]]}
    assert [r["status"] for r in body["rows"]] == ["created", "rejected"] or [r["status"] for r in body["rows"]][1] == "rejected"
    assert BackupRun.objects.count() == 0
    partial = client.post("/api/v1/backup-runs/?partial=1", items, format="json")
    assert partial.status_code == 201 and partial.json()["counts"] == {"created": 1, "unchanged": 0, "rejected": 1}


@pytest.mark.parametrize("change,field", [
    ({"policy": 987654}, "policy"),
    ({"ended_at": "2026-03-01T00:00:00+08:00"}, "ended_at"),
    ({"result": "maybe"}, "result"),
    ({"started_at": "yesterday"}, "started_at"),
    ({"size_bytes": -1}, "size_bytes"),
    ({"job_id": ""}, "job_id"),
])
def test_bad_single_runs_answer_400_with_the_field(api, users, policy, change, field):
    response = api(users["engineer"]).post("/api/v1/backup-runs/", run_item(policy, dt.date(2026, 3, 2)) | change, format="json")
    assert response.status_code == 400 and field in response.json()["fields"]
    assert BackupRun.objects.count() == 0


def test_purchasers_and_auditors_may_not_write_but_read_their_own(api, users, policy, other_policy):
    api(users["engineer"]).post("/api/v1/backup-runs/", [run_item(policy, dt.date(2026, 3, 2)),
                                                         run_item(other_policy, dt.date(2026, 3, 2))], format="json")
    for who in ("requester", "approver", "auditor"):
        assert api(users[who]).post("/api/v1/backup-runs/", run_item(policy, dt.date(2026, 3, 3)), format="json").status_code == 403
    own = api(users["requester"]).get("/api/v1/backup-runs/").json()["results"]
    assert [r["policy"] for r in own] == [policy.pk]
    assert api(users["other_requester"]).get(f"/api/v1/backup-policies/{policy.pk}/").status_code == 404
    assert len(api(users["provider_auditor"]).get("/api/v1/backup-runs/").json()["results"]) == 2
    assert [r["policy"] for r in api(users["auditor"]).get("/api/v1/backup-runs/").json()["results"]] == [policy.pk]


def test_the_backup_system_reports_with_its_token(users, make_user, policy):
    agent = make_user(username="backup-agent")
    agent.user_permissions.add(Permission.objects.get(codename="report_backup_run"))
    token = Token.objects.create(user=agent)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post("/api/v1/backup-runs/", run_item(policy, dt.date(2026, 3, 2)), format="json")
    assert response.status_code == 201
    assert BackupRun.objects.get().reported_by == agent
    assert AuditLog.objects.filter(object_type="routine.backuprun", action="create", actor=agent).exists()


def test_an_account_without_the_permission_may_not(users, make_user, policy):
    nobody = make_user(username="not-an-agent")
    client = APIClient()
    client.force_authenticate(nobody)
    assert client.post("/api/v1/backup-runs/", run_item(policy, dt.date(2026, 3, 2)), format="json").status_code == 403


def _csv(rows: list[list]) -> io.BytesIO:
    text = "策略,作业编号,备份方式,开始时间,结束时间,结果,备份量（字节）,信息\n" + "\n".join(",".join(map(str, r)) for r in rows)
    upload = io.BytesIO(("\ufeff" + text).encode())
    upload.name = "runs.csv"
    return upload


def test_csv_import_all_or_nothing_then_partial(api, users, policy):
    rows = [
        [f"测试大数据平台/{policy.name}", "C-1", "全量", "2026-03-01 01:00", "2026-03-01 02:00", "成功", 100, ""],
        [policy.pk, "C-2", "incremental", "2026-03-02 01:00", "2026-03-02 00:30", "success", "", "结束早于开始"],
        [policy.pk, "C-3", "incremental", "2026-03-03 01:00", "2026-03-03 01:30", "失败", "", "磁盘满"],
    ]
    client = api(users["engineer"])
    response = client.post("/api/v1/backup-runs/import/", {"file": _csv(rows)}, format="multipart")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["3.ended_at"]
    assert BackupRun.objects.count() == 0
    response = client.post("/api/v1/backup-runs/import/?partial=1", {"file": _csv(rows)}, format="multipart")
    assert response.status_code == 201
    assert [r["status"] for r in response.json()["rows"]] == ["created", "rejected", "created"]
    assert sorted(BackupRun.objects.values_list("job_id", "backup_type", "source")) == [
        ("C-1", "full", "import"), ("C-3", "incremental", "import")]


def test_xlsx_import(api, users, policy):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["策略", "作业编号", "备份方式", "开始时间", "结束时间", "结果"])
    sheet.append([policy.pk, "X-1", "全量", dt.datetime(2026, 3, 1, 1), dt.datetime(2026, 3, 1, 2), "成功"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "runs.xlsx"
    response = api(users["engineer"]).post("/api/v1/backup-runs/import/", {"file": out}, format="multipart")
    assert response.status_code == 201
    run = BackupRun.objects.get()
    assert run.started_at == local(2026, 3, 1, 1)


def test_an_unreadable_file_is_a_400(api, users):
    upload = io.BytesIO(b"\x00\x01")
    upload.name = "runs.pdf"
    response = api(users["engineer"]).post("/api/v1/backup-runs/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["fields"]


def test_compliance_api(api, users, policy, django_assert_num_queries):
    client = api(users["engineer"])
    client.post("/api/v1/backup-runs/", [run_item(policy, dt.date(2026, 3, d), kind="full") for d in range(1, 31)], format="json")
    client.force_authenticate(users["requester"])
    users["requester"].refresh_from_db()
    with django_assert_num_queries(5):  # roles, organisation (token auth brings it along), policies, runs, restore tests
        response = client.get("/api/v1/backup-compliance/?month=2026-03")
    [row] = response.json()["results"]
    assert row["days_required"] == 31 and row["days_covered"] == 30 and row["missing_days"] == ["2026-03-31"]
    assert row["full_runs"] == 30 and row["failed_runs"] == 0 and row["restore_tests"] == 0 and row["met"] is False
    for bad in ("", "2026-13", "March", "2026-3"):
        assert client.get(f"/api/v1/backup-compliance/?month={bad}").status_code == 400


def test_run_list_query_count(api, users, policy, django_assert_num_queries):
    api(users["engineer"]).post("/api/v1/backup-runs/", [run_item(policy, dt.date(2026, 3, d)) for d in range(1, 20)], format="json")
    client = api(users["auditor"])
    with django_assert_num_queries(3):  # roles, count, page
        response = client.get("/api/v1/backup-runs/?result=success&backup_type=incremental&started_after=2026-03-05T00:00:00%2B08:00")
    assert response.json()["count"] == 15


def test_restore_test_api(api, users, policy):
    client = api(users["engineer"])
    run = client.post("/api/v1/backup-runs/", run_item(policy, dt.date(2026, 3, 2)), format="json").json()
    ok = client.post("/api/v1/restore-tests/", {"policy": policy.pk, "run": run["id"], "tested_at": "2026-03-05T10:00:00+08:00",
                                                 "result": "success", "duration_minutes": 25}, format="json")
    assert ok.status_code == 201
    failed = client.post("/api/v1/restore-tests/", {"policy": policy.pk, "tested_at": "2026-03-05T10:00:00+08:00", "result": "failed"},
                         format="json")
    assert failed.status_code == 400 and "notes" in failed.json()["fields"]
    assert api(users["requester"]).post("/api/v1/restore-tests/", {"policy": policy.pk, "tested_at": "2026-03-05T10:00:00+08:00",
                                                                  "result": "success"}, format="json").status_code == 403


def test_policy_api(api, users, systems):
    client = api(users["engineer"])
    body = {"business_system": systems["own"].pk, "name": "OS", "backup_object": "os", "backup_type": "full",
            "schedule": "每周日", "owner": users["engineer"].pk, "start_date": "2026-03-01"}
    assert client.post("/api/v1/backup-policies/", body, format="json").status_code == 201
    assert client.post("/api/v1/backup-policies/", body, format="json").status_code == 400  # same name
    assert client.post("/api/v1/backup-policies/", body | {"name": "x", "owner": users["requester"].pk}, format="json").status_code == 400
    assert api(users["requester"]).post("/api/v1/backup-policies/", body | {"name": "y"}, format="json").status_code == 403
