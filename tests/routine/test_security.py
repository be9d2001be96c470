"""Security self-checks: findings and their due dates, the state table, imports (CSV and OpenVAS XML),
the accepted-risk consent, antivirus sweeps, warnings."""

import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine

from core.consent import consent_decide
from core.exceptions import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from core.models import Notification
from routine.models import Finding, FindingEvent
from routine.selectors.security import finding_list_for_user, hosts_unswept, security_month
from routine.services.security import (
    antivirus_sweep_record,
    finding_accept_risk_request,
    finding_create,
    finding_move,
    findings_import_csv,
    findings_import_openvas,
    security_warning_publish,
)

from .conftest import local

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parent / "data" / "openvas-sample.xml"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(local(2026, 10, 20, 10), tick=False):
        yield


def test_due_date_counts_calendar_days_across_the_national_day_holiday(users, systems, scan):
    high = finding_create(actor=users["engineer"], activity=scan, business_system=systems["own"], title="弱口令", severity="high",
                          found_on=dt.date(2026, 9, 30))
    low = finding_create(actor=users["engineer"], activity=scan, business_system=systems["own"], title="信息泄露", severity="low",
                         found_on=dt.date(2026, 9, 30))
    assert high.due_on == dt.date(2026, 10, 7)  # inside the holiday: calendar days, not working days
    assert low.due_on == dt.date(2026, 12, 29)


def test_a_finding_without_a_system_or_with_a_bad_cve_is_refused(users, systems, scan):
    with pytest.raises(ValidationFailed) as err:
        finding_create(actor=users["engineer"], activity=scan, business_system=None, title="x", severity="urgent",
                       cve="CVE-24-1", found_on=dt.date(2026, 9, 30))
    assert set(err.value.fields) == {"business_system", "severity", "cve"}
    assert not Finding.objects.exists()


def test_the_state_table_and_nobody_verifies_what_they_fixed(users, systems, scan):
    finding = finding_create(actor=users["engineer"], activity=scan, business_system=systems["own"], title="弱口令",
                             severity="high", found_on=dt.date(2026, 9, 30))
    finding_move(actor=users["engineer"], finding_id=finding.pk, action="start")
    finding_move(actor=users["engineer"], finding_id=finding.pk, action="fix")
    with pytest.raises(IllegalTransition):
        finding_move(actor=users["engineer"], finding_id=finding.pk, action="verify")
    with pytest.raises(PermissionDenied):
        finding_move(actor=users["requester"], finding_id=finding.pk, action="verify")
    done = finding_move(actor=users["engineer2"], finding_id=finding.pk, action="verify")
    assert done.status == "verified" and done.verified_by == users["engineer2"]
    with pytest.raises(IllegalTransition):
        finding_move(actor=users["engineer2"], finding_id=finding.pk, action="fix")
    assert list(FindingEvent.objects.filter(finding=finding).values_list("action", flat=True)) == ["open", "start", "fix", "verify"]


def test_accepted_risk_counts_only_once_the_purchasers_approver_confirms(users, systems, scan):
    finding = finding_create(actor=users["engineer"], activity=scan, business_system=systems["own"], title="老系统无法升级",
                             severity="high", found_on=dt.date(2026, 9, 30))
    request = finding_accept_risk_request(actor=users["engineer"], finding_id=finding.pk, reason="厂商已停止维护，已加访问控制")
    assert Notification.objects.filter(recipient=users["approver"], kind="consent_requested").exists()
    month = security_month(user=users["auditor"], first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31))
    assert month["accepted"] == 0 and [f.pk for f in month["overdue"]] == [finding.pk]
    with pytest.raises(PermissionDenied):
        consent_decide(request, actor=users["engineer"], action="confirm")
    with pytest.raises(NotFound):
        consent_decide(request, actor=users["other_approver"], action="confirm")
    with pytest.raises(ValidationFailed):
        finding_accept_risk_request(actor=users["engineer"], finding_id=finding.pk, reason="再来一次")
    consent_decide(request, actor=users["approver"], action="confirm", note="同意")
    month = security_month(user=users["auditor"], first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31))
    assert month["accepted"] == 1 and month["overdue"] == []
    consent_decide(request, actor=users["approver"], action="dispute", note="访问控制未落实")
    assert finding_list_for_user(user=users["auditor"]).get(pk=finding.pk).accepted is False


def test_csv_import_reports_per_row(users, systems, scan):
    text = ("业务系统,问题,等级,主机,CVE 编号,发现日期,说明\n"
            "测试大数据平台,Redis 未授权访问,高危,t-host-01,,2026-09-29,\n"
            ",没有系统,中危,,,2026-09-29,\n"
            "测试大数据平台,Log4j,高危,t-host-01,CVE-2021-44228,2026-09-29,\n")
    result = findings_import_csv(actor=users["engineer"], activity=scan, name="f.csv", data=text.encode())
    assert not result["stored"] and [r["status"] for r in result["rows"]] == ["created", "rejected", "created"]
    assert "business_system" in result["rows"][1]["errors"] and not Finding.objects.exists()
    result = findings_import_csv(actor=users["engineer"], activity=scan, name="f.csv", data=text.encode(), partial=True)
    assert result["counts"] == {"created": 2, "unchanged": 0, "rejected": 1}
    assert Finding.objects.get(cve="CVE-2021-44228").hosts.get() == systems["host"]


