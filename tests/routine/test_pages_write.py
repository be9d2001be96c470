"""The pages that write routine records: who sees them (the permission selectors), a bad submit keeps the
input and shows the service's words beside the fields and writes nothing, a good one writes through the
same service as the API."""

import datetime as dt
import io

import pytest
import time_machine

from routine.models import (
    AntivirusSweep,
    BackupPolicy,
    Drill,
    Finding,
    InspectionItem,
    InspectionSchedule,
    InspectionTemplate,
    SecurityActivity,
    SecurityWarning,
)
from routine.services.drills import drill_plan, drill_record
from routine.services.security import finding_create, finding_move

from .conftest import local

pytestmark = pytest.mark.django_db

NEW_PAGES = [
    "/routine/backups/policies/new/",
    "/routine/inspections/templates/new/",
    "/routine/inspections/schedules/new/",
    "/routine/security/activities/new/",
    "/routine/security/findings/new/",
    "/routine/security/warnings/new/",
    "/routine/security/antivirus/new/",
    "/routine/drills/new/",
]


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(local(2026, 10, 20, 10), tick=False):
        yield


@pytest.fixture
def drill(users, systems, purchaser):
    return drill_plan(actor=users["engineer"], kind="emergency", title="网络中断应急演练", organization=purchaser,
                      systems=[systems["own"]], plan="切换备用链路", scenario="主链路中断", planned_on=dt.date(2026, 10, 15),
                      rto_target_minutes=30, rpo_target_minutes=5, participants="张三、李四")


def _html(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("url", NEW_PAGES)
def test_new_pages_render_for_provider_staff_and_refuse_others(client, users, url):
    for who in ("engineer", "duty_leader", "project_manager"):
        client.force_login(users[who])
        response = client.get(url)
        assert response.status_code == 200, who
        assert 'name="csrfmiddlewaretoken"' in _html(response)
    for who in ("requester", "approver", "auditor"):
        client.force_login(users[who])
        assert client.get(url).status_code == 403, who
        assert client.post(url, {}).status_code == 403, who


def test_list_pages_offer_the_new_buttons_only_to_who_may_write(client, users):
    links = {"/routine/security/activities/": "/routine/security/activities/new/",
             "/routine/security/findings/": "/routine/security/findings/new/",
             "/routine/security/warnings/": "/routine/security/warnings/new/",
             "/routine/security/antivirus/": "/routine/security/antivirus/new/",
             "/routine/drills/": "/routine/drills/new/",
             "/routine/backups/": "/routine/backups/policies/new/",
             "/routine/inspections/setup/": "/routine/inspections/templates/new/"}
    for who, shown in (("engineer", True), ("requester", False), ("auditor", False)):
        client.force_login(users[who])
        for page, link in links.items():
            assert (link in _html(client.get(page))) is shown, (who, page)


# ---------------------------------------------------------------- backups


def test_policy_create_bad_then_good(client, users, systems):
    client.force_login(users["engineer"])
    data = {"business_system": systems["own"].pk, "name": "", "backup_object": "database", "backup_type": "incremental",
            "schedule": "每日 01:00", "owner": users["requester"].pk, "start_date": "2026-10-01", "active": "on"}
    response = client.post("/routine/backups/policies/new/", data)
    html = _html(response)
    assert response.status_code == 200 and "errorlist" in html and "每日 01:00" in html  # input kept
    assert not BackupPolicy.objects.exists()
    data.update(name="数据库增量", owner=users["requester"].pk)
    data["name"] = "数据库增量"
    html = _html(client.post("/routine/backups/policies/new/", data))
    assert not BackupPolicy.objects.exists()  # the owner is not provider staff: the form refuses the choice
    data["owner"] = users["engineer"].pk
    response = client.post("/routine/backups/policies/new/", data)
    assert response.status_code == 302
    policy = BackupPolicy.objects.get()
    assert policy.name == "数据库增量" and policy.owner == users["engineer"]
    # the service's own rule (one name per system) comes back beside the name field
    html = _html(client.post("/routine/backups/policies/new/", data))
    assert "该业务系统已有同名策略" in html and BackupPolicy.objects.count() == 1


def test_policy_edit_and_its_access(client, users, systems):
    client.force_login(users["engineer"])
    client.post("/routine/backups/policies/new/", {
        "business_system": systems["own"].pk, "name": "文件备份", "backup_object": "files", "backup_type": "full",
        "schedule": "每日", "owner": users["engineer"].pk, "start_date": "2026-10-01", "active": "on"})
    policy = BackupPolicy.objects.get()
    url = f"/routine/backups/policies/{policy.pk}/edit/"
    assert 'value="文件备份"' in _html(client.get(url))
    response = client.post(url, {"business_system": systems["other"].pk, "name": "文件全量备份", "backup_object": "files",
                                 "backup_type": "full", "schedule": "每日 02:00", "owner": users["engineer2"].pk,
                                 "start_date": "2026-10-01"})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.name, policy.schedule, policy.owner, policy.active, policy.business_system) == (
        "文件全量备份", "每日 02:00", users["engineer2"], False, systems["own"])  # the system stays
    client.force_login(users["requester"])
    assert client.get(url).status_code == 403
    client.force_login(users["other_requester"])
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------- inspections


