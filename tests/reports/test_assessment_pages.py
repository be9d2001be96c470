"""The assessment and remediation pages, the dashboard's package pipeline, the home panel and the final
acceptance's written opinion (issue 18 items 3 and 4)."""

import datetime as dt

import pytest
from django.utils import timezone

from reports.models import Assessment, RemediationItem
from reports.services.assessments import (
    assessment_assess,
    assessment_final_receive,
    final_opinion_render,
    remediation_item_answer,
)
from tickets.models import Contract

from .test_assessments import MONTH, _issued_package, _items, assessed, package, renewal  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_the_purchaser_receives_and_assesses_on_the_pages(package, users, client):  # noqa: F811
    client.force_login(users["approver"])
    page = client.get(f"/reports/packages/{package.pk}/")
    assert page.status_code == 200 and "登记签收" in page.content.decode()
    response = client.post(f"/reports/packages/{package.pk}/receive/", {"received_on": timezone.localdate().isoformat()})
    assessment = Assessment.objects.get(package=package)
    assert response.status_code == 302 and response["Location"] == f"/reports/assessments/{assessment.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "提交评定" in detail and "item-TOTAL_FORMS" in detail
    form = {"item-TOTAL_FORMS": "5", "item-INITIAL_FORMS": "0", "verdict": "remediate", "comments": ""}
    refused = client.post(f"/reports/assessments/{assessment.pk}/", form)
    assert refused.status_code == 400 and "请写明意见" in refused.content.decode()
    refused = client.post(f"/reports/assessments/{assessment.pk}/", {**form, "comments": "不全"})
    assert refused.status_code == 400 and "至少提出一项整改项" in refused.content.decode()
    deadline = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    done = client.post(f"/reports/assessments/{assessment.pk}/", {
        **form, "comments": "台账不全", "item-0-title": "补齐巡检台账", "item-0-owner": str(users["engineer"].pk),
        "item-0-deadline": deadline})
    assert done.status_code == 302
    item = RemediationItem.objects.get(assessment=assessment)
    assert (item.title, item.owner_id, item.deadline.isoformat()) == ("补齐巡检台账", users["engineer"].pk, deadline)
    # The provider reads it but may not assess; another purchaser gets a 404.
    client.force_login(users["project_manager"])
    assert "提交评定" not in client.get(f"/reports/assessments/{assessment.pk}/").content.decode()
    client.force_login(users["other_approver"])
    assert client.get(f"/reports/assessments/{assessment.pk}/").status_code == 404


def test_the_owner_answers_and_the_purchaser_returns_on_the_pages(assessed, users, client, systems):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tickets.services.tickets import ticket_create

    item = assessed.items.get(number=1)
    ticket = ticket_create(actor=users["requester"], title="台账问题", kind="fault", severity="P3", business_system=systems["own"])
    client.force_login(users["engineer"])
    page = client.get(f"/reports/remediation/{item.pk}/").content.decode()
    assert "提交答复" in page and "确认整改完成并关闭" not in page
    unknown = client.post(f"/reports/remediation/{item.pk}/answer/", {"text": "见工单", "tickets": "T-NOPE"})
    assert unknown.status_code == 400 and "T-NOPE" in unknown.content.decode()
    response = client.post(f"/reports/remediation/{item.pk}/answer/", {
        "text": "已补齐，见工单与附件", "tickets": ticket.number,
        "file": [SimpleUploadedFile("台账.pdf", b"%PDF-1.4 x", content_type="application/pdf")]})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "answered"
    client.force_login(users["approver"])
    page = client.get(f"/reports/remediation/{item.pk}/").content.decode()
    assert ticket.number in page and "台账.pdf" in page and "退回" in page
    assert client.post(f"/reports/remediation/{item.pk}/return/", {"reason": ""}).status_code == 400
    assert client.post(f"/reports/remediation/{item.pk}/return/", {"reason": "缺签字页"}).status_code == 302
    item.refresh_from_db()
    assert item.state == "open" and item.returns == 1


def test_list_pages_have_fixed_queries(assessed, users, client, django_assert_num_queries):  # noqa: F811
    client.force_login(users["project_manager"])
    client.get("/reports/remediation/")
    client.get("/reports/assessments/")
    # session, user with organisation and roles (one query: accounts.authentication), the
    # unread-notification badge, and the list's count + one page of rows
    with django_assert_num_queries(5):
        page = client.get("/reports/remediation/?show=all")
    assert page.status_code == 200, page.content
    assert "补充第 1 项材料" in page.content.decode()
    with django_assert_num_queries(5):
        page = client.get("/reports/assessments/")
    assert page.status_code == 200 and "需整改" in page.content.decode()


