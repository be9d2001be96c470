"""Regrade (issue 15 item 8): raising is the provider's and takes effect at once (P3 → P1: the restore
clock from the original report time, the outage record from that time); a provider's downgrade of a
fault or security incident is an exclusion the purchaser's approver must confirm (until then the
ticket is measured at its old severity); the purchaser lowering its own ticket needs nobody."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.exceptions import Conflict, PermissionDenied, ValidationFailed
from reports.selectors.kpis import Scope, kpis_compute
from reports.selectors.periods import parse_month
from tickets.models import DowntimeRecord, Exclusion, Ticket, TicketEvent
from tickets.services.exclusions import exclusion_decide
from tickets.services.regrade import ticket_regrade
from tickets.services.tickets import ticket_acknowledge, ticket_resolve

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")


def at(d, hh, mm=0):
    return dt.datetime(2026, 10, d, hh, mm, tzinfo=BJ)


@pytest.fixture
def p3_fault(new_ticket, time_machine):
    time_machine.move_to(at(10, 10), tick=False)
    return new_ticket("fault", "P3")


def _restore(purchaser, now):
    return kpis_compute(period=parse_month("2026-10"), scope=Scope(organization_id=purchaser.pk), now=now).figures["restore_time"]


def test_raising_to_p1_adds_the_restore_clock_and_the_outage_from_the_report_time(p3_fault, users, time_machine, purchaser):
    time_machine.move_to(at(10, 11), tick=False)
    ticket_acknowledge(actor=users["engineer"], ticket=p3_fault)
    time_machine.move_to(at(10, 12), tick=False)
    result = ticket_regrade(actor=users["engineer"], ticket=p3_fault, severity="P1", reason="确认为系统宕机")
    assert isinstance(result, Ticket) and result.severity == "P1"
    restore = p3_fault.clocks.get(name="restore")
    assert (restore.started_at, restore.target_minutes, restore.stopped_at) == (at(10, 10), 240, None)
    assert restore.due_at == at(10, 14)
    # The clocks it had keep the targets they started with (the response clock stopped at acknowledge).
    assert p3_fault.clocks.count() == 3 and p3_fault.clocks.get(name="response").stopped_at == at(10, 11)
    record = DowntimeRecord.objects.get(ticket=p3_fault)
    assert (record.start, record.end) == (at(10, 10), None)
    event = p3_fault.events.get(kind=TicketEvent.Kind.REGRADED)
    assert (event.data["from"], event.data["to"], event.note) == ("P3", "P1", "确认为系统宕机")
    assert event.data["downtime"]["id"] == record.pk and "restore" in event.data["clocks_added"]
    running = p3_fault.clocks.filter(stopped_at__isnull=True)
    assert Ticket.objects.get(pk=p3_fault.pk).next_due_at == min(c.due_at for c in running)
    # The restore figure counts it: resolved at 14:00 is exactly 4 hours, not met.
    time_machine.move_to(at(10, 14), tick=False)
    ticket_resolve(actor=users["engineer"], ticket=p3_fault, resolution="恢复")
    f = _restore(purchaser, at(10, 15))
    assert (f["count"], f["within_target"]) == (1, 0)
    assert DowntimeRecord.objects.get(ticket=p3_fault).end == at(10, 14)


def test_raising_a_resolved_fault_stops_the_new_clock_at_the_resolve_time(p3_fault, users, time_machine):
    time_machine.move_to(at(10, 11), tick=False)
    ticket_acknowledge(actor=users["engineer"], ticket=p3_fault)
    ticket_resolve(actor=users["engineer"], ticket=p3_fault, resolution="恢复")
    time_machine.move_to(at(10, 18), tick=False)
    ticket_regrade(actor=users["duty_leader"], ticket=p3_fault, severity="P1", reason="事后确认为宕机")
    restore = p3_fault.clocks.get(name="restore")
    assert (restore.stopped_at, restore.elapsed_seconds, restore.breached) == (at(10, 11), 3600, False)
    assert DowntimeRecord.objects.get(ticket=p3_fault).end == at(10, 11)


def test_only_the_provider_raises(p3_fault, users):
    with pytest.raises(PermissionDenied):
        ticket_regrade(actor=users["requester"], ticket=p3_fault, severity="P1")
    with pytest.raises(PermissionDenied):
        ticket_regrade(actor=users["auditor"], ticket=p3_fault, severity="P1")
    assert Ticket.objects.get(pk=p3_fault.pk).severity == "P3" and p3_fault.clocks.count() == 2


def test_a_provider_downgrade_waits_for_the_approver_and_a_dispute_undoes_it(new_ticket, users, time_machine, purchaser):
    time_machine.move_to(at(10, 10), tick=False)
    p1 = new_ticket("fault", "P1")
    with pytest.raises(ValidationFailed):
        ticket_regrade(actor=users["engineer"], ticket=p1, severity="P3")  # a reason is required
    time_machine.move_to(at(10, 15), tick=False)
    ticket_acknowledge(actor=users["engineer"], ticket=p1)
    ticket_resolve(actor=users["engineer"], ticket=p1, resolution="恢复")  # 5 h: the restore clock missed
    request = ticket_regrade(actor=users["engineer"], ticket=p1, severity="P3", reason="仅部分功能受影响")
    assert isinstance(request, Exclusion)
    assert (request.kind, request.state, request.severity_from, request.severity_to) == ("downgrade", "requested", "P1", "P3")
    assert Ticket.objects.get(pk=p1.pk).severity == "P1"
    assert _restore(purchaser, at(10, 16))["count"] == 1  # measured at its old severity meanwhile
    with pytest.raises(Conflict):
        ticket_regrade(actor=users["duty_leader"], ticket=p1, severity="P4", reason="再降")
    with pytest.raises(PermissionDenied):  # the provider cannot confirm its own request
        exclusion_decide(actor=users["project_manager"], exclusion=request, action="confirm")

    exclusion_decide(actor=users["approver"], exclusion=request, action="confirm")
    assert Ticket.objects.get(pk=p1.pk).severity == "P3"
    assert _restore(purchaser, at(10, 16))["count"] == 0
    exclusion_decide(actor=users["approver"], exclusion=request, action="dispute", note="确为宕机")
    assert Ticket.objects.get(pk=p1.pk).severity == "P1"
    assert _restore(purchaser, at(10, 16))["count"] == 1
    moves = list(p1.events.filter(kind=TicketEvent.Kind.REGRADED).values_list("data__from", "data__to"))
    assert moves == [("P1", "P3"), ("P3", "P1")]


def test_a_rejected_downgrade_changes_nothing(new_ticket, users):
    ticket = new_ticket("security", "P2")
    request = ticket_regrade(actor=users["engineer"], ticket=ticket, severity="P4", reason="影响很小")
    exclusion_decide(actor=users["approver"], exclusion=request, action="reject", note="不同意")
    assert Ticket.objects.get(pk=ticket.pk).severity == "P2"
    assert not ticket.events.filter(kind=TicketEvent.Kind.REGRADED).exists()


def test_the_purchaser_lowers_its_own_ticket_at_once(new_ticket, users, make_user, other_purchaser):
    ticket = new_ticket("fault", "P2")
    result = ticket_regrade(actor=users["requester"], ticket=ticket, severity="P3", reason="影响不大")
    assert isinstance(result, Ticket) and result.severity == "P3"
    assert Exclusion.objects.get(ticket=ticket).state == "confirmed"
    stranger = make_user("requester", organization=other_purchaser)
    from core.exceptions import NotFound

    with pytest.raises(NotFound):
        ticket_regrade(actor=stranger, ticket=ticket, severity="P4", reason="x")


def test_regrade_through_the_api(new_ticket, users, api):
    ticket = new_ticket("fault", "P3")
    refused = api(users["requester"]).patch(f"/api/v1/tickets/{ticket.pk}/", {"severity": "P1"}, format="json")
    assert refused.status_code == 403 and Ticket.objects.get(pk=ticket.pk).severity == "P3"
    raised = api(users["engineer"]).patch(f"/api/v1/tickets/{ticket.pk}/", {"severity": "P1", "reason": "宕机"}, format="json")
    assert raised.status_code == 200, raised.json()
    assert raised.json()["severity"] == "P1" and "restore" in raised.json()["sla"]
    lowered = api(users["engineer"]).patch(f"/api/v1/tickets/{ticket.pk}/", {"severity": "P2", "reason": "恢复部分"}, format="json")
    assert lowered.status_code == 202 and lowered.json()["kind"] == "downgrade"
    bad = api(users["engineer"]).patch(f"/api/v1/tickets/{ticket.pk}/", {"severity": "P9"}, format="json")
    assert bad.status_code == 400
    assert Ticket.objects.get(pk=ticket.pk).severity == "P1"


def test_deciding_a_downgrade_or_a_major_proposal_is_for_the_owning_purchasers_approver(new_ticket, users, api, make_user,
                                                                                       other_purchaser):
    ticket = new_ticket("fault", "P1")
    downgrade = ticket_regrade(actor=users["engineer"], ticket=ticket, severity="P2", reason="影响有限")
    major = api(users["project_manager"]).post(f"/api/v1/tickets/{ticket.pk}/mark-major/", {"reason": "数据泄露"},
                                               format="json").json()
    other_approver = make_user("approver", organization=other_purchaser)
    for exclusion_id in (downgrade.pk, major["id"]):
        url = f"/api/v1/exclusions/{exclusion_id}/confirm/"
        assert api(other_approver).post(url, {}, format="json").status_code == 404
        for who in ("requester", "engineer", "project_manager", "auditor"):
            assert api(users[who]).post(url, {}, format="json").status_code == 403, who
        assert Exclusion.objects.get(pk=exclusion_id).state == "requested"  # every refused call changed nothing
        assert api(users["approver"]).post(url, {}, format="json").status_code == 200
        again = api(users["approver"]).post(url, {}, format="json")
        assert again.status_code == 409 and again.json()["fields"] == {"state": ["confirmed"]}
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.major_incident) == ("P2", True)
