"""Between the database and the pure rules engine: load seats, people, history and busy time.

Preconditions are stated per function; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, Sum

from ..models import Assignment, CalendarDay, DutyMember, Roster, Shift
from .rules import Duty, Load, Person, Rules, Slot


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def roster_rules(roster: Roster) -> Rules:
    return Rules(min_rest=dt.timedelta(hours=roster.min_rest_hours), max_consecutive_nights=roster.max_consecutive_nights)


def holiday_weights(first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """Weight of each statutory holiday day in [first, last]: 除夕 and the first day of Spring
    Festival weigh most (settings.ROSTER_HOLIDAY_WEIGHTS), other days off of the official arrangement
    less, ordinary weekends nothing. Which days are off comes from the calendar (the State Council's
    arrangement as entered); which of them are 除夕 and 初一 from the lunar calendar, not from the days'
    names, which follow the notice ("春节" for the whole break)."""
    weights = settings.ROSTER_HOLIDAY_WEIGHTS
    days = CalendarDay.objects.filter(date__gte=first, date__lte=last, kind=CalendarDay.Kind.HOLIDAY).values_list("date", "name")
    firsts = _spring_festival_first_days(first.year, last.year)
    eves = {day - dt.timedelta(days=1) for day in firsts}
    out: dict[dt.date, int] = {}
    for day, name in days:
        if day in eves or "除夕" in name:
            out[day] = weights["eve"]
        elif day in firsts:
            out[day] = weights["spring_festival_first"]
        else:
            out[day] = weights["holiday"]
    return out


def _spring_festival_first_days(first_year: int, last_year: int) -> set[dt.date]:
    """初一 of each year (the lunar new year), from the `holidays` package's lunisolar calendar."""
    import holidays

    found = holidays.country_holidays("CN", years=range(first_year, last_year + 1), language="zh_CN").get_named("春节", lookup="exact")
    firsts: dict[int, dt.date] = {}
    for day in found:
        firsts[day.year] = min(day, firsts.get(day.year, day))
    return set(firsts.values())


def shift_holiday_weight(start: dt.datetime, end: dt.datetime, weights: dict[dt.date, int]) -> int:
    """The heaviest day a shift touches (a night shift into 初一 counts as 初一)."""
    local_start = start.astimezone(tz()).date()
    local_last = (end - dt.timedelta(microseconds=1)).astimezone(tz()).date()
    best = 0
    day = local_start
    while day <= local_last:
        best = max(best, weights.get(day, 0))
        day += dt.timedelta(days=1)
    return best


def slot_of(assignment: Assignment) -> Slot:
    """Precondition: assignment.shift is loaded."""
    shift = assignment.shift
    return Slot(
        key=assignment.pk,
        shift_key=shift.pk,
        start=shift.start,
        end=shift.end,
        date=shift.date,
        is_night=shift.is_night,
        position=assignment.position,
        qualification=assignment.qualification,
        holiday_weight=shift.holiday_weight,
    )


def person_of(member: DutyMember) -> Person:
    """Precondition: member.unavailabilities prefetched (or a query per member is acceptable)."""
    return Person(
        id=member.pk,
        positions=frozenset(member.positions or ()),
        qualifications=frozenset(member.qualifications or ()),
        unavailable=tuple((u.start, u.end) for u in member.unavailabilities.all()),
        active=member.active and member.user.is_active,
    )


def duty_of(shift: Shift) -> Duty:
    return Duty(shift.pk, shift.start, shift.end, shift.date, shift.is_night)


def busy_elsewhere(*, member_ids: list[int], start: dt.datetime, end: dt.datetime, exclude_roster_id: int | None) -> dict[int, list[Duty]]:
    """Seats these people hold in published rosters other than `exclude_roster_id`, near [start, end)."""
    margin = dt.timedelta(days=2)
    qs = (
        Assignment.objects.filter(
            member_id__in=member_ids,
            shift__roster__status=Roster.Status.PUBLISHED,
            shift__start__lt=end + margin,
            shift__end__gt=start - margin,
        )
        .exclude(shift__roster_id=exclude_roster_id)
        .select_related("shift")
    )
    out: dict[int, list[Duty]] = defaultdict(list)
    for a in qs:
        out[a.member_id].append(duty_of(a.shift))
    return out


def history_loads(*, member_ids: list[int], before: dt.datetime, exclude_roster_id: int | None) -> dict[int, Load]:
    """Each person's load from published rosters ending before `before`, within the look-back window."""
    since = before - dt.timedelta(days=settings.ROSTER_FAIRNESS_LOOKBACK_DAYS)
    rows = (
        Assignment.objects.filter(
            member_id__in=member_ids,
            shift__roster__status=Roster.Status.PUBLISHED,
            shift__start__gte=since,
            shift__end__lte=before,
        )
        .exclude(shift__roster_id=exclude_roster_id)
        .values("member_id")
        .annotate(
            duration=Sum(F("shift__end") - F("shift__start")),
            nights=Count("pk", filter=Q(shift__is_night=True)),
            holiday=Sum("shift__holiday_weight"),
            shifts=Count("pk"),
        )
    )
    out: dict[int, Load] = {}
    for row in rows:
        duration = row["duration"] or dt.timedelta()
        out[row["member_id"]] = Load(
            hours=duration.total_seconds() / 3600, nights=row["nights"], holiday=row["holiday"] or 0, shifts=row["shifts"]
        )
    return out
