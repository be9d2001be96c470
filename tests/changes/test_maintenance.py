"""Planned maintenance: a completed change with expected interruption is a maintenance window, and
downtime inside it counts as planned (excluded from availability, 8.2.8)."""


import pytest
import time_machine

from changes.selectors import maintenance_windows
from changes.services import (
    change_approve,
    change_complete,
    change_start,
    change_submit,
    downtime_link_maintenance,
)
from tickets.models import DowntimeRecord
from tickets.services.downtime import downtime_record_create
from tickets.services.tickets import ticket_create

from .conftest import at

pytestmark = pytest.mark.django_db

W_START, W_END = at(2026, 3, 20, 22), at(2026, 3, 21, 2)


def run_change(change, users, *, complete=True):
    change_submit(actor=users["engineer"], change_id=change.pk)
    change_approve(actor=users["tech_lead"], change_id=change.pk)
    change_approve(actor=users["approver"], change_id=change.pk)
    change_start(actor=users["engineer"], change_id=change.pk)
    if complete:
        change = change_complete(actor=users["engineer"], change_id=change.pk, outcome="successful")
    return change


@pytest.fixture
def outage(users, systems):
    """outage(start, end) -> a downtime record of the own system, recorded on a P2 fault ticket."""

    def make(start, end, system=None):
        with time_machine.travel(at(2026, 3, 21, 6), tick=False):
            ticket = ticket_create(
                actor=users["engineer"], title="平台访问中断", kind="fault", severity="P2",
                business_system=system or systems["own"], channel="monitoring",
            )
            return downtime_record_create(actor=users["engineer"], ticket=ticket, start=start, end=end, reason="监控记录")

    return make


def test_downtime_inside_a_completed_change_window_is_planned(draft, users, outage, systems):
    inside = outage(at(2026, 3, 20, 22, 10), at(2026, 3, 20, 22, 40))
    overlapping = outage(at(2026, 3, 21, 1, 50), at(2026, 3, 21, 2, 20))
    after = outage(at(2026, 3, 21, 3), at(2026, 3, 21, 3, 30))
    other_system = outage(at(2026, 3, 20, 23), at(2026, 3, 20, 23, 30), system=systems["own_normal"])
    change = draft(window_start=W_START, window_end=W_END, expected_interruption_minutes=30)
    run_change(change, users)
    planned = {r.pk: (r.planned, r.change_id) for r in DowntimeRecord.objects.all()}
    assert planned[inside.pk] == (True, change.pk)
    assert planned[overlapping.pk] == (False, None)
    assert planned[after.pk] == (False, None)
    assert planned[other_system.pk] == (False, None)
    assert change.events.get(kind="downtime_linked").data == {"downtimes": [inside.pk]}


def test_no_interruption_expected_means_no_maintenance_window(draft, users, outage):
    record = outage(at(2026, 3, 20, 22, 10), at(2026, 3, 20, 22, 40))
    change = draft(window_start=W_START, window_end=W_END, expected_interruption_minutes=None)
    run_change(change, users)
    record.refresh_from_db()
    assert (record.planned, record.change_id) == (False, None)
    assert maintenance_windows(business_system_ids=None, start=at(2026, 3, 1), end=at(2026, 4, 1)) == []


def test_maintenance_windows_for_availability(draft, users, systems):
    done = run_change(draft(window_start=W_START, window_end=W_END, expected_interruption_minutes=20,
                            business_systems=[systems["own"].pk, systems["own_normal"].pk]), users)
    run_change(draft(window_start=at(2026, 3, 22, 22), window_end=at(2026, 3, 22, 23), expected_interruption_minutes=5),
               users, complete=False)  # still in progress: not (yet) a maintenance window
    windows = maintenance_windows(business_system_ids=[systems["own"].pk], start=at(2026, 3, 1), end=at(2026, 4, 1))
    assert [(w.change_id, w.business_system_id, w.start, w.end) for w in windows] == [
        (done.pk, systems["own"].pk, W_START, W_END)
    ]
    both = maintenance_windows(business_system_ids=None, start=at(2026, 3, 21), end=at(2026, 3, 22))
    assert {w.business_system_id for w in both} == {systems["own"].pk, systems["own_normal"].pk}
    # A month that ends exactly when the window starts does not include it.
    assert maintenance_windows(business_system_ids=None, start=at(2026, 3, 1), end=W_START) == []


