"""Writes to the working-day calendar."""

import datetime as dt
import re

from django.db import transaction

from core.exceptions import ValidationFailed

from ..models import CalendarDay

# The `holidays` package labels a day off moved from a weekend as "Day off (substituted from MM/DD/YYYY)";
# the weekend day named there is the make-up workday (调休上班).
_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")
# Years for which the pinned package carries the State Council's official arrangement.
PACKAGE_OFFICIAL_YEARS = range(2020, 2027)


def _days_of(year: int):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


@transaction.atomic
def calendar_year_set(
    *,
    year: int,
    holidays: dict[dt.date, str],
    makeup_workdays: dict[dt.date, str],
    source: str = "manual",
    actor=None,
) -> int:
    """Write every day of `year`: the holidays and make-up workdays given, weekends and workdays
    otherwise. Replaces what the year had. Returns the number of days written."""
    errors: dict[str, list[str]] = {}
    for label, days in (("holidays", holidays), ("makeup_workdays", makeup_workdays)):
        wrong = sorted(str(d) for d in days if d.year != year)
        if wrong:
            errors[label] = [f"{', '.join(wrong)} 不属于 {year} 年"]
    overlap = sorted(str(d) for d in set(holidays) & set(makeup_workdays))
    if overlap:
        errors["makeup_workdays"] = [f"{', '.join(overlap)} 不能既是节假日又是调休上班日"]
    if errors:
        raise ValidationFailed(fields=errors)

    rows = []
    for day in _days_of(year):
        if day in holidays:
            kind, working, name = CalendarDay.Kind.HOLIDAY, False, holidays[day]
        elif day in makeup_workdays:
            kind, working, name = CalendarDay.Kind.MAKEUP_WORKDAY, True, makeup_workdays[day]
        elif day.weekday() >= 5:
            kind, working, name = CalendarDay.Kind.WEEKEND, False, ""
        else:
            kind, working, name = CalendarDay.Kind.WORKDAY, True, ""
        rows.append(CalendarDay(date=day, kind=kind, is_working_day=working, name=name, source=source, updated_by=actor))
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(rows)
    return len(rows)


def package_year_data(year: int) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    """Holidays and make-up workdays of `year` from the `holidays` package (Chinese names)."""
    import holidays as holidays_pkg

    english = holidays_pkg.China(years=year, language="en_US")
    chinese = holidays_pkg.China(years=year, language="zh_CN")
    days_off: dict[dt.date, str] = {}
    makeup: dict[dt.date, str] = {}
    for day, label in english.items():
        days_off[day] = chinese.get(day, label)
        for match in _SUBSTITUTED.finditer(label):
            month, dom, yr = (int(x) for x in match.groups())
            moved = dt.date(yr, month, dom)
            if moved.year == year:
                makeup[moved] = f"调休上班（{chinese.get(day, label)}）"
    return days_off, makeup


def calendar_year_import_from_package(*, year: int, actor=None) -> int:
    if year not in PACKAGE_OFFICIAL_YEARS:
        raise ValidationFailed(
            fields={"year": [f"{year} 年没有官方节假日安排数据，请手工录入国务院办公厅公布的安排"]}
        )
    days_off, makeup = package_year_data(year)
    return calendar_year_set(year=year, holidays=days_off, makeup_workdays=makeup, source="holidays", actor=actor)
