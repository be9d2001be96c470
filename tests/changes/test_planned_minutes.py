"""Planned minutes are computed, not stored (8.2.8, 1.2.9; issue 14 item 2, issue 15 item 3).

Downtime is planned only inside the approved window of an approved and completed change of that
system, up to the change's expected interruption minutes; anything outside the window or past the
cap counts as unplanned, and a change rejected retrospectively or cancelled gives its minutes back."""

import pytest
import time_machine

from changes.selectors import planned_minutes_by_system, planned_parts_for_records, planned_spans_by_system
from changes.services import change_approve, change_cancel, change_complete, change_reject, change_start, change_submit
from core.exceptions import ValidationFailed
from tickets.models import DowntimeRecord
from tickets.selectors.downtime import downtime_planned_parts
from tickets.services.downtime import downtime_record_create
from tickets.services.tickets import ticket_create

from .conftest import at, run_change

pytestmark = pytest.mark.django_db

W_START, W_END = at(2026, 3, 20, 22), at(2026, 3, 21, 2)  # the approved window: 4 hours
NOW = at(2026, 3, 25)
MARCH = (at(2026, 3, 1), at(2026, 4, 1))


def planned(system, *, start=MARCH[0], end=MARCH[1], now=NOW) -> float:
    return planned_minutes_by_system(start=start, end=end, now=now, business_system_ids=[system.pk]).get(system.pk, 0.0)


@pytest.fixture
def window(draft, users):
    """window(minutes=60, **draft overrides) -> an approved, completed change on W_START..W_END."""

    def make(minutes=60, **overrides):
        return run_change(draft(window_start=W_START, window_end=W_END, expected_interruption_minutes=minutes, **overrides), users)

    return make


def test_downtime_exactly_the_window_edges_inside_the_cap_is_planned(window, outage, systems):
    change = window(minutes=240)
    record = outage(W_START, W_END)  # exactly the approved window, 240 minutes
    assert planned(systems["own"]) == 240
    assert planned_parts_for_records(records=[record], now=NOW)[record.pk].change_numbers == (change.number,)
    # The same through the tickets hook that pages and the API use (registered by ChangesConfig.ready).
    assert downtime_planned_parts(records=[record], now=NOW)[record.pk].minutes == 240


def test_starting_one_minute_before_the_window_counts_that_minute(window, outage, systems):
    window(minutes=60)
    record = outage(at(2026, 3, 20, 21, 59), at(2026, 3, 20, 22, 30))  # 31 minutes, the first before the window
    assert planned(systems["own"]) == 30
    assert planned_parts_for_records(records=[record], now=NOW)[record.pk].minutes == 30


def test_overrun_by_one_minute_past_the_window_end_counts(window, outage, systems):
    window(minutes=240)
    outage(at(2026, 3, 21, 1), at(2026, 3, 21, 2, 1))  # 61 minutes, the last after the window
    assert planned(systems["own"]) == 60


def test_overrun_past_the_expected_interruption_counts(window, outage, systems):
    window(minutes=30)
    first = outage(at(2026, 3, 20, 22, 10), at(2026, 3, 20, 22, 41))  # 31 minutes inside the window
    assert planned(systems["own"]) == 30  # one minute over the cap is unplanned
    later = outage(at(2026, 3, 21, 0), at(2026, 3, 21, 0, 20))  # inside the window, but the cap is used up
    assert planned(systems["own"]) == 30
    parts = planned_parts_for_records(records=[first, later], now=NOW)
    assert parts[first.pk].minutes == 30 and later.pk not in parts


def test_a_change_not_completed_plans_nothing(draft, users, outage, systems):
    run_change(draft(window_start=W_START, window_end=W_END, expected_interruption_minutes=60), users, complete=False)
    outage(at(2026, 3, 20, 22, 10), at(2026, 3, 20, 22, 40))
    assert planned(systems["own"]) == 0


def _emergency_done_before_approval(draft, users):
    """An emergency change on W_START..W_END (60 minutes expected) started after its first step and
    completed while the owner's approval is still pending."""
    eng = users["engineer"]
    change = draft(category="emergency", window_start=W_START, window_end=W_END, expected_interruption_minutes=60)
    change_submit(actor=eng, change_id=change.pk)
    change_approve(actor=users["tech_lead"], change_id=change.pk)
    change_start(actor=eng, change_id=change.pk)
    change_complete(actor=eng, change_id=change.pk, outcome="successful")
    return change


def test_a_change_rejected_retrospectively_gives_its_minutes_back(draft, users, outage, systems):
    """An emergency change starts after its first step; its owner's approval comes afterwards. Until
    then its window is not approved; approved, it plans; rejected later, it gives the minutes back."""
    change = _emergency_done_before_approval(draft, users)
    outage(at(2026, 3, 20, 22, 10), at(2026, 3, 20, 22, 40))
    assert planned(systems["own"]) == 0  # completed, but the purchaser has not approved it yet

    pending = change.approvals.get(status="pending")
    assert pending.retrospective
    change_reject(actor=users["approver"], change_id=change.pk, comment="未按约定提前通知")
    assert planned(systems["own"]) == 0


