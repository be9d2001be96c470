"""Fixtures for change requests: a complete draft built through the services."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from changes.services import change_approve, change_complete, change_create, change_start, change_submit
from tickets.services.downtime import downtime_record_create
from tickets.services.tickets import ticket_create

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def draft(systems, users):
    """draft(actor=None, **overrides) -> a complete draft (normal, medium risk) on the own system."""

    def make(actor=None, **overrides):
        data = {
            "title": "大数据平台数据库小版本升级",
            "category": "normal",
            "risk": "medium",
            "business_systems": [systems["own"].pk],
            "hosts": [systems["host"].pk],
            "reason": "修复已知缺陷",
            "plan": "1. 备份 2. 升级 3. 重启",
            "rollback_plan": "回滚至备份",
            "verification_plan": "业务拨测",
            "expected_interruption_minutes": 30,
            "window_start": at(2026, 3, 20, 22),
            "window_end": at(2026, 3, 21, 2),
            "internet_remote_access": False,
            "implementers": [users["engineer"].pk],
        }
        data.update(overrides)
        return change_create(actor=actor or users["engineer"], data=data)

    return make


def run_change(change, users, *, complete=True):
    """Submit, approve (both steps) and start `change`; complete it successfully unless `complete` is False."""
    change_submit(actor=users["engineer"], change_id=change.pk)
    change_approve(actor=users["tech_lead"], change_id=change.pk)
    change_approve(actor=users["approver"], change_id=change.pk)
    change_start(actor=users["engineer"], change_id=change.pk)
    if complete:
        change = change_complete(actor=users["engineer"], change_id=change.pk, outcome="successful")
    return change


@pytest.fixture
def outage(users, systems):
    """outage(start, end, system=own, **claim) -> a downtime record on a P2 fault ticket."""

    def make(start, end, system=None, **extra):
        with time_machine.travel(at(2026, 3, 21, 6), tick=False):
            ticket = ticket_create(
                actor=users["engineer"], title="平台访问中断", kind="fault", severity="P2",
                business_system=system or systems["own"], channel="monitoring",
            )
            return downtime_record_create(actor=users["engineer"], ticket=ticket, start=start, end=end,
                                          reason=extra.pop("reason", "监控记录"), **extra)

    return make


@pytest.fixture
def period(db):
    """period(start, end) -> a heavy-protection period (dates inclusive)."""
    from roster.models import HeavyProtectionPeriod

    def make(start: dt.date, end: dt.date, name: str = "全国两会"):
        return HeavyProtectionPeriod.objects.create(name=name, kind="two_sessions", start=start, end=end)

    return make
