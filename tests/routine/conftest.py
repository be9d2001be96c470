"""Routine fixtures, built through the services."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from routine.services.backups import backup_policy_create

TZ = ZoneInfo("Asia/Shanghai")


def local(y, m, d, hh=0, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture
def policy(users, systems):
    return backup_policy_create(
        actor=users["engineer"], business_system=systems["own"], name="数据库每日备份", backup_object="database",
        backup_type="incremental", schedule="每日 01:00 增量，周日 02:00 全量", owner=users["engineer"],
        start_date=dt.date(2026, 1, 1), now=local(2026, 1, 1),
    )


@pytest.fixture
def other_policy(users, systems):
    return backup_policy_create(
        actor=users["engineer"], business_system=systems["other"], name="他局文件备份", backup_object="files",
        backup_type="full", schedule="每日 02:00 全量", owner=users["engineer"], start_date=dt.date(2026, 1, 1),
        now=local(2026, 1, 1),
    )


def run_item(policy, day: dt.date, *, job: str | None = None, kind: str = "incremental", result: str = "success",
             hour: int = 1, **more) -> dict:
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)
    return {
        "policy": policy.pk, "job_id": job or f"J-{policy.pk}-{day:%Y%m%d}-{kind}", "backup_type": kind,
        "started_at": start.isoformat(), "ended_at": (start + dt.timedelta(minutes=40)).isoformat(), "result": result,
        "size_bytes": 1024, "message": "", **more,
    }
