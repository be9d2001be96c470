"""Formatting filters every app's templates may load ({% load core_format %})."""

from django import template

from core.durations import time_left_text

register = template.Library()


@register.filter
def time_left(minutes) -> str:
    """{{ item.remaining_minutes|time_left }}: 剩余 3 小时 5 分 / 已超时 2 天 5 小时 / —."""
    if minutes is None or minutes == "":
        return "—"
    try:
        return time_left_text(int(minutes))
    except (TypeError, ValueError):
        return "—"