def test_the_pipeline_follows_each_month_to_its_assessment(assessed, renewal, users, time_machine):  # noqa: F811
    from reports.selectors.assessments import package_pipeline

    time_machine.move_to(dt.datetime(2026, 12, 20, 10, tzinfo=timezone.get_current_timezone()))
    pipeline = package_pipeline(user=users["project_manager"], now=timezone.now())
    rows = {r.period.code: r for c in pipeline if c["contract"] == renewal for r in c["rows"]}
    assert rows[MONTH].stage == "assessed" and rows[MONTH].assessment.open_items == 2
    assert rows["2026-11"].stage == "missing" and rows["2026-11"].overdue  # due by 2026-12-15, nothing issued
    assert rows["2026-09"].stage == "missing"
    assert "2026-06" in rows and "2026-05" not in rows  # the renewal starts 2026-06-27
    # Another purchaser's approver sees nothing of it.
    assert all(c["contract"] != renewal for c in package_pipeline(user=users["other_approver"], now=timezone.now()))


def test_pipeline_queries_do_not_grow_with_contracts(assessed, users, django_assert_num_queries):  # noqa: F811
    from reports.selectors.assessments import package_pipeline

    package_pipeline(user=users["project_manager"], now=timezone.now())
    with django_assert_num_queries(4):  # contracts, reports, packages, assessments
        package_pipeline(user=users["project_manager"], now=timezone.now())


def test_dashboard_and_home_show_overdue_items(assessed, users, client, time_machine):  # noqa: F811
    item = assessed.items.get(number=1)
    time_machine.move_to(dt.datetime.combine(item.deadline + dt.timedelta(days=1), dt.time(10),
                                             tzinfo=timezone.get_current_timezone()))
    client.force_login(users["project_manager"])
    dashboard = client.get("/reports/").content.decode()
    assert "查验材料进度" in dashboard and "未关闭的整改项（2，其中逾期 1）" in dashboard
    home = client.get("/").content.decode()
    assert 'data-panel="reports-remediation"' in home and "已逾期" in home
    client.force_login(users["engineer2"])  # owns nothing: no panel
    assert 'data-panel="reports-remediation"' not in client.get("/").content.decode()
    client.force_login(users["approver"])
    assert 'data-panel="reports-remediation"' in client.get("/").content.decode()


def test_final_acceptance_writes_the_opinion_with_the_service_year_and_history(users, purchaser, package, time_machine,  # noqa: F811
                                                                                 django_capture_on_commit_callbacks, api):
    first = Contract.objects.filter(purchaser=purchaser).order_by("start_date").first()  # 2025-06-27..2026-06-26, ended
    later_contract = package.contract
    with pytest.raises(Exception) as early:
        assessment_final_receive(actor=users["approver"], contract=later_contract)  # its last month has not come
    assert "received_on" in early.value.fields
    approver = users["approver"]
    assessment = assessment_final_receive(actor=approver, contract=first)
    with pytest.raises(Exception) as again:
        assessment_final_receive(actor=approver, contract=first)
    assert again.value.status_code == 409
    deadline = timezone.localdate() + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_assess(actor=approver, assessment=assessment, verdict="remediate", comments="备份恢复测试记录不全",
                          items=_items(users, deadline))
    assessment.refresh_from_db()
    assert assessment.opinion_sha256 and assessment.opinion_file  # rendered by the task after commit
    assert final_opinion_render(assessment_id=assessment.pk) is None  # once: a re-run finds it rendered
    assert Assessment.objects.get(pk=assessment.pk).opinion_sha256 == assessment.opinion_sha256
    text = _pdf_text(assessment.opinion_file.path)
    assert "2025-06-27 至 2026-06-26" in text and "需整改" in text and "备份恢复测试记录不全" in text
    assert "补充第 1 项材料" in text and "服务年度绩效指标" in text
    download = api(users["auditor"]).get(f"/api/v1/reports/assessments/{assessment.pk}/opinion.pdf")
    assert download.status_code == 200 and download["X-Content-SHA256"] == assessment.opinion_sha256
    assert download["Cache-Control"] == "private, no-store"
    assert api(users["other_approver"]).get(f"/api/v1/reports/assessments/{assessment.pk}/opinion.pdf").status_code == 404
    # Re-acceptance (验收 2.5): the next round, once the first was not passed.
    item = assessment.items.get()
    remediation_item_answer(actor=users["engineer"], item=item, text="已补齐")
    second = assessment_final_receive(actor=approver, contract=first)
    assert second.round == 2
    with django_capture_on_commit_callbacks(execute=True):
        assessment_assess(actor=approver, assessment=second, verdict="pass", comments="整改完成，同意验收")
    second.refresh_from_db()
    text = _pdf_text(second.opinion_file.path)
    assert "第 2 轮" in text and "此前各轮验收" in text and "答复整改" in text
    with pytest.raises(Exception) as accepted:
        assessment_final_receive(actor=approver, contract=first)
    assert accepted.value.status_code == 409


def _pdf_text(path: str) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout
