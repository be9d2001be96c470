"""Roster fixtures, built through the services."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.roles import Role
from roster.services.members import duty_member_set
from roster.services.rosters import PositionSpec, roster_create, roster_generate, roster_publish

TZ = ZoneInfo("Asia/Shanghai")


def local(y, m, d, hh=0, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture
def manager(make_user):
    return make_user(Role.DUTY_LEADER, Role.ENGINEER, username="dutyboss")


@pytest.fixture
def team(make_user, manager):
    """Two leaders and four engineers (one with CISP) as duty members: {name: DutyMember}."""
    out = {}
    for name, roles, positions, quals in [
        ("lead1", [Role.DUTY_LEADER, Role.ENGINEER], ["leader"], []),
        ("lead2", [Role.PROJECT_MANAGER], ["leader"], ["project_manager"]),
        ("e1", [Role.ENGINEER], ["engineer"], []),
        ("e2", [Role.ENGINEER], ["engineer"], ["dba"]),
        ("e3", [Role.ENGINEER], ["engineer", "security"], ["CISP"]),
        ("e4", [Role.ENGINEER], ["engineer"], []),
    ]:
        user = make_user(*roles, username=name, mobile=f"1380000{len(out):04d}")
        out[name] = duty_member_set(actor=manager, user=user, positions=positions, qualifications=quals)
    return out


@pytest.fixture
def make_roster(manager, team):
    """make_roster(start, end, positions=..., publish=True) → a generated (and published) roster
    of the whole team; default pattern: 24 h leader + two 24 h engineers a day."""

    def make(start: dt.date, end: dt.date, *, positions=None, publish=True, members=None, **kw):
        positions = positions or [PositionSpec("full", "leader", 1), PositionSpec("full", "engineer", 2)]
        roster = roster_create(
            actor=manager, name=kw.pop("name", "测试值班表"), start_date=start, end_date=end, positions=positions,
            member_ids=[m.pk for m in (members or team.values())], **kw,
        )
        roster_generate(actor=manager, roster_id=roster.pk)
        if publish:
            roster_publish(actor=manager, roster_id=roster.pk)
        roster.refresh_from_db()
        return roster

    return make
