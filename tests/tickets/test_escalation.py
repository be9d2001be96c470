"""SLA escalation: 50 %, 80 %, breach; exactly once per ticket, clock and threshold."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from core.models import Notification
from tickets.models import SlaClock, SlaEscalation, TicketEvent
from tickets.services import tickets as svc
from tickets.services.escalation import sla_escalate, sla_escalation_due_ids
from tickets.tasks import escalate_sla

BJ = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 3, 10, 0, tzinfo=BJ)


def minutes(n):
    return T0 + dt.timedelta(minutes=n)


@pytest.mark.django_db
def test_thresholds_go_to_the_right_people_once(users, new_ticket, time_machine):
    time_machine.move_to(T0, tick=False)
    ticket = new_ticket("fault", "P2")  # response 15, resolve 30
    leaders = {users["duty_leader"].pk}
    assert sla_escalate(now=minutes(7)) == 0
    # 50 % of the response clock (7.5 min): unassigned, nobody on duty → the duty leaders.
    assert sla_escalate(now=minutes(8)) == 1
    warned = Notification.objects.filter(kind="sla_warning")
    assert set(warned.values_list("recipient", flat=True)) == leaders
    svc.ticket_claim(actor=users["engineer"], ticket=ticket, now=minutes(9))
    # 80 % (12 min) of response → the assignee now.
    assert sla_escalate(now=minutes(12)) == 1
    assert Notification.objects.filter(kind="sla_warning", recipient=users["engineer"]).count() == 1
    # Breach of response, 50 % of resolve (15 min): breach goes to duty leaders, PMs and the assignee.
    assert sla_escalate(now=minutes(16)) == 2
    breach = Notification.objects.filter(kind="sla_breach")
    assert set(breach.values_list("recipient", flat=True)) == {users["duty_leader"].pk, users["project_manager"].pk, users["engineer"].pk}
    response = ticket.clocks.get(name="response")
    assert response.breached and response.next_escalation_at is None
    # Run again, and again: nothing more.
    assert sla_escalate(now=minutes(16)) == 0
    assert sla_escalate(now=minutes(17)) == 0
    assert SlaEscalation.objects.filter(clock=response).count() == 3
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_escalated").count() == 4


@pytest.mark.django_db
def test_stopped_and_paused_clocks_are_not_scanned(users, new_ticket, time_machine):
    time_machine.move_to(T0, tick=False)
    fault = new_ticket("fault", "P3")
    request = new_ticket("request", "P4")
    svc.ticket_acknowledge(actor=users["engineer"], ticket=fault, now=minutes(1))
    svc.ticket_acknowledge(actor=users["engineer"], ticket=request, now=minutes(1))
    svc.ticket_pend(actor=users["engineer"], ticket=request, reason="等待用户", now=minutes(2))
    due = SlaClock.objects.filter(pk__in=sla_escalation_due_ids(now=minutes(600)))
    assert list(due.values_list("ticket_id", "name")) == [(fault.pk, "resolve")]


@pytest.mark.django_db
def test_the_periodic_task_is_registered_and_in_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["tickets.escalate_sla"] == {"task": "tickets.escalate_sla", "schedule": 60.0}
    assert escalate_sla.name == "tickets.escalate_sla"
    assert escalate_sla() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_escalation_runs_announce_each_threshold_once(users, new_ticket, time_machine):
    """Drill: the periodic task runs twice at the same moment (two beat schedulers, or a slow run
    overlapping the next): every (ticket, clock, threshold) is announced once, one notification per
    recipient, no more and no fewer."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so concurrent scans cannot overlap")
    time_machine.move_to(T0, tick=False)
    tickets = [new_ticket("fault", "P2") for _ in range(5)]
    time_machine.move_to(minutes(40), tick=False)  # past both clocks' breach: 3 thresholds each
    barrier = threading.Barrier(2)
    errors, announced = [], []

    def run():
        try:
            barrier.wait()
            announced.append(escalate_sla())  # the Celery task body, as the worker runs it
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(announced) == 2
    # 5 tickets × 2 clocks × 3 thresholds, each marked once, split between the two runs; found all at
    # once, only the breach is announced (no 50 %/80 % warning for a clock already past due).
    escalations = list(SlaEscalation.objects.filter(clock__ticket__in=tickets))
    assert len(escalations) == 30 and sum(announced) == 10
    assert all(bool(e.recipients) == (e.threshold == 100) for e in escalations)
    expected = sorted((r, f"sla:{e.clock_id}:{e.threshold}") for e in escalations for r in e.recipients)
    sent = sorted(Notification.objects.filter(kind__startswith="sla_").values_list("recipient", "dedupe_key"))
    assert sent == expected  # exactly one notification per (ticket, clock, threshold) and recipient
    assert TicketEvent.objects.filter(kind="sla_escalated").count() == 10


@pytest.mark.django_db
def test_unassigned_warnings_go_to_the_people_on_duty_when_the_roster_names_them(users, new_ticket, time_machine):
    from unittest import mock

    time_machine.move_to(T0, tick=False)
    new_ticket("fault", "P2")
    with mock.patch("roster.selectors.duty.on_duty_users", return_value=[users["engineer2"]]) as on_duty:
        assert sla_escalate(now=minutes(8)) == 1
    on_duty.assert_called_once_with(at=minutes(8))
    assert list(Notification.objects.filter(kind="sla_warning").values_list("recipient", flat=True)) == [users["engineer2"].pk]


@pytest.mark.django_db
def test_a_paused_request_is_escalated_on_its_shifted_schedule(users, new_ticket, time_machine):
    # Service request: resolve 540 working minutes from Tue 10:00, due Wed 10:00; 50 % at Tue 14:30.
    time_machine.move_to(T0, tick=False)
    ticket = new_ticket("request", "P4")
    svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket, now=minutes(5))
    svc.ticket_pend(actor=users["engineer"], ticket=ticket, reason="请补充材料", now=minutes(60))
    assert sla_escalate(now=minutes(300)) == 0  # paused: not scanned
    svc.ticket_resume(actor=users["requester"], ticket=ticket, now=minutes(120))  # 60 min paused
    clock = ticket.clocks.get(name="resolve")
    assert clock.next_escalation_at == minutes(330)  # 14:30 + 60
    assert sla_escalate(now=minutes(329)) == 0
    assert sla_escalate(now=minutes(330)) == 1


@pytest.mark.django_db
def test_a_clock_found_past_due_gets_its_breach_notice_only_not_a_late_50_percent_warning(users, new_ticket, time_machine):
    """Issue 19: at start-up the scheduler sent a "50 % 预警" for a ticket already two days past due."""
    time_machine.move_to(T0, tick=False)
    ticket = new_ticket("fault", "P2")
    response = ticket.clocks.get(name="response")
    assert sla_escalate(now=minutes(2 * 24 * 60)) == 2  # both clocks: their breach notices only
    assert not Notification.objects.filter(kind="sla_warning").exists()
    assert Notification.objects.filter(kind="sla_breach", dedupe_key=f"sla:{response.pk}:100").exists()
    # The lower thresholds are marked passed, so no later scan sends them either.
    assert set(SlaEscalation.objects.filter(clock=response).values_list("threshold", flat=True)) == {50, 80, 100}
    assert sla_escalate(now=minutes(2 * 24 * 60 + 5)) == 0
    assert not Notification.objects.filter(kind="sla_warning").exists()
