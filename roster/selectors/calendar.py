"""Working-minute arithmetic on the working-day calendar (CalendarDay).

Two calendars: "24x7" (every minute counts) and "working_hours" (OPSDESK_WORKDAY_START to
OPSDESK_WORKDAY_END, default 09:00–18:00 Asia/Shanghai, on days CalendarDay marks as working: ordinary
weekdays and make-up workdays 调休上班, never public holidays). A working-hours computation that needs a
year with no CalendarDay rows raises CalendarDataMissing instead of guessing.

Minutes are exact (floats); callers round as their rule requires. Pass one `WorkingDays` to many
calls (a list page, a report) so each calendar year is read once.
"""

import bisect
import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ..models import CalendarDay

ALWAYS = "24x7"
WORKING_HOURS = "working_hours"
CALENDARS = (ALWAYS, WORKING_HOURS)
# A clock never needs more than this many days ahead; beyond it the data is considered absent.
_MAX_DAYS_AHEAD = 3 * 366


class CalendarDataMissing(Exception):
    """The working-day calendar has no data for `year`: enter it (calendar_set_year) first."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(_("%(year)s 年工作日历尚未录入，无法按工作时间计算") % {"year": year})


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _parse_hhmm(value: str) -> dt.time:
    hours, minutes = (int(x) for x in str(value).split(":"))
    return dt.time(hours, minutes)


_HOURS: dict[tuple[str, str], tuple[dt.time, dt.time]] = {}


def workday_hours() -> tuple[dt.time, dt.time]:
    """(start, end) of the working day from the settings; parsed once per distinct setting (a queue page
    asks for it once per day of every working-hours clock)."""
    raw = (str(getattr(settings, "OPSDESK_WORKDAY_START", "09:00")), str(getattr(settings, "OPSDESK_WORKDAY_END", "18:00")))
    hours = _HOURS.get(raw)
    if hours is None:
        start, end = _parse_hhmm(raw[0]), _parse_hhmm(raw[1])
        if end <= start:
            raise ValueError("OPSDESK_WORKDAY_END must be after OPSDESK_WORKDAY_START")
        hours = _HOURS[raw] = (start, end)
    return hours


def minutes_per_working_day() -> int:
    start, end = workday_hours()
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


class WorkingDays:
    """Which dates are working days, read a whole year at a time (one query per year) and cached on
    the instance. Create one per request / report run; it does not notice later edits."""

    def __init__(self) -> None:
        self._years: dict[int, set[dt.date] | None] = {}
        self._sorted: dict[int, list[dt.date]] = {}

    # load_years reads at most this many years at once (a clock is never open for longer).
    MAX_YEARS_AT_ONCE = 5

    def _load(self, year: int) -> set[dt.date] | None:
        if year not in self._years:
            self.load_years(year, year)
        return self._years[year]

    def load_years(self, first: int, last: int) -> None:
        """Read the years first..last not read yet in one query (a page of tickets whose working-hours
        clocks started in three different years needs three years: one round trip, not three)."""
        missing = [year for year in range(first, last + 1) if year not in self._years]
        if not missing:
            return
        missing = missing[-self.MAX_YEARS_AT_ONCE:] if len(missing) > self.MAX_YEARS_AT_ONCE else missing
        lo, hi = missing[0], missing[-1]
        found: dict[int, set[dt.date]] = {}
        # Unordered: the days go into sets (sorted once per year where counted); the default ordering
        # cost a sort of up to five years of days on every page that shows a working-hours clock.
        rows = CalendarDay.objects.filter(date__gte=dt.date(lo, 1, 1), date__lte=dt.date(hi, 12, 31)).order_by()
        for day, working in rows.values_list("date", "is_working_day"):
            year_days = found.setdefault(day.year, set())
            if working:
                year_days.add(day)
        for year in range(lo, hi + 1):
            if year not in self._years:
                self._years[year] = found.get(year)

    def count(self, first: dt.date, last: dt.date) -> int:
        """Working days in [first, last] (0 when last < first), by bisection in each year's sorted list."""
        total = 0
        for year in range(first.year, last.year + 1):
            working = self._load(year)
            if working is None:
                raise CalendarDataMissing(year)
            days = self._sorted.get(year)
            if days is None:
                days = self._sorted[year] = sorted(working)
            lo = max(first, dt.date(year, 1, 1))
            hi = min(last, dt.date(year, 12, 31))
            if hi >= lo:
                total += bisect.bisect_right(days, hi) - bisect.bisect_left(days, lo)
        return total

    def is_working_day(self, day: dt.date) -> bool:
        working = self._load(day.year)
        if working is None:
            raise CalendarDataMissing(day.year)
        return day in working

    def has_year(self, year: int) -> bool:
        return self._load(year) is not None


