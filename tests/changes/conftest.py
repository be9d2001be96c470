"""Fixtures for change requests: a complete draft built through the services."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from changes.services import change_create

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


@pytest.fixture
def period(db):
    """period(start, end) -> a heavy-protection period (dates inclusive)."""
    from roster.models import HeavyProtectionPeriod

    def make(start: dt.date, end: dt.date, name: str = "全国两会"):
        return HeavyProtectionPeriod.objects.create(name=name, kind="two_sessions", start=start, end=end)

    return make
