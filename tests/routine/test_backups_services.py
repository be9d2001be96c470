"""Backup runs, compliance and the backup watch, through the services."""

import datetime as dt

import pytest

from core.exceptions import PermissionDenied
from routine.models import BackupAlert, BackupRun
from routine.selectors.backups import backup_compliance
from routine.services.backups import backup_day_check, backup_runs_record
from tickets.models import Ticket, TicketComment

from .conftest import local, run_item

pytestmark = pytest.mark.django_db


def record(users, items, **kw):
    kw.setdefault("now", local(2026, 3, 31, 12))
    return backup_runs_record(actor=users["engineer"], items=items, **kw)


def test_a_run_reported_twice_is_stored_once(users, policy):
    item = run_item(policy, dt.date(2026, 3, 2))
    first = record(users, [item])
    again = record(users, [item])
    assert first.counts == {"created": 1, "unchanged": 0, "rejected": 0}
    assert again.counts == {"created": 0, "unchanged": 1, "rejected": 0}
    assert again.rows[0].run.pk == first.rows[0].run.pk
    assert BackupRun.objects.count() == 1


def test_the_same_job_with_other_content_is_rejected(users, policy):
    record(users, [run_item(policy, dt.date(2026, 3, 2))])
    changed = record(users, [run_item(policy, dt.date(2026, 3, 2), result="failed")])
    assert changed.counts["rejected"] == 1
    assert "job_id" in changed.rows[0].errors
    assert BackupRun.objects.get().result == "success"


def test_bad_rows_store_nothing_unless_partial(users, policy):
    good = run_item(policy, dt.date(2026, 3, 2))
    bad = [
        run_item(policy, dt.date(2026, 3, 3)) | {"policy": 999999},
        run_item(policy, dt.date(2026, 3, 4), ended_at=local(2026, 3, 3).isoformat()),
        run_item(policy, dt.date(2026, 3, 5), result="ok"),
    ]
    result = record(users, [good, *bad])
    assert not result.stored and BackupRun.objects.count() == 0
    assert [sorted(r.errors) for r in result.rows] == [[], ["policy"], ["ended_at"], ["result"]]
    partial = record(users, [good, *bad], partial=True)
    assert partial.stored and partial.counts == {"created": 1, "unchanged": 0, "rejected": 3}
    assert BackupRun.objects.count() == 1


def test_purchasers_may_not_report(users, policy):
    with pytest.raises(PermissionDenied):
        backup_runs_record(actor=users["requester"], items=[run_item(policy, dt.date(2026, 3, 2))])


def test_compliance_counts_days_and_the_full_window_across_the_month_boundary(users, policy):
    # February: a full on the 25th; March: daily incrementals, a full on the 4th and the 11th, then none.
    items = [run_item(policy, dt.date(2026, 2, 25), kind="full")]
    items += [run_item(policy, dt.date(2026, 3, d)) for d in range(1, 32) if d not in (9, 10)]
    items += [run_item(policy, dt.date(2026, 3, d), kind="full", hour=3) for d in (4, 11)]
    items.append(run_item(policy, dt.date(2026, 3, 10), result="failed", job="J-failed"))  # covers nothing
    record(users, items)
    [row] = backup_compliance(user=users["engineer"], year=2026, month=3, today=dt.date(2026, 4, 2))
    assert row["days_required"] == 31 and row["days_covered"] == 29
    assert row["missing_days"] == [dt.date(2026, 3, 9), dt.date(2026, 3, 10)]
    # 25 Feb covers 1-3 March (the window reaches back into February); 4 March onwards by the 4th and 11th.
    assert row["full_window_gaps"] == [dt.date(2026, 3, d) for d in range(18, 32)]
    assert row["full_runs"] == 2 and row["failed_runs"] == 1 and not row["met"]


def test_compliance_without_the_february_full_misses_the_first_days(users, policy):
    record(users, [run_item(policy, dt.date(2026, 3, d), kind="full") for d in (4, 11, 18, 25)]
           + [run_item(policy, dt.date(2026, 3, d)) for d in range(1, 32)])
    [row] = backup_compliance(user=users["engineer"], year=2026, month=3, today=dt.date(2026, 4, 2))
    assert row["missing_days"] == []
    assert row["full_window_gaps"] == [dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 3)]


