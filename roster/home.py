"""Home-page panels of the roster app (core.home): the engineer's next shift; who is on duty now and
the heavy-protection status for the duty leader and the project manager."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core.home import HomePanel

from .selectors.duty import on_duty_payload
from .selectors.periods import period_active_at, periods_touching
from .selectors.rosters import my_assignments

NEXT_PERIOD_HORIZON = dt.timedelta(days=120)


def _my_next_shift(*, user, now):
    upcoming = list(my_assignments(user=user, since=now)[:2])
    return {
        "title": _("我的下一个班次"),
        "assignments": upcoming,
        "now": now,
        "more_url": reverse("roster-my-shifts"),
        "empty": _("已发布的值班表中没有您的班次。"),
    }


def _on_duty(*, user, now):
    payload = on_duty_payload(at=now)
    return {
        "title": _("当前值班"),
        "rows": payload["on_duty"],
        "more_url": reverse("roster-on-duty"),
        "empty": _("此刻没有已发布的排班，告警按值班负责人联系。"),
    }


def _protection(*, user, now):
    active = period_active_at(at=now)
    upcoming = None if active else periods_touching(start=now, end=now + NEXT_PERIOD_HORIZON).first()
    return {
        "title": _("重保状态"),
        "active": active,
        "upcoming": upcoming,
        "more_url": reverse("roster-periods"),
    }


HOME_PANELS = (
    HomePanel("roster-my-next-shift", "roster/home/_next_shift.html", _my_next_shift,
              roles=frozenset({Role.ENGINEER}), order=30),
    HomePanel("roster-on-duty", "roster/home/_on_duty.html", _on_duty,
              roles=frozenset({Role.DUTY_LEADER, Role.PROJECT_MANAGER}), order=30),
    HomePanel("roster-protection", "roster/home/_protection.html", _protection,
              roles=frozenset({Role.DUTY_LEADER, Role.PROJECT_MANAGER}), order=31),
)
