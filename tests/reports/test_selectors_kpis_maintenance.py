"""Availability against planned maintenance built through the services: an approved, completed
change with expected interruption is a maintenance window (changes.selectors); downtime inside it is
excluded up to the expected interruption minutes (earliest first), everything outside the window or
beyond that cap counts (8.2.8). Nothing is stored on the downtime records."""

import datetime as dt

import pytest

from changes.services import change_approve, change_complete, change_create, change_start, change_submit
from reports.selectors.kpis import Scope, kpis_compute
from reports.selectors.periods import parse_month
from tickets.models import Exclusion
from tickets.services.downtime import downtime_record_correct, downtime_record_create
from tickets.services.exclusions import exclusion_decide
from tickets.services.tickets import ticket_create

from .conftest import EVAL_AT, SH

pytestmark = pytest.mark.django_db
MARCH_MINUTES = 31 * 24 * 60


def t(day, hh, mm=0):
    return dt.datetime(2026, 3, day, hh, mm, tzinfo=SH)


@pytest.fixture
def maintenance(users, systems):
    """Change window 03-20 22:00 – 03-21 02:00 on `own`, approved and completed."""
    change = change_create(actor=users["engineer"], data={
        "title": "数据库升级", "category": "normal", "risk": "medium", "business_systems": [systems["own"].pk],
        "reason": "修复缺陷", "plan": "升级", "rollback_plan": "回滚", "verification_plan": "拨测",
        "expected_interruption_minutes": 60, "window_start": t(20, 22), "window_end": t(21, 2), "internet_remote_access": False,
    })
    change_submit(actor=users["engineer"], change_id=change.pk)
    change_approve(actor=users["tech_lead"], change_id=change.pk)
    change_approve(actor=users["approver"], change_id=change.pk)
    change_start(actor=users["engineer"], change_id=change.pk)
    return change_complete(actor=users["engineer"], change_id=change.pk, outcome="successful")


def _outage(users, system, start, end):
    ticket = ticket_create(actor=users["engineer"], title="业务中断", kind="fault", severity="P2", business_system=system,
                           channel="monitoring", now=start)
    return downtime_record_create(actor=users["engineer"], ticket=ticket, start=start, end=end, reason="监控记录", now=t(25, 9))


def _availability(purchaser):
    return kpis_compute(period=parse_month("2026-03"), scope=Scope(organization_id=purchaser.pk), now=EVAL_AT).figures["availability"]


def test_only_the_window_up_to_the_expected_interruption_is_planned(maintenance, users, systems, purchaser):
    _outage(users, systems["own"], t(20, 21, 50), t(20, 22, 20))  # 10 min before the window, 20 inside
    _outage(users, systems["own"], t(20, 22, 30), t(20, 23, 10))  # 40 min inside: the 60-minute cap is now used up
    _outage(users, systems["own"], t(21, 1, 15), t(21, 3, 0))  # 45 min inside but past the cap, 60 after the window
    _outage(users, systems["own_normal"], t(20, 23, 0), t(20, 23, 30))  # another system: no window there

    f = _availability(purchaser)
    by_system = {e["business_system"]: e for e in f["by_system"]}
    assert by_system[systems["own"].pk]["downtime_minutes"] == 10 + 45 + 60
    assert by_system[systems["own"].pk]["value"] == 1 - 115 / MARCH_MINUTES
    assert by_system[systems["own_normal"].pk]["downtime_minutes"] == 30
    assert f["downtime_minutes"] == 145 and f["pooled_value"] == 1 - 145 / (MARCH_MINUTES * 2)
    assert f["value"] == 1 - 115 / MARCH_MINUTES  # the worst system


def test_an_outage_partly_in_the_window_counts_the_minutes_outside(maintenance, users, systems, purchaser):
    _outage(users, systems["own"], t(21, 1, 15), t(21, 3, 0))  # 45 inside (within the cap), 60 after
    assert _availability(purchaser)["downtime_minutes"] == 60


def test_without_the_completed_change_the_same_outage_counts_in_full(users, systems, purchaser):
    _outage(users, systems["own"], t(21, 1, 15), t(21, 3, 0))
    assert _availability(purchaser)["downtime_minutes"] == 105


# ---------------------------------------------------------------- planned / force-majeure claims (issue 15 item 3)


def _claim(users, system, start, end, kind="planned"):
    """An outage the provider claims was planned (or force majeure) without a change: an exclusion."""
    ticket = ticket_create(actor=users["engineer"], title="机房断电", kind="fault", severity="P2", business_system=system,
                           channel="monitoring", now=start)
    record = downtime_record_create(actor=users["engineer"], ticket=ticket, start=start, end=end, planned=True,
                                    reason="市电检修，已提前通知", claim_kind=kind, now=t(25, 9))
    return record, Exclusion.objects.get(downtime=record)


def _own_minutes(purchaser, systems):
    by_system = {e["business_system"]: e for e in _availability(purchaser)["by_system"]}
    return by_system[systems["own"].pk]["downtime_minutes"], by_system[systems["own"].pk]["excluded_minutes"]


