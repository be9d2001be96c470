"""Planned maintenance: an approved, completed change with expected interruption is a maintenance
window (8.2.8). The minutes themselves are tested in test_planned_minutes.py."""


import pytest

from changes.selectors import maintenance_windows, planned_parts_for_records

from .conftest import at, run_change

pytestmark = pytest.mark.django_db

W_START, W_END = at(2026, 3, 20, 22), at(2026, 3, 21, 2)


def test_no_interruption_expected_means_no_maintenance_window(draft, users, outage):
    record = outage(at(2026, 3, 20, 22, 10), at(2026, 3, 20, 22, 40))
    change = draft(window_start=W_START, window_end=W_END, expected_interruption_minutes=None)
    run_change(change, users)
    assert planned_parts_for_records(records=[record], now=at(2026, 3, 25)) == {}
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


def test_linked_tickets(draft, users, systems, outage):
    record = outage(at(2026, 3, 20, 10), at(2026, 3, 20, 11))
    change = draft(linked_tickets=[record.ticket_id])
    assert list(change.linked_tickets.values_list("pk", flat=True)) == [record.ticket_id]
    from changes.services import change_create
    from core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        change_create(actor=users["other_requester"], data={"title": "x", "linked_tickets": [record.ticket_id]})
    assert "linked_tickets" in exc.value.fields