def test_checklist_with_items_bad_then_good(client, users):
    client.force_login(users["engineer"])
    data = {"name": "机房巡检", "scope": "machine_room", "description": "",
            "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "60",
            "items-0-label": "机房温度", "items-0-kind": "number", "items-0-min_value": "", "items-0-max_value": "",
            "items-0-unit": "℃", "items-1-label": "核心交换机", "items-1-kind": "check",
            "items-2-label": "", "items-2-kind": "check"}
    html = _html(client.post("/routine/inspections/templates/new/", data))
    assert "数值项至少需要上限或下限" in html and 'value="核心交换机"' in html
    assert not InspectionTemplate.objects.exists()
    data.update({"items-0-min_value": "18", "items-0-max_value": "27"})
    assert client.post("/routine/inspections/templates/new/", data).status_code == 302
    template = InspectionTemplate.objects.get()
    assert [(i.seq, i.label, i.kind) for i in template.items.all()] == [(1, "机房温度", "number"), (2, "核心交换机", "check")]
    assert InspectionItem.objects.get(seq=1).limits() == "18–27 ℃"
    html = _html(client.get("/routine/inspections/setup/"))
    assert "机房巡检" in html and "18–27 ℃" in html


def test_schedule_bad_then_good(client, users, systems, checklist):
    client.force_login(users["engineer"])
    data = {"template": checklist.pk, "business_system": systems["own"].pk, "frequency": "weekly", "heavy_frequency": "",
            "time_of_day": "", "weekday": "", "grace_minutes": "5", "start_date": "2026-10-21"}
    html = _html(client.post("/routine/inspections/schedules/new/", data))
    assert "每日、每周巡检须填写时间" in html and "每周巡检须选择星期" in html and "宽限须在 10 至 1440 分钟之间" in html
    assert not InspectionSchedule.objects.exists()
    data.update(time_of_day="09:00", weekday="0", grace_minutes="")
    assert client.post("/routine/inspections/schedules/new/", data).status_code == 302
    schedule = InspectionSchedule.objects.get()
    assert schedule.weekday == 0 and schedule.time_of_day == dt.time(9) and schedule.grace_minutes > 0


# ---------------------------------------------------------------- security self-checks


def test_activity_bad_then_good(client, users, systems, purchaser):
    client.force_login(users["engineer"])
    data = {"kind": "pentest", "title": "渗透测试", "organization": purchaser.pk, "systems": [systems["own"].pk], "scope": "门户",
            "started_on": "2026-10-10", "ended_on": "2026-10-01", "people": "安全组"}
    html = _html(client.post("/routine/security/activities/new/", data))
    assert "结束日期不能早于开始日期" in html and 'value="渗透测试"' in html
    assert not SecurityActivity.objects.exists()
    data["ended_on"] = "2026-10-12"
    response = client.post("/routine/security/activities/new/", data)
    activity = SecurityActivity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/routine/security/activities/{activity.pk}/"
    assert activity.lead == users["engineer"] and list(activity.systems.all()) == [systems["own"]]