def _window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start, end = workday_hours()
    tz = _tz()
    return dt.datetime.combine(day, start, tzinfo=tz), dt.datetime.combine(day, end, tzinfo=tz)


def _check(calendar: str) -> None:
    if calendar not in CALENDARS:
        raise ValueError(f"unknown calendar {calendar!r}")


def working_minutes_between(
    start: dt.datetime, end: dt.datetime, calendar: str, *, days: WorkingDays | None = None
) -> float:
    """Business minutes in [start, end) on `calendar` (0 when end <= start)."""
    _check(calendar)
    if end <= start:
        return 0.0
    if calendar == ALWAYS:
        return (end - start).total_seconds() / 60
    days = days or WorkingDays()
    tz = _tz()
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()

    def within(day: dt.date) -> float:
        if not days.is_working_day(day):
            return 0.0
        open_, close = _window(day)
        lo, hi = max(start, open_), min(end, close)
        return (hi - lo).total_seconds() if hi > lo else 0.0

    if first == last:
        return within(first) / 60
    # The days strictly between are whole working days or none: count them instead of walking them (a
    # request ticket open for two years is ~500 working days; a queue page has dozens of such clocks).
    # Every working window has the same length (no daylight-saving switch falls inside working hours).
    middle = days.count(first + dt.timedelta(days=1), last - dt.timedelta(days=1))
    return (within(first) + within(last)) / 60 + middle * minutes_per_working_day()


def add_working_minutes(
    start: dt.datetime, minutes: float, calendar: str, *, days: WorkingDays | None = None
) -> dt.datetime:
    """The moment when `minutes` business minutes have passed since `start` on `calendar`.

    On working hours the answer is always inside a working window (a clock that runs out exactly at
    18:00 is due at 18:00, not at 09:00 the next working day). Raises CalendarDataMissing when the
    walk reaches a year without calendar data."""
    _check(calendar)
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    if calendar == ALWAYS:
        return start + dt.timedelta(minutes=minutes)
    days = days or WorkingDays()
    tz = _tz()
    left = dt.timedelta(minutes=minutes)
    day = start.astimezone(tz).date()
    for _day in range(_MAX_DAYS_AHEAD):
        if days.is_working_day(day):
            open_, close = _window(day)
            lo = max(start, open_)
            if lo < close:
                available = close - lo
                if left <= available:
                    return lo + left
                left -= available
        day += dt.timedelta(days=1)
    raise CalendarDataMissing(day.year)


def calendar_years_present(years: Iterable[int]) -> set[int]:
    return {d.year for d in CalendarDay.objects.filter(date__year__in=list(years)).dates("date", "year")}


# ---------------------------------------------------------------- the calendar page and its history


