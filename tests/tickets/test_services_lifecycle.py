"""Lifecycle services beyond the API tests: numbers, notices, timeline, resource adjustments, auto-close,
ratings, downtime corrections, major incidents, the outbox."""

import datetime as dt
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction

from core.exceptions import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.models import Notification, OutboxMessage
from core.tasks import outbox_deliver_pending
from tests.append_only import assert_database_refuses_rewrites, assert_orm_refuses_rewrites
from tickets.models import SatisfactionFollowUp, Ticket, TicketEvent
from tickets.services import exclusions as exclusion_svc
from tickets.services import tickets as svc
from tickets.services.downtime import downtime_record_correct
from tickets.services.satisfaction import satisfaction_follow_up_close, ticket_rate
from tickets.services.transitions import ticket_actions_for
from tickets.tasks import auto_close

BJ = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 3, 10, 0, tzinfo=BJ)


def later(minutes):
    return T0 + dt.timedelta(minutes=minutes)


@pytest.mark.django_db
def test_numbers_count_per_kind_and_day(new_ticket, time_machine):
    time_machine.move_to(T0, tick=False)
    a, b = new_ticket("fault"), new_ticket("fault")
    c = new_ticket("security")
    d = new_ticket("resource")
    e = new_ticket("request")
    assert [a.number, b.number] == ["GZ-20260303-0001", "GZ-20260303-0002"]
    assert (c.number, d.number, e.number) == ("AQ-20260303-0001", "ZY-20260303-0001", "FW-20260303-0001")
    time_machine.move_to(T0 + dt.timedelta(days=1), tick=False)
    assert new_ticket("fault").number == "GZ-20260304-0001"


@pytest.mark.django_db
def test_requester_is_told_when_acknowledged_pending_and_resolved(users, new_ticket):
    ticket = new_ticket()
    svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    svc.ticket_pend(actor=users["engineer"], ticket=ticket, reason="请提供截图")
    svc.ticket_resume(actor=users["requester"], ticket=ticket)
    svc.ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="已修复")
    kinds = list(Notification.objects.filter(recipient=users["requester"]).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["ticket_acknowledged", "ticket_pending", "ticket_resolved"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_notices_leave_after_commit_and_survive_a_broker_outage(users, new_ticket):
    ticket = new_ticket("request", "P4")  # a request: its creation tells nobody (a fault tells the duty staff)
    with mock.patch("core.tasks.outbox_deliver.delay", side_effect=ConnectionError("broker down")):
        svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    message = OutboxMessage.objects.get(recipient=users["requester"].email)
    assert message.status == OutboxMessage.Status.PENDING and not mail.outbox
    assert outbox_deliver_pending() >= 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert any(ticket.number in m.subject for m in mail.outbox)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_is_sent_for_a_rolled_back_change(users, new_ticket):
    ticket = new_ticket("request", "P4")  # a request: its creation tells nobody (a fault tells the duty staff)
    with pytest.raises(RuntimeError), transaction.atomic():
        svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket)
        raise RuntimeError("later step failed")
    assert not OutboxMessage.objects.exists() and not Notification.objects.exists() and not mail.outbox
    assert Ticket.objects.get(pk=ticket.pk).status == "new"
    assert not TicketEvent.objects.filter(kind="acknowledged").exists()


@pytest.mark.django_db
def test_timeline_is_append_only(users, new_ticket):
    ticket = new_ticket()
    event = ticket.events.get()
    assert_orm_refuses_rewrites(event, note="改写")
    assert_database_refuses_rewrites(event)


@pytest.mark.django_db
def test_admin_cannot_change_or_delete_the_timeline(admin_client, new_ticket):
    ticket = new_ticket()
    event = ticket.events.get()
    assert admin_client.get(f"/admin/tickets/ticketevent/{event.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/tickets/ticketevent/{event.pk}/change/", {"note": "x"}).status_code == 403
    assert admin_client.get("/admin/tickets/ticketevent/").status_code == 200


@pytest.mark.django_db
def test_resource_adjustment_resolve_updates_the_hosts(users, new_ticket, systems):
    ticket = new_ticket("resource", "P3", resource="memory", direction="increase", hosts=[systems["host"]],
                        amount_before=Decimal("32"), amount_after=Decimal("64"))
    svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    svc.ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="内存扩至 64G")
    systems["host"].refresh_from_db()
    assert systems["host"].memory_gb == 64
    event = ticket.events.get(kind="hosts_updated")
    assert event.data == {"field": "memory_gb", "hosts": {"t-host-01": [32, 64]}}