def test_an_unconfirmed_claim_counts_in_full(users, systems, purchaser):
    _record, exclusion = _claim(users, systems["own"], t(10, 2), t(10, 4))
    assert (exclusion.kind, exclusion.state, exclusion.start, exclusion.end) == ("planned", "requested", t(10, 2), t(10, 4))
    assert _own_minutes(purchaser, systems) == (120, 0)


def test_a_confirmed_claim_leaves_availability_and_a_rejected_one_counts(users, systems, purchaser):
    _record, confirmed = _claim(users, systems["own"], t(10, 2), t(10, 4), kind="force_majeure")
    _record, rejected = _claim(users, systems["own"], t(12, 2), t(12, 3))
    exclusion_decide(actor=users["approver"], exclusion=confirmed, action="confirm")
    exclusion_decide(actor=users["approver"], exclusion=rejected, action="reject", note="无停电通知")
    assert _own_minutes(purchaser, systems) == (60, 120)


def test_a_claim_overlapping_a_change_window_is_excluded_once(maintenance, users, systems, purchaser):
    # Window 03-20 22:00 – 03-21 02:00, 60 minutes expected: the outage's first 60 minutes inside it are
    # planned by the change; the claim covers 22:30–23:30, of which 22:30–23:00 the change covers too.
    _record, exclusion = _claim(users, systems["own"], t(20, 22, 0), t(20, 23, 30))
    exclusion.start, exclusion.end = t(20, 22, 30), t(20, 23, 30)
    Exclusion.objects.filter(pk=exclusion.pk).update(start=exclusion.start, end=exclusion.end)
    exclusion_decide(actor=users["approver"], exclusion=exclusion, action="confirm")
    # Outage 90; change 22:00–23:00; claim 22:30–23:30; union 22:00–23:30 = 90, not 60 + 60.
    assert _own_minutes(purchaser, systems) == (0, 90)


def test_a_claim_excludes_only_minutes_of_an_outage(users, systems, purchaser):
    record, exclusion = _claim(users, systems["own"], t(10, 2), t(10, 4))
    exclusion_decide(actor=users["approver"], exclusion=exclusion, action="confirm")
    # The outage is corrected to a shorter one: the claim cannot exclude minutes that are not downtime,
    # and a later widening of the record is not covered by what the purchaser confirmed.
    downtime_record_correct(actor=users["engineer"], record=record, end=t(10, 3), reason="实际 03:00 恢复", now=t(25, 9))
    assert _own_minutes(purchaser, systems) == (0, 60)
    downtime_record_correct(actor=users["engineer"], record=record, end=t(10, 5), reason="实际 05:00 恢复", now=t(25, 9))
    assert _own_minutes(purchaser, systems) == (60, 120)


def test_a_dispute_after_confirmation_puts_the_minutes_back_at_once(users, systems, purchaser):
    _record, exclusion = _claim(users, systems["own"], t(10, 2), t(10, 4))
    exclusion_decide(actor=users["approver"], exclusion=exclusion, action="confirm")
    assert _own_minutes(purchaser, systems) == (0, 120)
    exclusion_decide(actor=users["approver"], exclusion=exclusion, action="dispute", note="实为设备故障")
    assert _own_minutes(purchaser, systems) == (120, 0)
    exclusion_decide(actor=users["approver"], exclusion=exclusion, action="confirm", note="复核后认可")
    assert _own_minutes(purchaser, systems) == (0, 120)


def test_a_withdrawn_claim_counts(users, systems, purchaser):
    _record, exclusion = _claim(users, systems["own"], t(10, 2), t(10, 4))
    exclusion_decide(actor=users["engineer"], exclusion=exclusion, action="withdraw")
    assert _own_minutes(purchaser, systems) == (120, 0)


def test_the_claim_through_the_api_opens_a_requested_exclusion(users, systems, api):
    ticket = ticket_create(actor=users["engineer"], title="机房断电", kind="fault", severity="P2",
                           business_system=systems["own"], channel="monitoring", now=t(10, 2))
    res = api(users["engineer"]).post(f"/api/v1/tickets/{ticket.pk}/downtime/", {
        "start": t(10, 2).isoformat(), "end": t(10, 4).isoformat(), "planned": True, "reason": "台风",
        "claim_kind": "force_majeure"}, format="json")
    assert res.status_code == 201, res.json()
    assert res.json()["claimed_planned"] is True
    exclusion = Exclusion.objects.get(downtime_id=res.json()["id"])
    assert (exclusion.kind, exclusion.state, exclusion.ticket_id) == ("force_majeure", "requested", ticket.pk)
    refused = api(users["engineer"]).post(f"/api/v1/tickets/{ticket.pk}/downtime/", {
        "planned": True, "reason": "x", "claim_kind": "cancellation"}, format="json")
    assert refused.status_code == 400 and Exclusion.objects.count() == 1