def test_finding_bad_then_good_and_its_steps_on_the_page(client, users, systems, scan):
    client.force_login(users["engineer"])
    data = {"activity": scan.pk, "business_system": "", "title": "弱口令", "severity": "high", "cve": "CVE-24-1",
            "found_on": "2026-10-01"}
    html = _html(client.post("/routine/security/findings/new/", data))
    assert "请填写业务系统" in html and "CVE 编号格式应为 CVE-年份-编号" in html and 'value="弱口令"' in html
    assert not Finding.objects.exists()
    data.update(business_system=systems["own"].pk, cve="CVE-2024-3094", hosts=[systems["host"].pk])
    response = client.post("/routine/security/findings/new/", data)
    finding = Finding.objects.get()
    assert response["Location"] == f"/routine/security/findings/{finding.pk}/"
    assert finding.due_on == dt.date(2026, 10, 8) and list(finding.hosts.all()) == [systems["host"]]
    page = _html(client.get(response["Location"]))
    assert 'value="start"' in page and 'value="fix"' in page and 'value="verify"' not in page
    client.post(response["Location"], {"action": "fix", "note": "已改口令"})
    finding.refresh_from_db()
    assert finding.status == "fixed" and finding.fixed_by == users["engineer"]
    history = _html(client.get(response["Location"]))
    assert "登记 → 待整改" in history and "整改完成 → 已整改：已改口令" in history  # words, not codes
    # the one who fixed it is not offered verify, and a crafted post is refused with the rule's words
    page = _html(client.get(response["Location"]))
    assert 'value="verify"' not in page
    response = client.post(f"/routine/security/findings/{finding.pk}/", {"action": "verify"})
    assert response.status_code == 200 and "整改人不能验证自己整改的问题" in _html(response)
    finding.refresh_from_db()
    assert finding.status == "fixed"


def test_reopen_needs_a_note_shown_beside_it(client, users, systems, scan):
    finding = finding_create(actor=users["engineer"], activity=scan, business_system=systems["own"], title="x", severity="low",
                             found_on=dt.date(2026, 9, 30))
    finding_move(actor=users["engineer"], finding_id=finding.pk, action="fix")
    client.force_login(users["engineer2"])
    html = _html(client.post(f"/routine/security/findings/{finding.pk}/", {"action": "reopen", "note": ""}))
    assert "请说明验证未通过的原因" in html
    finding.refresh_from_db()
    assert finding.status == "fixed"


def test_finding_page_refuses_purchasers_and_hides_the_steps(client, users, systems, scan):
    finding = finding_create(actor=users["engineer"], activity=scan, business_system=systems["own"], title="x", severity="low",
                             found_on=dt.date(2026, 9, 30))
    client.force_login(users["requester"])
    html = _html(client.get(f"/routine/security/findings/{finding.pk}/"))
    assert 'value="start"' not in html and 'value="accept_risk"' not in html
    assert client.post(f"/routine/security/findings/{finding.pk}/", {"action": "start"}).status_code == 403
    client.force_login(users["other_requester"])
    assert client.get(f"/routine/security/findings/{finding.pk}/").status_code == 404


def test_accept_risk_request_on_the_page(client, users, systems, scan):
    finding = finding_create(actor=users["engineer"], activity=scan, business_system=systems["own"], title="x", severity="low",
                             found_on=dt.date(2026, 9, 30))
    client.force_login(users["engineer"])
    url = f"/routine/security/findings/{finding.pk}/"
    html = _html(client.post(url, {"action": "accept_risk", "reason": ""}))
    assert "errorlist" in html and not finding.acceptances.exists()
    assert client.post(url, {"action": "accept_risk", "reason": "业务下线前不整改"}).status_code == 302
    assert finding.acceptances.get().state == "requested"
    assert 'value="accept_risk"' not in _html(client.get(url))  # one live request


def test_warning_bad_then_good(client, users, purchaser, other_purchaser):
    client.force_login(users["engineer"])
    data = {"organization": purchaser.pk, "audience": "", "title": "OpenSSH 高危漏洞预警", "severity": "high", "content": ""}
    html = _html(client.post("/routine/security/warnings/new/", data))
    assert "errorlist" in html and "OpenSSH 高危漏洞预警" in html and 'data-confirm=' in html
    assert not SecurityWarning.objects.exists()
    data["content"] = "请尽快升级。"
    assert client.post("/routine/security/warnings/new/", data).status_code == 302
    warning = SecurityWarning.objects.get()
    assert warning.audience == purchaser.name and warning.published_by == users["engineer"]


def test_antivirus_bad_then_good(client, users, systems):
    client.force_login(users["engineer"])
    data = {"host": systems["host"].pk, "swept_at": "2026-10-19T22:00", "engine": "ClamAV 1.3", "threats_found": "2",
            "threats_cleaned": "3", "notes": ""}
    html = _html(client.post("/routine/security/antivirus/new/", data))
    assert "已清除数不能大于发现数" in html and not AntivirusSweep.objects.exists()
    data["threats_cleaned"] = "2"
    assert client.post("/routine/security/antivirus/new/", data).status_code == 302
    assert AntivirusSweep.objects.get().recorded_by == users["engineer"]


# ---------------------------------------------------------------- drills


