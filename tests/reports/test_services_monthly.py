import hashlib
import io
import json
import subprocess
import zipfile

import pytest
from pypdf import PdfReader

from reports.models import ArchiveImmutable, MonthlyReport
from reports.selectors.periods import parse_month
from reports.services.monthly import (
    monthly_report_draft_previous_month,
    monthly_report_issue,
    monthly_report_remind,
    monthly_report_request,
)
from reports.services.packages import acceptance_package_request

from .conftest import EVAL_AT, at

pytestmark = pytest.mark.django_db


def _generate(actor, contract, django_capture_on_commit_callbacks, month="2026-10", now=EVAL_AT):
    with django_capture_on_commit_callbacks(execute=True):
        report = monthly_report_request(actor=actor, contract=contract, period=parse_month(month), now=now)
    report.refresh_from_db()
    return report


def test_generated_pdf_holds_the_figures_and_embeds_a_cjk_font(october, users, contract, django_capture_on_commit_callbacks, tmp_path):
    report = _generate(users["project_manager"], contract, django_capture_on_commit_callbacks)
    assert report.task_state == "done" and report.progress == 100, report.error
    data = report.file.read()
    assert hashlib.sha256(data).hexdigest() == report.sha256 and report.size == len(data)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "政务云运维月报" in text and "2026年10月" in text
    assert "60.00%" in text  # response time 3 of 5
    assert "80.00%" in text  # response rate 4 of 5
    assert "66.67%" in text  # satisfaction 2 of 3
    assert "GZ-20261031-0001" in text  # the P1 reported at 23:58 on the last day is listed
    assert "附录 指标定义与统计口径" in text
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "Noto-Sans-CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts  # embedded
    assert report.kpi_snapshot["figures"]["response_time"]["count"] == 5


def test_issued_report_is_immutable_and_regenerating_makes_a_new_version(october, users, contract, django_capture_on_commit_callbacks):
    first = _generate(users["project_manager"], contract, django_capture_on_commit_callbacks)
    issued = monthly_report_issue(actor=users["project_manager"], report_id=first.pk, now=EVAL_AT)
    assert issued.status == "issued" and issued.issued_by == users["project_manager"]
    issued.progress_note = "篡改"
    with pytest.raises(ArchiveImmutable):
        issued.save()
    with pytest.raises(ArchiveImmutable):
        MonthlyReport.objects.filter(pk=first.pk).update(sha256="0" * 64)
    with pytest.raises(ArchiveImmutable):
        issued.delete()
    second = _generate(users["duty_leader"], contract, django_capture_on_commit_callbacks)
    assert second.version == 2 and second.pk != first.pk and second.file.name != first.file.name
    first.refresh_from_db()
    assert first.status == "issued" and first.file.read()  # untouched


