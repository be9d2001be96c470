"""SLA clocks: the contract's targets, snapshots, pauses, stops, the heavy-protection rule."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from roster.models import HeavyProtectionPeriod
from tickets.models import SlaPolicy, Ticket, TicketEvent
from tickets.selectors.sla import ticket_sla
from tickets.services import tickets as svc

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0, ss=0):
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=BJ)


def clocks(ticket):
    return {c.name: c for c in ticket.clocks.all()}


def test_fault_gets_response_15_and_resolve_30_on_24x7(new_ticket, time_machine):
    time_machine.move_to(at(2026, 3, 3, 23, 50), tick=False)
    ticket = new_ticket("fault", "P2")
    c = clocks(ticket)
    assert set(c) == {"response", "resolve"}
    assert (c["response"].target_minutes, c["response"].calendar, c["response"].due_at) == (15, "24x7", at(2026, 3, 4, 0, 5))
    assert (c["resolve"].target_minutes, c["resolve"].stop_on) == (30, "resolve")
    assert ticket.number.startswith("GZ-20260303-")
    assert ticket.next_due_at == at(2026, 3, 4, 0, 5)


def test_p1_fault_resolve_stops_at_locate_and_restore_at_resolve(new_ticket, users, time_machine):
    time_machine.move_to(at(2026, 3, 3, 10, 0), tick=False)
    ticket = new_ticket("fault", "P1")
    c = clocks(ticket)
    assert set(c) == {"response", "resolve", "restore"}
    assert (c["resolve"].target_minutes, c["resolve"].stop_on) == (30, "locate")
    assert (c["restore"].target_minutes, c["restore"].stop_on) == (240, "resolve")
    time_machine.move_to(at(2026, 3, 3, 10, 10), tick=False)
    svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    time_machine.move_to(at(2026, 3, 3, 10, 35), tick=False)
    svc.ticket_locate(actor=users["engineer"], ticket=ticket, note="存储链路故障")
    time_machine.move_to(at(2026, 3, 3, 14, 30), tick=False)
    ticket = svc.ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="更换链路")
    sla = ticket_sla(Ticket.objects.get(pk=ticket.pk), now=at(2026, 3, 3, 15, 0))
    assert (sla["response"]["elapsed_minutes"], sla["response"]["state"]) == (10, "met")
    assert (sla["resolve"]["elapsed_minutes"], sla["resolve"]["state"]) == (35, "breached")
    assert sla["resolve"]["stopped_at"] == at(2026, 3, 3, 10, 35)
    assert (sla["restore"]["elapsed_minutes"], sla["restore"]["breached"], sla["restore"]["remaining_minutes"]) == (270, True, -30)
    # The outage ran from reported_at to the restore.
    downtime = ticket.downtimes.get()
    assert (downtime.start, downtime.end) == (at(2026, 3, 3, 10, 0), at(2026, 3, 3, 14, 30))


def test_p1_resolved_without_locate_is_located_at_that_moment(new_ticket, users, time_machine):
    time_machine.move_to(at(2026, 3, 3, 10, 0), tick=False)
    ticket = new_ticket("fault", "P1")
    svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    time_machine.move_to(at(2026, 3, 3, 10, 25), tick=False)
    ticket = svc.ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="重启服务")
    assert ticket.located_at == ticket.resolved_at == at(2026, 3, 3, 10, 25)
    c = clocks(ticket)
    assert c["resolve"].stopped_at == c["restore"].stopped_at == at(2026, 3, 3, 10, 25)
    assert c["resolve"].elapsed_minutes == 25 and not c["resolve"].breached


def test_met_means_strictly_less_than_the_target_to_the_second(new_ticket, users, time_machine):
    """验收 1(4)(5) 小于 15 分钟: 14:59 is met, 15:00 is not."""
    time_machine.move_to(at(2026, 3, 3, 10, 0), tick=False)
    on_time = new_ticket("fault", "P3")
    at_target = new_ticket("fault", "P3")
    time_machine.move_to(at(2026, 3, 3, 10, 14, 59), tick=False)
    svc.ticket_acknowledge(actor=users["engineer"], ticket=on_time)
    time_machine.move_to(at(2026, 3, 3, 10, 15), tick=False)
    svc.ticket_acknowledge(actor=users["engineer"], ticket=at_target)
    met, missed = clocks(on_time)["response"], clocks(at_target)["response"]
    assert (met.elapsed_seconds, met.breached) == (899, False)
    assert (missed.elapsed_seconds, missed.breached) == (900, True)
    # The same verdict in the figures the API, pages and reports show.
    now = at(2026, 3, 3, 11, 0)
    assert ticket_sla(Ticket.objects.get(pk=on_time.pk), now=now)["response"]["state"] == "met"
    assert ticket_sla(Ticket.objects.get(pk=at_target.pk), now=now)["response"]["state"] == "breached"


def test_running_clock_is_breached_at_its_due_second(new_ticket, time_machine):
    time_machine.move_to(at(2026, 3, 3, 10, 0), tick=False)
    ticket = Ticket.objects.get(pk=new_ticket("fault", "P3").pk)
    before = ticket_sla(ticket, now=at(2026, 3, 3, 10, 14, 59))["response"]
    due = ticket_sla(ticket, now=at(2026, 3, 3, 10, 15))["response"]
    assert (before["state"], before["elapsed_seconds"]) == ("running", 899)
    assert (due["state"], due["elapsed_seconds"]) == ("breached", 900)
    # The breach is announced at the due second, not one later.
    assert clocks(ticket)["response"].due_at == at(2026, 3, 3, 10, 15)


def test_security_resource_and_request_targets(new_ticket, time_machine):
    time_machine.move_to(at(2026, 3, 3, 10, 0), tick=False)
    security = clocks(new_ticket("security", "P2"))
    assert (security["response"].target_minutes, security["resolve"].target_minutes) == (15, 240)
    resource = clocks(new_ticket("resource", "P3", resource="memory", direction="increase"))
    assert set(resource) == {"resolve"} and resource["resolve"].target_minutes == 240
    storage_down = clocks(new_ticket("resource", "P3", resource="storage", direction="decrease"))
    assert storage_down["resolve"].target_minutes == 480
    request = clocks(new_ticket("request", "P4"))
    assert (request["response"].target_minutes, request["response"].calendar) == (30, "working_hours")
    assert (request["resolve"].target_minutes, request["resolve"].calendar) == (540, "working_hours")
    assert request["resolve"].due_at == at(2026, 3, 4, 10, 0)


def test_service_request_over_the_spring_festival_and_make_up_workday(new_ticket, time_machine):
    # Reported Friday 2026-02-13 16:00: 120 min Friday, 540 - 120 = 420 on the make-up Saturday 02-14.
    time_machine.move_to(at(2026, 2, 13, 16, 0), tick=False)
    request = clocks(new_ticket("request", "P4"))
    assert request["response"].due_at == at(2026, 2, 13, 16, 30)
    assert request["resolve"].due_at == at(2026, 2, 14, 16, 0)
    # Reported Saturday 02-14 at 17:30 (make-up workday): 30 min that day, the rest after the break.
    time_machine.move_to(at(2026, 2, 14, 17, 30), tick=False)
    late = clocks(new_ticket("request", "P4"))
    assert late["response"].due_at == at(2026, 2, 14, 18, 0)
    assert late["resolve"].due_at == at(2026, 2, 24, 17, 30)


def test_a_clock_running_into_a_year_without_calendar_warns(new_ticket, time_machine):
    time_machine.move_to(at(2026, 12, 31, 17, 0), tick=False)
    ticket = new_ticket("request", "P4")
    c = clocks(ticket)
    assert c["resolve"].due_at is None and "2027" in c["resolve"].calendar_warning
    assert c["response"].due_at == at(2026, 12, 31, 17, 30) and c["response"].calendar_warning == ""
    sla = ticket_sla(ticket, now=at(2026, 12, 31, 17, 10))
    assert sla["resolve"]["calendar_warning"] and sla["resolve"]["elapsed_minutes"] == 10
    created = ticket.events.get(kind=TicketEvent.Kind.CREATED)
    assert created.data["clocks"]["resolve"]["calendar_warning"]


def test_policy_snapshot_survives_a_policy_change(new_ticket, time_machine):
    time_machine.move_to(at(2026, 3, 3, 10, 0), tick=False)
    before = new_ticket("security", "P2")
    SlaPolicy.objects.filter(kind="security", clock="resolve").update(target_minutes=120)
    after = new_ticket("security", "P2")
    assert clocks(before)["resolve"].target_minutes == 240
    assert clocks(before)["resolve"].due_at == at(2026, 3, 3, 14, 0)
    assert clocks(after)["resolve"].target_minutes == 120


def test_pending_pauses_only_pausable_clocks_and_moves_due_time(new_ticket, users, time_machine):
    time_machine.move_to(at(2026, 3, 3, 10, 0), tick=False)
    request = new_ticket("request", "P4")
    fault = new_ticket("fault", "P3")
    for ticket in (request, fault):
        svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    time_machine.move_to(at(2026, 3, 3, 11, 0), tick=False)
    svc.ticket_pend(actor=users["engineer"], ticket=request, reason="请提供账号信息")
    svc.ticket_pend(actor=users["engineer"], ticket=fault, reason="请确认影响范围")
    assert clocks(request)["resolve"].paused_at == at(2026, 3, 3, 11, 0)
    assert clocks(fault)["resolve"].paused_at is None  # faults do not pause
    paused = fault.events.get(kind=TicketEvent.Kind.CLOCK_PAUSED)
    assert paused.data == {"paused": [], "not_pausable": ["resolve"]} and paused.note == "请确认影响范围"
    # Paused over the night: 11:00 → next day 10:00 is 7 h + 1 h = 480 working minutes.
    time_machine.move_to(at(2026, 3, 4, 10, 0), tick=False)
    svc.ticket_resume(actor=users["requester"], ticket=request, note="已提供")
    c = clocks(request)["resolve"]
    assert (c.paused_minutes, c.paused_at) == (480, None)
    assert c.due_at == at(2026, 3, 4, 18, 0)  # was 2026-03-04 10:00, moved by 480 working minutes
    request.refresh_from_db()
    assert request.status == Ticket.Status.ACKNOWLEDGED and request.next_due_at == c.due_at
    resumed = request.events.get(kind=TicketEvent.Kind.CLOCK_RESUMED)
    assert resumed.data == {"paused_minutes": {"resolve": 480}}
    time_machine.move_to(at(2026, 3, 4, 11, 0), tick=False)
    sla = ticket_sla(Ticket.objects.get(pk=request.pk), now=at(2026, 3, 4, 11, 0))
    # 10:00→18:00 (480) + 09:00→11:00 (120) = 600 working minutes, minus 480 paused.
    assert (sla["resolve"]["elapsed_minutes"], sla["resolve"]["paused_minutes"], sla["resolve"]["state"]) == (120, 480, "running")


def test_heavy_protection_important_system_resource_adjustment_is_4h_whatever_direction(
    new_ticket, systems, time_machine
):
    HeavyProtectionPeriod.objects.create(name="全国两会", kind="two_sessions", start=dt.date(2026, 3, 3), end=dt.date(2026, 3, 12))
    time_machine.move_to(at(2026, 3, 5, 10, 0), tick=False)
    important = new_ticket("resource", "P3", system=systems["own"], resource="storage", direction="decrease")
    normal = new_ticket("resource", "P3", system=systems["own_normal"], resource="storage", direction="decrease")
    assert clocks(important)["resolve"].target_minutes == 240
    assert clocks(normal)["resolve"].target_minutes == 480
    time_machine.move_to(at(2026, 3, 20, 10, 0), tick=False)
    after = new_ticket("resource", "P3", system=systems["own"], resource="storage", direction="decrease")
    assert clocks(after)["resolve"].target_minutes == 480
    assert important.events.get(kind="created").data["heavy_protection"] is True


def test_reopen_gives_no_credit_for_the_time_the_ticket_sat_resolved(new_ticket, users, time_machine):
    """Issue 15 item 7: the resolve clock resumes from its start; the hour with the requester counts."""
    time_machine.move_to(at(2026, 3, 3, 10, 0), tick=False)
    ticket = new_ticket("security", "P2")
    svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    time_machine.move_to(at(2026, 3, 3, 11, 0), tick=False)
    svc.ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="封禁来源 IP")
    time_machine.move_to(at(2026, 3, 3, 12, 0), tick=False)
    ticket = svc.ticket_reopen(actor=users["requester"], ticket=ticket, reason="仍有告警")
    c = clocks(ticket)["resolve"]
    assert (c.stopped_at, c.paused_minutes, c.due_at, c.breached) == (None, 0, at(2026, 3, 3, 14, 0), False)
    assert ticket.status == Ticket.Status.IN_PROGRESS and ticket.resolved_at is None
    time_machine.move_to(at(2026, 3, 3, 13, 0), tick=False)
    svc.ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="清除后门")
    assert clocks(ticket)["resolve"].elapsed_minutes == 180


def test_a_fault_reopened_a_day_later_is_breached_at_once(new_ticket, users, time_machine):
    """Resolved at 20 min, reopened a day later: not 25 minutes and met, but a miss."""
    time_machine.move_to(at(2026, 3, 3, 10, 0), tick=False)
    ticket = new_ticket("fault", "P3")
    svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    time_machine.move_to(at(2026, 3, 3, 10, 20), tick=False)
    svc.ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="重启")
    assert clocks(ticket)["resolve"].breached is False
    time_machine.move_to(at(2026, 3, 4, 10, 20), tick=False)
    ticket = svc.ticket_reopen(actor=users["requester"], ticket=ticket, reason="又坏了")
    assert clocks(ticket)["resolve"].breached is True
    time_machine.move_to(at(2026, 3, 4, 10, 25), tick=False)
    svc.ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="更换硬件")
    c = clocks(ticket)["resolve"]
    assert (c.elapsed_minutes, c.breached) == (24 * 60 + 25, True)


def test_warned_clocks_get_their_due_time_once_the_year_is_entered(new_ticket, users, time_machine):
    from roster.services.calendar import calendar_year_set
    from tickets.tasks import escalate_sla

    time_machine.move_to(at(2026, 12, 31, 17, 0), tick=False)
    ticket = new_ticket("request", "P4")
    assert clocks(ticket)["resolve"].due_at is None
    escalate_sla()
    assert clocks(ticket)["resolve"].due_at is None  # still no data: still a warning, no guess
    calendar_year_set(year=2027, holidays={dt.date(2027, 1, 1): "元旦"}, makeup_workdays={})
    escalate_sla()
    resolve = clocks(ticket)["resolve"]
    assert (resolve.due_at, resolve.calendar_warning) == (at(2027, 1, 4, 17, 0), "")
    ticket.refresh_from_db()
    assert ticket.next_due_at == at(2026, 12, 31, 17, 30)  # the response clock is still the earliest