@pytest.mark.django_db
def test_auto_close_after_the_configured_days(users, new_ticket, settings, time_machine):
    settings.OPSDESK_AUTO_CLOSE_DAYS = 3
    time_machine.move_to(T0, tick=False)
    ticket = new_ticket()
    svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    svc.ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="已修复")
    time_machine.move_to(T0 + dt.timedelta(days=2), tick=False)
    assert auto_close() == 0
    time_machine.move_to(T0 + dt.timedelta(days=3, minutes=1), tick=False)
    assert auto_close() == 1
    assert auto_close() == 0
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    event = ticket.events.get(kind="auto_closed")
    assert event.actor is None and "3 天" in event.note


@pytest.mark.django_db
def test_rating_once_after_resolution_and_a_low_score_opens_a_follow_up(users, new_ticket):
    ticket = new_ticket()
    with pytest.raises(IllegalTransition):
        ticket_rate(actor=users["requester"], ticket=ticket, score=5)
    svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    svc.ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="已修复")
    with pytest.raises(PermissionDenied):
        ticket_rate(actor=users["engineer"], ticket=ticket, score=5)
    with pytest.raises(ValidationFailed):
        ticket_rate(actor=users["requester"], ticket=ticket, score=6)
    assert "rate" in ticket_actions_for(user=users["requester"], ticket=Ticket.objects.get(pk=ticket.pk))
    ticket_rate(actor=users["requester"], ticket=ticket, score=2, comment="处理太慢")
    with pytest.raises(Conflict):
        ticket_rate(actor=users["requester"], ticket=ticket, score=5)
    assert "rate" not in ticket_actions_for(user=users["requester"], ticket=Ticket.objects.get(pk=ticket.pk))
    follow_up = SatisfactionFollowUp.objects.get(ticket=ticket)
    assert follow_up.status == "open"
    assert Notification.objects.filter(recipient=users["project_manager"], kind="satisfaction_follow_up").count() == 1
    assert ticket.events.filter(kind="follow_up_opened").exists()
    with pytest.raises(PermissionDenied):
        satisfaction_follow_up_close(actor=users["engineer"], follow_up=follow_up, note="x")
    satisfaction_follow_up_close(actor=users["project_manager"], follow_up=follow_up, note="已电话回访，用户认可")
    follow_up.refresh_from_db()
    assert follow_up.status == "done" and ticket.events.filter(kind="follow_up_closed").exists()


@pytest.mark.django_db
def test_a_good_score_opens_no_follow_up_via_api(api, users, new_ticket):
    ticket = new_ticket()
    svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    svc.ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="已修复")
    url = f"/api/v1/tickets/{ticket.pk}/satisfaction/"
    assert api(users["requester"]).post(url, {"score": 0}, format="json").status_code == 400
    res = api(users["requester"]).post(url, {"score": 5, "comment": "很快"}, format="json")
    assert res.status_code == 201 and res.json()["score"] == 5
    assert api(users["requester"]).post(url, {"score": 4}, format="json").status_code == 409
    assert api(users["auditor"]).get(url).json()["comment"] == "很快"
    assert not SatisfactionFollowUp.objects.exists()


