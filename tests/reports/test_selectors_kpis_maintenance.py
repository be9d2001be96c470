"""Availability against planned maintenance built through the services: an approved, completed
change with expected interruption is a maintenance window (changes.selectors); downtime inside it is
excluded up to the expected interruption minutes (earliest first), everything outside the window or
beyond that cap counts (8.2.8). Nothing is stored on the downtime records."""

import datetime as dt

import pytest

from changes.services import change_approve, change_complete, change_create, change_start, change_submit
from reports.selectors.kpis import Scope, kpis_compute
from reports.selectors.periods import parse_month
from tickets.services.downtime import downtime_record_create
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