def test_only_the_project_manager_issues_and_only_a_finished_draft(october, users, contract, django_capture_on_commit_callbacks):
    from core.exceptions import IllegalTransition, PermissionDenied

    report = _generate(users["duty_leader"], contract, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        monthly_report_issue(actor=users["duty_leader"], report_id=report.pk)
    with pytest.raises(PermissionDenied):
        monthly_report_request(actor=users["engineer"], contract=contract, period=parse_month("2026-10"), now=EVAL_AT)
    monthly_report_issue(actor=users["project_manager"], report_id=report.pk)
    with pytest.raises(IllegalTransition):
        monthly_report_issue(actor=users["project_manager"], report_id=report.pk)


def test_draft_on_the_first_is_idempotent_and_reminders_flag_after_the_15th(users, contract, django_capture_on_commit_callbacks):
    from core.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        created = monthly_report_draft_previous_month(now=at(11, 1, 1))
    assert [r.month.isoformat() for r in created] == ["2026-10-01"] and created[0].automatic
    assert monthly_report_draft_previous_month(now=at(11, 1, 2)) == []
    pm = users["project_manager"]
    assert monthly_report_remind(now=at(11, 3, 9)) == 1
    assert monthly_report_remind(now=at(11, 3, 10)) == 0  # once a day
    assert monthly_report_remind(now=at(11, 16, 9)) == 1
    kinds = list(Notification.objects.filter(recipient=pm).values_list("kind", flat=True).order_by("pk"))
    assert kinds.count("report_reminder") == 1 and kinds.count("report_overdue") == 1
    report = MonthlyReport.objects.get(month="2026-10-01")
    monthly_report_issue(actor=pm, report_id=report.pk)
    assert monthly_report_remind(now=at(11, 17, 9)) == 0


def test_acceptance_package_manifest_hashes_match_the_files(october, users, contract, django_capture_on_commit_callbacks):
    report = _generate(users["project_manager"], contract, django_capture_on_commit_callbacks)
    monthly_report_issue(actor=users["project_manager"], report_id=report.pk)
    with django_capture_on_commit_callbacks(execute=True):
        package = acceptance_package_request(actor=users["project_manager"], contract=contract, period=parse_month("2026-10"),
                                             now=EVAL_AT)
    package.refresh_from_db()
    assert package.task_state == "done", package.error
    blob = package.file.read()
    assert hashlib.sha256(blob).hexdigest() == package.sha256
    zf = zipfile.ZipFile(io.BytesIO(blob))
    manifest = json.loads(zf.read("manifest.json"))
    names = [f["path"] for f in manifest["files"]]
    assert any(n.endswith(".xlsx") and "工单台账" in n for n in names)
    assert "05-宕机报告/宕机报告-GZ-20261031-0001.pdf" in names
    for entry in manifest["files"]:
        assert hashlib.sha256(zf.read(entry["path"])).hexdigest() == entry["sha256"]
    assert zf.read(names[0]) == report.file.open("rb").read()  # the issued PDF, byte for byte
    csv_name = next(n for n in names if n.endswith(".csv"))
    raw = zf.read(csv_name)
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 7  # header + T1..T7 (cancelled T4 is in the ledger, T8 is November)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(zf.read(next(n for n in names if "工单台账" in n and n.endswith(".xlsx")))))
    assert wb.active.max_row == 8
    with pytest.raises(ArchiveImmutable):
        package.delete()


def test_the_page_offers_issue_only_where_the_service_would_issue(october, users, contract, client, django_capture_on_commit_callbacks):
    """The monthly report page asks the report's transition table: an older draft with a newer finished
    version is refused by the service, so the page does not offer it either."""
    from core.exceptions import IllegalTransition
    from reports.services.monthly import monthly_report_actions_for

    pm = users["project_manager"]
    older = _generate(pm, contract, django_capture_on_commit_callbacks)
    newer = _generate(pm, contract, django_capture_on_commit_callbacks)
    assert monthly_report_actions_for(user=pm, report=older) == []
    assert monthly_report_actions_for(user=pm, report=newer) == ["issue"]
    assert monthly_report_actions_for(user=users["duty_leader"], report=newer) == []
    with pytest.raises(IllegalTransition, match="已有更新的版本"):
        monthly_report_issue(actor=pm, report_id=older.pk)
    client.force_login(pm)
    issue_url = "/reports/monthly/{}/issue/"
    assert issue_url.format(older.pk) not in client.get(f"/reports/monthly/{older.pk}/").content.decode()
    assert issue_url.format(newer.pk) in client.get(f"/reports/monthly/{newer.pk}/").content.decode()
def test_dispute_after_issue_keeps_the_issued_figures_and_the_next_version_shows_it(
    october, users, contract, django_capture_on_commit_callbacks
):
    """Issue 15: a confirmed provider cancellation leaves the month's figures; disputed after the report
    was issued, the issued PDF keeps its figures and the next version counts the ticket again."""
    from pathlib import Path

    from tickets.services.exclusions import exclusion_decide, ticket_cancel
    from tickets.services.tickets import ticket_create

    t9 = ticket_create(actor=users["requester"], title="门户无法登录", kind="fault", severity="P3",
                       business_system=october["own"], now=at(10, 28, 9))
    exclusion = ticket_cancel(actor=users["duty_leader"], ticket=t9, reason="用户已自行恢复", now=at(10, 28, 9, 5))
    exclusion_decide(actor=users["approver"], exclusion=exclusion, action="confirm", note="同意", now=at(10, 28, 10))
    first = _generate(users["project_manager"], contract, django_capture_on_commit_callbacks)
    monthly_report_issue(actor=users["project_manager"], report_id=first.pk, now=EVAL_AT)
    data = first.file.read()
    out = Path("test-artifacts/fig")
    out.mkdir(parents=True, exist_ok=True)
    (out / "monthly-v1.pdf").write_bytes(data)
    # Narrow table cells wrap: compare without line breaks and spaces.
    text = "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
    assert "指标排除（须经采购人确认）" in text and t9.number in text
    assert "达标的含义" in text and "总体（合并口径）" in text
    assert first.kpi_snapshot["figures"]["response_time"]["count"] == 5  # T9 left out

    exclusion_decide(actor=users["approver"], exclusion=exclusion, action="dispute", note="实际未恢复", now=EVAL_AT)
    second = _generate(users["project_manager"], contract, django_capture_on_commit_callbacks)
    assert second.version == 2
    assert second.kpi_snapshot["figures"]["response_time"]["count"] == 6  # T9 counts again, as a miss
    assert second.kpi_snapshot["figures"]["response_time"]["within_target"] == 3
    first.refresh_from_db()
    assert first.kpi_snapshot["figures"]["response_time"]["count"] == 5
    second.file.seek(0)
    (out / "monthly.pdf").write_bytes(second.file.read())
