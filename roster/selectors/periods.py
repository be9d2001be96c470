"""Reads of heavy-protection periods, for the change freeze, SLA targets and reports."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from ..models import HeavyProtectionPeriod


def _local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def period_bounds(period: HeavyProtectionPeriod) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in Asia/Shanghai, as aware datetimes."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return (
        dt.datetime.combine(period.start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def periods_touching(*, start: dt.datetime, end: dt.datetime) -> QuerySet[HeavyProtectionPeriod]:
    """Periods whose [start 00:00, day after end 00:00) overlaps the half-open window [start, end)."""
    if end <= start:
        end = start + dt.timedelta(microseconds=1)
    # Overlap with [p.start 00:00, (p.end+1) 00:00): p.start 00:00 < end and (p.end+1) 00:00 > start.
    last_day = _local_date(end - dt.timedelta(microseconds=1))
    first_day = _local_date(start)
    return HeavyProtectionPeriod.objects.filter(start__lte=last_day, end__gte=first_day).order_by("start")


def period_active_at(*, at: dt.datetime) -> HeavyProtectionPeriod | None:
    day = _local_date(at)
    return HeavyProtectionPeriod.objects.filter(start__lte=day, end__gte=day).order_by("level", "start").first()


def period_list(*, year: int | None = None) -> QuerySet[HeavyProtectionPeriod]:
    qs = HeavyProtectionPeriod.objects.all().order_by("start")
    return qs.filter(start__year__lte=year, end__year__gte=year) if year else qs