def test_a_retrospectively_approved_emergency_change_plans(draft, users, outage, systems):
    change = _emergency_done_before_approval(draft, users)
    outage(at(2026, 3, 20, 22, 10), at(2026, 3, 20, 22, 40))
    change_approve(actor=users["approver"], change_id=change.pk)
    assert planned(systems["own"]) == 30


def test_a_cancelled_change_plans_nothing(draft, users, outage, systems):
    change = draft(window_start=W_START, window_end=W_END, expected_interruption_minutes=60)
    change_submit(actor=users["engineer"], change_id=change.pk)
    change_approve(actor=users["tech_lead"], change_id=change.pk)
    change_approve(actor=users["approver"], change_id=change.pk)
    outage(at(2026, 3, 20, 22, 10), at(2026, 3, 20, 22, 40))
    assert planned(systems["own"]) == 0  # approved but never carried out
    change_cancel(actor=users["engineer"], change_id=change.pk, reason="改期")
    assert planned(systems["own"]) == 0


def test_two_systems_each_get_only_their_own_windows_minutes(window, draft, users, outage, systems):
    own, portal = systems["own"], systems["own_normal"]
    window(minutes=20, business_systems=[own.pk, portal.pk], hosts=[])  # one change, both systems, cap 20 each
    outage(at(2026, 3, 20, 22, 0), at(2026, 3, 20, 22, 30), system=own)
    outage(at(2026, 3, 20, 23, 0), at(2026, 3, 20, 23, 10), system=portal)
    outage(at(2026, 3, 20, 23, 0), at(2026, 3, 20, 23, 30), system=systems["other"])  # no window there
    by_system = planned_minutes_by_system(start=MARCH[0], end=MARCH[1], now=NOW)
    assert by_system == {own.pk: 20, portal.pk: 10}


def test_overlapping_records_and_windows_count_each_minute_once(window, draft, users, outage, systems):
    window(minutes=30)
    outage(at(2026, 3, 20, 22, 0), at(2026, 3, 20, 22, 20))
    outage(at(2026, 3, 20, 22, 10), at(2026, 3, 20, 22, 40))  # overlaps the first: 40 minutes of outage in all
    assert planned(systems["own"]) == 30
    # A second change over the same window takes only the minutes the first did not.
    window(minutes=30, title="同窗口的第二项变更", hosts=[])
    assert planned(systems["own"]) == 40


def test_the_cap_covers_the_whole_window_across_a_month_boundary(draft, users, outage, systems):
    run_change(draft(window_start=at(2026, 3, 31, 23), window_end=at(2026, 4, 1, 2), expected_interruption_minutes=60), users)
    with time_machine.travel(at(2026, 4, 2), tick=False):
        ticket = ticket_create(actor=users["engineer"], title="跨月维护", kind="fault", severity="P2",
                               business_system=systems["own"], channel="monitoring")
        downtime_record_create(actor=users["engineer"], ticket=ticket, start=at(2026, 3, 31, 23, 30),
                               end=at(2026, 4, 1, 1), reason="监控记录")  # 30 min in March, 60 in April
    now = at(2026, 4, 10)
    assert planned(systems["own"], now=now) == 30
    assert planned(systems["own"], start=at(2026, 4, 1), end=at(2026, 5, 1), now=now) == 30  # the cap's other half


def test_an_ongoing_outage_counts_up_to_now(window, outage, systems):
    window(minutes=240)
    outage(at(2026, 3, 20, 23), None)
    assert planned(systems["own"], now=at(2026, 3, 20, 23, 45)) == 45
    spans = planned_spans_by_system(business_system_ids=None, start=MARCH[0], end=MARCH[1], now=at(2026, 3, 21, 5))
    assert [(s.start, s.end) for s in spans[systems["own"].pk]] == [(at(2026, 3, 20, 23), W_END)]


def test_a_planned_claim_without_a_change_is_kept_but_excluded_from_nothing(outage, systems):
    record = outage(at(2026, 3, 20, 22, 10), at(2026, 3, 20, 22, 40), planned=True, reason="机房停电（不可抗力）")
    record.refresh_from_db()
    assert (record.claimed_planned, record.claim_reason) == (True, "机房停电（不可抗力）")
    assert planned(systems["own"]) == 0
    with pytest.raises(ValidationFailed) as exc:
        outage(at(2026, 3, 20, 23), at(2026, 3, 20, 23, 5), planned=True, reason="")
    assert "reason" in exc.value.fields
    assert not DowntimeRecord.objects.filter(start=at(2026, 3, 20, 23)).exists()


def test_the_selector_takes_two_queries(window, outage, systems, django_assert_num_queries):
    window(minutes=60)
    outage(at(2026, 3, 20, 22, 10), at(2026, 3, 20, 22, 40))
    with django_assert_num_queries(2):  # the windows; the outages of the systems that have one
        assert planned_minutes_by_system(start=MARCH[0], end=MARCH[1], now=NOW) == {systems["own"].pk: 30}
    with django_assert_num_queries(1):  # no window: no outage query
        assert planned_minutes_by_system(start=at(2026, 5, 1), end=at(2026, 6, 1), now=at(2026, 6, 2)) == {}