@pytest.mark.django_db
def test_downtime_defaults_and_corrections_with_reason(api, users, new_ticket, time_machine):
    time_machine.move_to(T0, tick=False)
    ticket = new_ticket("fault", "P1")
    svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket, now=later(5))
    time_machine.move_to(later(90), tick=False)
    svc.ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="恢复")
    record = ticket.downtimes.get()
    assert (record.start, record.end, record.claimed_planned) == (T0, later(90), False)
    with pytest.raises(ValidationFailed):
        downtime_record_correct(actor=users["engineer"], record=record, start=later(-10), reason="")
    with pytest.raises(PermissionDenied):
        downtime_record_correct(actor=users["requester"], record=record, start=later(-10), reason="x")
    url = f"/api/v1/tickets/{ticket.pk}/downtime/{record.pk}/"
    res = api(users["engineer"]).patch(url, {"start": later(-10).isoformat(), "reason": "监控显示 09:50 已中断"}, format="json")
    assert res.status_code == 200, res.json()
    record.refresh_from_db()
    assert record.start == later(-10) and record.reason_corrected == "监控显示 09:50 已中断"
    event = ticket.events.get(kind="downtime_corrected")
    assert event.data["old"]["start"] == T0.isoformat() and event.note == "监控显示 09:50 已中断"
    bad = api(users["engineer"]).patch(url, {"end": later(-60).isoformat(), "reason": "x"}, format="json")
    assert bad.status_code == 400
    listed = api(users["requester"]).get(f"/api/v1/tickets/{ticket.pk}/downtime/").json()["results"]
    assert len(listed) == 1


@pytest.mark.django_db
def test_the_project_manager_proposes_a_major_incident_and_the_approver_decides(users, new_ticket):
    """Issue 15 item 9: a fault or security incident; the PM's proposal counts once the approver confirms."""
    security = new_ticket("security", "P1")
    request = new_ticket("request", "P3")
    with pytest.raises(PermissionDenied):
        exclusion_svc.ticket_mark_major(actor=users["duty_leader"], ticket=security, reason="数据泄露")
    with pytest.raises(ValidationFailed):
        exclusion_svc.ticket_mark_major(actor=users["project_manager"], ticket=request, reason="x")
    proposal = exclusion_svc.ticket_mark_major(actor=users["project_manager"], ticket=security, reason="涉及公民个人信息泄露")
    security.refresh_from_db()
    assert proposal.state == "requested" and not security.major_incident
    with pytest.raises(Conflict):
        exclusion_svc.ticket_mark_major(actor=users["project_manager"], ticket=security, reason="再次")
    exclusion_svc.exclusion_decide(actor=users["approver"], exclusion=proposal, action="confirm")
    security.refresh_from_db()
    assert security.major_incident and security.major_marked_by == users["project_manager"]
    assert security.events.filter(kind="major_marked").count() == 1
    with pytest.raises(Conflict):
        exclusion_svc.ticket_mark_major(actor=users["approver"], ticket=security, reason="再次")
    exclusion_svc.exclusion_decide(actor=users["approver"], exclusion=proposal, action="dispute", note="复核后不属于")
    security.refresh_from_db()
    assert not security.major_incident


@pytest.mark.django_db
def test_actions_for_each_role(users, new_ticket):
    ticket = new_ticket()
    assert ticket_actions_for(user=users["requester"], ticket=ticket) == ["cancel", "merge", "update", "comment", "attach", "regrade"]
    # An engineer may assign (issue 19 item 10): to themselves, or their own or an unassigned ticket to a
    # colleague (tests/tickets/test_services_assign.py).
    assert ticket_actions_for(user=users["engineer"], ticket=ticket) == [
        "acknowledge", "claim", "assign", "update", "comment", "attach", "downtime", "regrade"
    ]
    assert "assign" in ticket_actions_for(user=users["duty_leader"], ticket=ticket)
    assert ticket_actions_for(user=users["auditor"], ticket=ticket) == []
    assert ticket_actions_for(user=users["other_requester"], ticket=ticket) == []