def test_openvas_xml_import_and_reimport(users, systems, scan):
    result = findings_import_openvas(actor=users["engineer"], activity=scan, data=SAMPLE.read_bytes())
    assert result["counts"] == {"created": 3, "unchanged": 0, "rejected": 0}  # the Log result is skipped
    high = Finding.objects.get(severity="high")
    assert high.cve == "CVE-2024-6387" and high.business_system == systems["own"] and "升级 OpenSSH" in high.description
    assert list(high.hosts.all()) == [systems["host"]] and high.due_on == dt.date(2026, 10, 7)
    again = findings_import_openvas(actor=users["engineer"], activity=scan, data=SAMPLE.read_bytes())
    assert again["counts"] == {"created": 0, "unchanged": 3, "rejected": 0} and Finding.objects.count() == 3


def test_openvas_refuses_entities_and_garbage(users, scan):
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><report>&b;</report>'
    for data in (bomb, b"not xml", b"<html/>"):
        with pytest.raises(ValidationFailed):
            findings_import_openvas(actor=users["engineer"], activity=scan, data=data)


def test_import_api_with_the_sample(api, users, scan):
    upload = io.BytesIO(SAMPLE.read_bytes())
    upload.name = "scan.xml"
    response = api(users["engineer"]).post("/api/v1/findings/import/", {"activity": scan.pk, "file": upload}, format="multipart")
    assert response.status_code == 201 and response.json()["counts"]["created"] == 3
    assert api(users["requester"]).post("/api/v1/findings/import/", {}, format="multipart").status_code == 403


def test_findings_api_actions_and_consent(api, users, systems, scan):
    engineer = api(users["engineer"])
    created = engineer.post("/api/v1/findings/", {"activity": scan.pk, "business_system": systems["own"].pk, "title": "弱口令",
                                                  "severity": "medium", "found_on": "2026-09-30", "hosts": [systems["host"].pk]},
                            format="json")
    assert created.status_code == 201 and created.json()["due_on"] == "2026-10-30"
    assert created.json()["actions"] == ["start", "fix"]
    pk = created.json()["id"]
    assert engineer.post("/api/v1/findings/", {"activity": scan.pk, "title": "x", "severity": "low", "found_on": "2026-09-30"},
                         format="json").status_code == 400
    assert engineer.post(f"/api/v1/findings/{pk}/fix/", {}, format="json").status_code == 200
    assert engineer.post(f"/api/v1/findings/{pk}/verify/", {}, format="json").status_code == 409
    consent = engineer.post(f"/api/v1/findings/{pk}/accept-risk/", {"reason": "业务停用前无法整改"}, format="json").json()
    approver = api(users["approver"])
    assert approver.post(f"/api/v1/risk-acceptances/{consent['id']}/confirm/", {}, format="json").json()["state"] == "confirmed"
    assert api(users["other_approver"]).get(f"/api/v1/findings/{pk}/").status_code == 404
    assert approver.get("/api/v1/findings/?accepted=true").json()["count"] == 1


def test_antivirus_unswept_hosts_and_warnings(api, users, systems, purchaser):
    antivirus_sweep_record(actor=users["engineer"], host=systems["host"], swept_at=local(2026, 10, 3, 2), engine="360 天擎 10.0")
    assert list(hosts_unswept(user=users["provider_auditor"], first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31))) == [systems["other_host"]]
    assert list(hosts_unswept(user=users["auditor"], first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31))) == []
    assert list(hosts_unswept(user=users["requester"], first=dt.date(2026, 9, 1), last=dt.date(2026, 9, 30))) == [systems["host"]]
    with pytest.raises(ValidationFailed):
        antivirus_sweep_record(actor=users["engineer"], host=systems["host"], swept_at=local(2026, 10, 4), engine="x", threats_found=2)
    response = api(users["provider_auditor"]).get("/api/v1/antivirus-unswept/?month=2026-10").json()
    assert [r["name"] for r in response["results"]] == ["t-host-99"]
    security_warning_publish(actor=users["engineer"], organization=purchaser, audience="信息中心", title="OpenSSH 高危漏洞预警",
                             severity="high", content="请于 7 日内升级")
    assert Notification.objects.filter(recipient=users["requester"], kind="security_warning").exists()
    assert api(users["other_requester"]).get("/api/v1/security-warnings/").json()["results"] == []
    assert len(api(users["requester"]).get("/api/v1/security-warnings/").json()["results"]) == 1


def test_security_pages(client, users, systems, scan):
    finding = finding_create(actor=users["engineer"], activity=scan, business_system=systems["own"], title="弱口令",
                             severity="high", found_on=dt.date(2026, 9, 30))
    client.force_login(users["engineer"])
    for url in ("/routine/security/?month=2026-10", "/routine/security/activities/", "/routine/security/findings/",
                "/routine/security/antivirus/", "/routine/security/warnings/", f"/routine/security/findings/{finding.pk}/"):
        assert client.get(url).status_code == 200, url
    assert "弱口令" in client.get("/routine/security/?month=2026-10").content.decode()  # overdue since 7 October
    client.post(f"/routine/security/findings/{finding.pk}/", {"action": "fix"})
    client.post(f"/routine/security/findings/{finding.pk}/", {"action": "accept_risk", "reason": "停用在即"})
    client.force_login(users["approver"])
    page = client.get(f"/routine/security/findings/{finding.pk}/").content.decode()
    assert "确认接受风险" in page
    acceptance = finding.acceptances.get()
    client.post(f"/routine/security/findings/{finding.pk}/", {"action": "consent_confirm", "acceptance": acceptance.pk})
    acceptance.refresh_from_db()
    assert acceptance.state == "confirmed"
    client.force_login(users["engineer"])
    page = client.get(f"/routine/security/findings/{finding.pk}/").content.decode()
    assert "验证通过" not in page  # who fixed it may not verify it
    csv = client.get("/routine/security/findings/?export=csv").content.decode("utf-8-sig")
    assert "已接受风险" in csv
    client.force_login(users["other_requester"])
    assert client.get(f"/routine/security/findings/{finding.pk}/").status_code == 404