def test_compliance_in_the_running_month_counts_up_to_yesterday(users, policy):
    record(users, [run_item(policy, dt.date(2026, 3, d), kind="full") for d in range(1, 5)], now=local(2026, 3, 5, 9))
    [row] = backup_compliance(user=users["engineer"], year=2026, month=3, today=dt.date(2026, 3, 5))
    assert row["days_required"] == 4 and row["met"]


def test_purchasers_see_their_own_policies_only(users, policy, other_policy):
    assert [r["policy"] for r in backup_compliance(user=users["requester"], year=2026, month=3)] == [policy]
    assert [r["policy"] for r in backup_compliance(user=users["other_requester"], year=2026, month=3)] == [other_policy]
    assert len(backup_compliance(user=users["provider_auditor"], year=2026, month=3)) == 2
    assert [r["policy"] for r in backup_compliance(user=users["auditor"], year=2026, month=3)] == [policy]


def test_a_failed_run_opens_one_p3_fault_ticket_and_a_later_success_is_noted(users, policy):
    record(users, [run_item(policy, dt.date(2026, 3, 2), result="failed")], now=local(2026, 3, 2, 3))
    record(users, [run_item(policy, dt.date(2026, 3, 3), result="partial")], now=local(2026, 3, 3, 3))
    backup_day_check(policy_id=policy.pk, day=dt.date(2026, 3, 3), now=local(2026, 3, 4, 7))
    ticket = Ticket.objects.get()
    assert (ticket.kind, ticket.severity, ticket.channel, ticket.business_system_id) == ("fault", "P3", "monitoring", policy.business_system_id)
    assert [a.kind for a in BackupAlert.objects.order_by("pk")] == ["opened", "failure_noted", "failure_noted"]
    record(users, [run_item(policy, dt.date(2026, 3, 4))], now=local(2026, 3, 4, 3))
    record(users, [run_item(policy, dt.date(2026, 3, 5))], now=local(2026, 3, 5, 3))  # told once
    assert Ticket.objects.count() == 1
    notes = list(TicketComment.objects.filter(ticket=ticket).order_by("pk").values_list("body", flat=True))
    assert len(notes) == 3 and notes[-1].startswith("其后备份成功")


def test_a_day_covered_only_by_a_failed_run_is_missing_and_alerted_once(users, policy):
    record(users, [run_item(policy, dt.date(2026, 3, 2), result="failed")], now=local(2026, 3, 2, 3))
    first = backup_day_check(policy_id=policy.pk, day=dt.date(2026, 3, 2), now=local(2026, 3, 3, 7))
    again = backup_day_check(policy_id=policy.pk, day=dt.date(2026, 3, 2), now=local(2026, 3, 3, 8))
    assert first is not None and first.kind == "failure_noted" and again is None
    assert BackupAlert.objects.filter(day=dt.date(2026, 3, 2)).count() == 1


def test_a_resolved_ticket_makes_the_next_failure_open_a_new_one(users, policy):
    from tickets.services.exclusions import exclusion_decide, ticket_cancel

    backup_day_check(policy_id=policy.pk, day=dt.date(2026, 3, 2), now=local(2026, 3, 3, 7))
    ticket = Ticket.objects.get()
    # The provider's cancellation counts once the purchaser confirms it (issue 15): then the ticket is closed.
    exclusion = ticket_cancel(actor=users["duty_leader"], ticket=ticket, reason="已处理")
    exclusion_decide(actor=users["approver"], exclusion=exclusion, action="confirm", note="同意")
    backup_day_check(policy_id=policy.pk, day=dt.date(2026, 3, 3), now=local(2026, 3, 4, 7))
    assert Ticket.objects.count() == 2


def test_the_people_on_duty_are_told(users, policy):
    from core.models import Notification

    backup_day_check(policy_id=policy.pk, day=dt.date(2026, 3, 2), now=local(2026, 3, 3, 7))
    # No published roster: the duty leaders hear of it (tickets' duty_contacts rule).
    assert Notification.objects.filter(recipient=users["duty_leader"], kind="ticket_new").exists()
