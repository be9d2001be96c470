"""Drills (4.1): plan, record with RTO/RPO and problems, problems to tickets, the purchaser's sign-off."""

import datetime as dt

import pytest

from core.exceptions import IllegalTransition, PermissionDenied, ValidationFailed
from routine.services.drills import drill_plan, drill_problem_ticket, drill_record, drill_sign
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def drill(users, systems, purchaser):
    return drill_plan(actor=users["engineer"], kind="disaster_recovery", title="数据库容灾切换演练", organization=purchaser,
                      systems=[systems["own"]], plan="主备切换", scenario="主库宕机", planned_on=dt.date(2026, 3, 20),
                      rto_target_minutes=30, rpo_target_minutes=5, participants="张三、李四、采购人信息中心")


def test_record_problems_ticket_and_sign(users, systems, drill):
    with pytest.raises(IllegalTransition):
        drill_sign(actor=users["approver"], drill_id=drill.pk)
    with pytest.raises(ValidationFailed):
        drill_record(actor=users["engineer"], drill_id=drill.pk, rto_achieved_minutes=20, rpo_achieved_minutes=3, outcome="",
                     problems=[{"description": "x", "business_system": systems["other"]}])
    done = drill_record(actor=users["engineer"], drill_id=drill.pk, rto_achieved_minutes=42, rpo_achieved_minutes=3,
                        outcome="切换成功，RTO 超出目标", problems=[{"description": "切换脚本需手工确认", "business_system": systems["own"]}])
    assert done.status == "done" and done.rto_met is False and done.rpo_met is True
    problem = done.problems.get()
    ticket = drill_problem_ticket(actor=users["engineer"], problem_id=problem.pk)
    assert ticket.business_system == systems["own"] and "切换脚本" in ticket.description
    with pytest.raises(PermissionDenied):
        drill_sign(actor=users["engineer"], drill_id=drill.pk)
    with pytest.raises(PermissionDenied):
        drill_sign(actor=users["other_approver"], drill_id=drill.pk)
    signed = drill_sign(actor=users["approver"], drill_id=drill.pk, note="同意")
    assert signed.status == "signed" and signed.signed_by == users["approver"]
    assert Ticket.objects.count() == 1


def test_drill_api_and_pages(api, client, users, systems, drill):
    engineer = api(users["engineer"])
    body = {"rto_achieved_minutes": 25, "rpo_achieved_minutes": 4, "outcome": "达标",
            "problems": [{"description": "监控告警延迟", "business_system": systems["own"].pk}]}
    assert engineer.post(f"/api/v1/drills/{drill.pk}/record/", body, format="json").status_code == 200
    assert api(users["other_approver"]).post(f"/api/v1/drills/{drill.pk}/sign/", {}, format="json").status_code == 404
    assert api(users["approver"]).post(f"/api/v1/drills/{drill.pk}/sign/", {}, format="json").json()["status"] == "signed"
    assert api(users["requester"]).get("/api/v1/drills/").json()["count"] == 1
    assert api(users["other_requester"]).get("/api/v1/drills/").json()["count"] == 0
    client.force_login(users["auditor"])
    assert "数据库容灾切换演练" in client.get("/routine/drills/").content.decode()
    assert "25" in client.get(f"/routine/drills/{drill.pk}/").content.decode()
    xlsx = client.get("/routine/drills/?export=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
