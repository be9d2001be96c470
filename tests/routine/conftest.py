"""Routine fixtures, built through the services."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from routine.services.backups import backup_policy_create
from routine.services.security import security_activity_create

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


@pytest.fixture
def scan(users, systems, purchaser):
    """A September vulnerability scan of the own system, the activity the security tests record findings under."""
    return security_activity_create(actor=users["engineer"], kind="vuln_scan", title="9 月漏洞扫描", organization=purchaser,
                                    scope="全部云主机", started_on=dt.date(2026, 9, 28), ended_on=dt.date(2026, 9, 30),
                                    people="张三、李四", systems=[systems["own"]])


def run_item(policy, day: dt.date, *, job: str | None = None, kind: str = "incremental", result: str = "success",
             hour: int = 1, **more) -> dict:
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)
    return {
        "policy": policy.pk, "job_id": job or f"J-{policy.pk}-{day:%Y%m%d}-{kind}", "backup_type": kind,
        "started_at": start.isoformat(), "ended_at": (start + dt.timedelta(minutes=40)).isoformat(), "result": result,
        "size_bytes": 1024, "message": "", **more,
    }


from tests.roster.conftest import make_roster, manager, team  # noqa: E402,F401  (the roster's own fixtures)


@pytest.fixture
def checklist(users):
    from routine.services.inspections import inspection_template_create

    return inspection_template_create(actor=users["engineer"], name="机房巡检", scope="machine_room", items=[
        {"label": "机房温度", "kind": "number", "min_value": 18, "max_value": 27, "unit": "℃"},
        {"label": "磁盘使用率", "kind": "number", "max_value": 85, "unit": "%"},
        {"label": "核心服务状态", "kind": "check"},
        {"label": "告警灯与异响", "kind": "text"},
    ], now=local(2026, 1, 1))


@pytest.fixture
def daily_schedule(users, systems, checklist):
    from routine.services.inspections import inspection_schedule_create

    return inspection_schedule_create(
        actor=users["engineer"], template=checklist, business_system=systems["own"], frequency="daily",
        heavy_frequency="per_shift", time_of_day=dt.time(9, 0), start_date=dt.date(2026, 1, 1), grace_minutes=60,
    )