def test_downtime_closed_after_completion_is_linked_on_request(draft, users, outage):
    change = run_change(draft(window_start=W_START, window_end=W_END, expected_interruption_minutes=30), users)
    record = outage(at(2026, 3, 20, 23), at(2026, 3, 21, 1))
    assert downtime_link_maintenance(record_id=record.pk) == change
    assert downtime_link_maintenance(record_id=record.pk) == change  # idempotent
    record.refresh_from_db()
    assert (record.planned, record.change_id) == (True, change.pk)
    assert change.events.filter(kind="downtime_linked").count() == 1
    late = outage(at(2026, 3, 21, 1), at(2026, 3, 21, 2, 1))
    assert downtime_link_maintenance(record_id=late.pk) is None


def test_linked_tickets(draft, users, systems, outage):
    record = outage(at(2026, 3, 20, 10), at(2026, 3, 20, 11))
    change = draft(linked_tickets=[record.ticket_id])
    assert list(change.linked_tickets.values_list("pk", flat=True)) == [record.ticket_id]
    from changes.services import change_create
    from core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        change_create(actor=users["other_requester"], data={"title": "x", "linked_tickets": [record.ticket_id]})
    assert "linked_tickets" in exc.value.fields



def test_an_outage_ended_by_resolve_or_corrected_follows_the_window(draft, users, systems):
    """The P1's outage gets its end at resolve (inside the completed change's window: planned), a
    correction past the window unplans it, a correction back into it plans it again, a reopen (open
    outage) unplans it."""
    from tickets.services.downtime import downtime_record_correct
    from tickets.services.tickets import ticket_acknowledge, ticket_reopen, ticket_resolve

    change = run_change(draft(window_start=W_START, window_end=W_END, expected_interruption_minutes=30), users)
    eng = users["engineer"]
    with time_machine.travel(at(2026, 3, 20, 22, 30), tick=False):
        ticket = ticket_create(actor=eng, title="升级中宕机", kind="fault", severity="P1",
                               business_system=systems["own"], channel="monitoring")
        ticket_acknowledge(actor=eng, ticket=ticket, now=at(2026, 3, 20, 22, 35))
    record = ticket.downtimes.get()
    assert (record.planned, record.change_id) == (False, None)  # still open
    ticket_resolve(actor=eng, ticket=ticket, resolution="升级完成，服务恢复", now=at(2026, 3, 20, 23, 30))
    record.refresh_from_db()
    assert (record.end, record.planned, record.change_id) == (at(2026, 3, 20, 23, 30), True, change.pk)

    record = downtime_record_correct(actor=eng, record=record, reason="监控显示 02:30 才恢复",
                                     end=at(2026, 3, 21, 2, 30), now=at(2026, 3, 21, 6))
    assert (record.planned, record.change_id) == (False, None)
    record = downtime_record_correct(actor=eng, record=record, reason="复核日志，01:30 已恢复",
                                     end=at(2026, 3, 21, 1, 30), now=at(2026, 3, 21, 7))
    assert (record.planned, record.change_id) == (True, change.pk)

    ticket.refresh_from_db()
    ticket_reopen(actor=users["requester"], ticket=ticket, reason="仍无法访问", now=at(2026, 3, 21, 8))
    record.refresh_from_db()
    # The correction keeps its end (staff set it), so the record stays inside the window.
    assert (record.end, record.planned) == (at(2026, 3, 21, 1, 30), True)