def calendar_festivals(holidays: dict[dt.date, str], makeup: dict[dt.date, str]) -> list[dict]:
    """Holidays as runs of consecutive days with one name, in date order, each with the make-up
    workdays that name it: [{name, start, end, days, makeup: [date, ...]}]. Make-up workdays that name
    no run are kept in a last run with an empty name (the page lists them apart)."""
    runs: list[dict] = []
    for day in sorted(holidays):
        name = holidays[day]
        last = runs[-1] if runs else None
        # One break: the same name, and nothing but a weekend between (days off the week gives anyway).
        between = [last["end"] + dt.timedelta(days=i) for i in range(1, (day - last["end"]).days)] if last else []
        if last and last["name"] == name and all(d.weekday() >= 5 and d not in makeup for d in between):
            last["end"], last["days"] = day, (day - last["start"]).days + 1
        else:
            runs.append({"name": name, "start": day, "end": day, "days": 1, "makeup": []})
    loose: list[dt.date] = []
    for day in sorted(makeup):
        owner = next((r for r in runs if r["name"] and r["name"] in makeup[day]), None)
        (owner["makeup"] if owner is not None else loose).append(day)
    if loose:
        runs.append({"name": "", "start": None, "end": None, "days": 0, "makeup": loose})
    return runs


def calendar_year_special_days(*, year: int) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    """(holidays, make-up workdays) of `year` as stored, each {date: name}: one query."""
    holidays: dict[dt.date, str] = {}
    makeup: dict[dt.date, str] = {}
    rows = CalendarDay.objects.filter(
        date__year=year, kind__in=[CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.MAKEUP_WORKDAY]
    ).values_list("date", "kind", "name")
    for day, kind, name in rows:
        (holidays if kind == CalendarDay.Kind.HOLIDAY else makeup)[day] = name
    return holidays, makeup


def calendar_plan_diff(*, year: int, holidays: dict[dt.date, str], makeup: dict[dt.date, str]) -> dict[str, list]:
    """What writing `year` with these days would change among its holidays and make-up workdays (the
    other days follow the week): {"added", "removed": [[date, kind, name]], "renamed": [[date, old, new]]},
    dates as YYYY-MM-DD. What the preview shows and what CalendarYearEvent keeps."""
    old_holidays, old_makeup = calendar_year_special_days(year=year)
    before = {d: (CalendarDay.Kind.HOLIDAY.value, n) for d, n in old_holidays.items()}
    before.update({d: (CalendarDay.Kind.MAKEUP_WORKDAY.value, n) for d, n in old_makeup.items()})
    after = {d: (CalendarDay.Kind.HOLIDAY.value, n) for d, n in holidays.items()}
    after.update({d: (CalendarDay.Kind.MAKEUP_WORKDAY.value, n) for d, n in makeup.items()})
    added = [[d.isoformat(), *after[d]] for d in sorted(after) if before.get(d, (None,))[0] != after[d][0]]
    removed = [[d.isoformat(), *before[d]] for d in sorted(before) if after.get(d, (None,))[0] != before[d][0]]
    renamed = [[d.isoformat(), before[d][1], after[d][1]] for d in sorted(after)
               if d in before and before[d][0] == after[d][0] and before[d][1] != after[d][1]]
    return {"added": added, "removed": removed, "renamed": renamed}


def calendar_years_summary() -> list[dict]:
    """Every year the calendar holds: [{year, holidays, makeup_workdays, source}], newest first; one query."""
    from django.db.models import Count, Max, Q
    from django.db.models.functions import ExtractYear

    rows = (
        CalendarDay.objects.annotate(year=ExtractYear("date")).values("year")
        .annotate(holidays=Count("pk", filter=Q(kind=CalendarDay.Kind.HOLIDAY)),
                  makeup_workdays=Count("pk", filter=Q(kind=CalendarDay.Kind.MAKEUP_WORKDAY)),
                  source=Max("source"))
        .order_by("-year")
    )
    return list(rows)


def calendar_year_events(*, year: int | None = None) -> QuerySet:
    """The append-only history of the calendar (newest first), with the actor."""
    from ..models import CalendarYearEvent

    qs = CalendarYearEvent.objects.select_related("actor").order_by("-at", "-pk")
    return qs.filter(year=year) if year is not None else qs
