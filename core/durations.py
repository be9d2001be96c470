"""Durations in words, one wording for every page: the ticket clocks, the handover's open items and the
browser's countdown (static/opsdesk.js) all say 1 天 2 小时 / 3 小时 5 分 / 42 分."""

from django.utils.translation import gettext as _


def minutes_text(minutes: int) -> str:
    """1 天 2 小时 / 3 小时 5 分 / 42 分 (of a non-negative number of minutes)."""
    days, rest = divmod(int(minutes), 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)d 天 %(h)d 小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d 小时 %(m)d 分") % {"h": hours, "m": mins}
    return _("%(m)d 分") % {"m": mins}


def time_left_text(minutes: int | None) -> str:
    """What is left of a deadline: 剩余 3 小时 5 分, or 已超时 2 天 5 小时 once it has passed; — unknown."""
    if minutes is None:
        return "—"
    if minutes < 0:
        return _("已超时 %(t)s") % {"t": minutes_text(-minutes)}
    return _("剩余 %(t)s") % {"t": minutes_text(minutes)}
