"""Display formatting of KPI values (the values themselves stay unrounded)."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.selectors.sla import duration_minutes_shown

register = template.Library()


@register.filter
def pct(value, digits: int = 2) -> str:
    """0.99995 → "99.995%" with `digits` decimals (default 2); None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def minutes(value) -> str:
    """Minutes for display: 12.5 → "12.5 分钟", 250 → "4 小时 10 分钟"."""
    if value is None or value == "":
        return "—"
    value = float(value)
    if value < 60:
        return _("%(value)s 分钟") % {"value": f"{value:.1f}".removesuffix(".0")}
    hours, rest = divmod(round(value), 60)
    return _("%(h)s 小时 %(m)s 分钟") % {"h": hours, "m": rest} if rest else _("%(h)s 小时") % {"h": hours}


@register.filter
def outage_minutes(value) -> str:
    """An outage's (or a sum of outages') minutes as every document shows a duration: whole minutes, a
    started minute counting whole (tickets.selectors.sla.duration_minutes_shown), so that a system's
    downtime reads as the downtime report and the restore clock read it (14 分钟, not 13.4). The
    availability itself is computed from the exact minutes."""
    if value is None or value == "":
        return "—"
    return minutes(duration_minutes_shown(float(value)))


@register.filter
def met_label(value) -> str:
    if value is None:
        return _("无数据")
    return _("达标") if value else _("未达标")


@register.filter
def met_class(value) -> str:
    if value is None:
        return "na"
    return "pass" if value else "fail"


@register.filter
def local(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if not value:
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime(fmt)
    return value.strftime(fmt.split(" ")[0])


@register.filter
def share(pair) -> str:
    """(within, count) → "3/4"."""
    within, count = pair
    return f"{within}/{count}" if count else "—"