def test_drill_plan_bad_then_good(client, users, systems, purchaser):
    client.force_login(users["engineer"])
    data = {"kind": "disaster_recovery", "title": "容灾切换", "organization": purchaser.pk, "systems": [systems["other"].pk],
            "planned_on": "2026-11-05", "rto_target_minutes": "30", "rpo_target_minutes": "5", "plan": "主备切换",
            "scenario": "主库宕机", "participants": "张三"}
    html = _html(client.post("/routine/drills/new/", data))
    assert "业务系统须属于该采购人" in html and not Drill.objects.exists()
    data["systems"] = [systems["own"].pk]
    response = client.post("/routine/drills/new/", data)
    drill = Drill.objects.get()
    assert response["Location"] == f"/routine/drills/{drill.pk}/" and drill.status == "planned"


def test_drill_record_problem_ticket_and_sign_on_the_pages(client, users, systems, drill):
    client.force_login(users["engineer"])
    url = f"/routine/drills/{drill.pk}/record/"
    assert f'href="{url}"' in _html(client.get(f"/routine/drills/{drill.pk}/"))
    data = {"rto_achieved_minutes": "25", "rpo_achieved_minutes": "3", "outcome": "达标",
            "problems-TOTAL_FORMS": "2", "problems-INITIAL_FORMS": "0", "problems-MIN_NUM_FORMS": "0", "problems-MAX_NUM_FORMS": "50",
            "problems-0-description": "切换脚本需手工确认", "problems-0-business_system": "",
            "problems-1-description": "", "problems-1-business_system": ""}
    html = _html(client.post(url, data))
    assert "须为参演业务系统" in html and "切换脚本需手工确认" in html
    drill.refresh_from_db()
    assert drill.status == "planned" and not drill.problems.exists()
    data["problems-0-business_system"] = systems["own"].pk
    assert client.post(url, data).status_code == 302
    drill.refresh_from_db()
    assert drill.status == "done" and drill.problems.count() == 1
    assert client.get(url).status_code == 302  # recorded: nothing more to record
    page = _html(client.get(f"/routine/drills/{drill.pk}/"))
    assert 'value="ticket"' in page and 'value="sign"' not in page
    problem = drill.problems.get()
    client.post(f"/routine/drills/{drill.pk}/", {"action": "ticket", "problem": problem.pk, "severity": "P3"})
    problem.refresh_from_db()
    assert problem.ticket_id is not None
    # a second record of the same drill is refused with the state's words
    response = client.post(url, data, follow=True)
    assert "不能执行“登记演练结果”" in _html(response) and drill.problems.count() == 1
    client.force_login(users["approver"])
    page = _html(client.get(f"/routine/drills/{drill.pk}/"))
    assert 'value="sign"' in page and "data-confirm" in page and 'value="ticket"' not in page
    assert client.get(url).status_code == 302  # offered nothing to record
    client.post(f"/routine/drills/{drill.pk}/", {"action": "sign", "note": "同意"})
    drill.refresh_from_db()
    assert drill.status == "signed" and drill.sign_note == "同意"


def test_a_purchaser_may_not_record_a_drill(client, users, systems, drill):
    client.force_login(users["approver"])
    response = client.post(f"/routine/drills/{drill.pk}/record/", {"rto_achieved_minutes": "1", "rpo_achieved_minutes": "1"})
    assert response.status_code == 403
    drill_record(actor=users["engineer"], drill_id=drill.pk, rto_achieved_minutes=1, rpo_achieved_minutes=1, outcome="ok")
    client.force_login(users["other_approver"])
    assert client.get(f"/routine/drills/{drill.pk}/").status_code == 404


def test_findings_import_on_the_activity_page(client, users, systems, scan):
    from pathlib import Path

    client.force_login(users["engineer"])
    page = f"/routine/security/activities/{scan.pk}/"
    bad = io.BytesIO("业务系统,问题,等级,发现日期\n测试大数据平台,弱口令,高危,2026-10-01\n测试大数据平台,,紧急,2026-10-01\n".encode())
    bad.name = "findings.csv"
    html = _html(client.post(page, {"action": "import", "file": bad}))
    assert "未导入任何记录" in html and "title" in html and not Finding.objects.exists()
    xml = io.BytesIO((Path(__file__).parent / "data" / "openvas-sample.xml").read_bytes())
    xml.name = "scan.xml"
    html = _html(client.post(page, {"action": "import", "file": xml}))
    assert "新导入 3 行" in html and Finding.objects.filter(activity=scan).count() == 3
    client.force_login(users["requester"])
    assert "导入发现的问题" not in _html(client.get(page))
    assert client.post(page, {"action": "import", "file": xml}).status_code == 403
