"""The monthly report's usage section (clauses 8.1.9, 8.2.9): utilisation per business system and the
month's optimisation findings, read through monitoring.selectors, in the generated PDF."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from monitoring.models import OptimisationFinding
from monitoring.services.utilisation import finding_dismiss, utilisation_import
from reports.selectors.periods import parse_month
from reports.services.monthly import monthly_report_request

from .conftest import EVAL_AT

pytestmark = pytest.mark.django_db


def test_the_usage_section_lists_utilisation_per_system_and_the_findings(users, systems, contract, django_capture_on_commit_callbacks):
    rows = [f"t-host-01,2026-10-{d:02d},CPU,50,{88 + d % 3}" for d in range(1, 6)]
    rows += [f"t-host-01,2026-10-{d:02d},内存,4,6" for d in range(1, 15)]
    rows += ["t-host-99,2026-10-01,CPU,99,99"]  # another purchaser's host: not in this report
    data = ("主机,日期,指标,日均值（%）,日 P95（%）\n" + "\n".join(rows) + "\n").encode()
    utilisation_import(actor=users["project_manager"], name="u.csv", data=data, now=dt.datetime(2026, 10, 20, tzinfo=dt.UTC))
    low = OptimisationFinding.objects.get(direction="low")
    finding_dismiss(actor=users["duty_leader"], finding=low, reason="数据库缓存预留内存")
    with django_capture_on_commit_callbacks(execute=True):
        report = monthly_report_request(actor=users["project_manager"], contract=contract, period=parse_month("2026-10"), now=EVAL_AT)
    report.refresh_from_db()
    assert report.task_state == "done", report.error
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(report.file.read())).pages)
    assert "资源利用率（按业务系统）" in text and "测试大数据平台" in text and "t-host-01" in text
    assert "t-host-99" not in text and "他局系统" not in text
    assert "50.00" in text and "90.00" in text  # CPU mean of the daily averages, highest daily P95
    assert "资源优化建议（利用率）" in text and "本月涉及的优化建议共 2 条，其中待处理 1 条" in text
    assert "数据库缓存预留内存" in text
