"""Writes to the working-day calendar."""

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ValidationFailed

from ..models import CalendarDay, CalendarYearEvent
from ..selectors.calendar import calendar_plan_diff
from .access import require_manager

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
    source: str = CalendarYearEvent.Kind.MANUAL,
    actor=None,
    note: str = "",
) -> int:
    """Write every day of `year`: the holidays and make-up workdays given, weekends and workdays
    otherwise. Replaces what the year had and appends a CalendarYearEvent (who, how, what changed).
    No permission check: commands and migrations call it; people go through calendar_year_enter.
    Returns the number of days written."""
    errors: dict[str, list[str]] = {}
    if not 2000 <= year <= 2100:
        raise ValidationFailed(fields={"year": [_("年份应在 2000 到 2100 之间")]})
    if source not in CalendarYearEvent.Kind.values:
        raise ValidationFailed(fields={"source": [_("来源无效")]})
    for label, days in (("holidays", holidays), ("makeup_workdays", makeup_workdays)):
        wrong = sorted(str(d) for d in days if d.year != year)
        if wrong:
            errors[label] = [_("%(days)s 不属于 %(year)s 年") % {"days": ", ".join(wrong), "year": year}]
    overlap = sorted(str(d) for d in set(holidays) & set(makeup_workdays))
    if overlap:
        errors["makeup_workdays"] = [_("%(days)s 不能既是节假日又是调休上班日") % {"days": ", ".join(overlap)}]
    if not holidays:
        errors["holidays"] = [_("%(year)s 年没有节假日：至少应有元旦、春节等法定节假日") % {"year": year}]
    if errors:
        raise ValidationFailed(fields=errors)

    diff = calendar_plan_diff(year=year, holidays=holidays, makeup=makeup_workdays)
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
        rows.append(CalendarDay(date=day, kind=kind, is_working_day=working, name=name[:100], source=source, updated_by=actor))
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(rows)
    CalendarYearEvent.objects.create(
        year=year, kind=source, actor=actor if getattr(actor, "pk", None) else None, at=timezone.now(),
        holidays=len(holidays), makeup_workdays=len(makeup_workdays), diff=diff, note=note[:300],
    )
    return len(rows)


def calendar_year_enter(
    *, actor, year: int, holidays: dict[dt.date, str], makeup_workdays: dict[dt.date, str],
    source: str = CalendarYearEvent.Kind.MANUAL, note: str = "",
) -> int:
    """A person enters (or corrects) a year of the working-day calendar: duty leaders and project
    managers, who plan the rosters and heavy-protection periods that read it."""
    require_manager(actor)
    return calendar_year_set(year=year, holidays=holidays, makeup_workdays=makeup_workdays, source=source,
                             actor=actor, note=note)


_PACKAGE_SUFFIX = re.compile(r"（(补假|观察日)）$")


def _festival_names(days_off: dict[dt.date, str]) -> dict[dt.date, str]:
    """Each day off named as the notice names it: the festival of its break. The package names the
    days of one break apart (农历除夕, 春节, 休息日（由 2026-01-04 调休）, 清明节（补假）); a break is the
    run of days off joined by weekends, and its name the first festival in it (除夕 belongs to 春节)."""
    named: dict[dt.date, str] = {}
    ordered = sorted(days_off)
    run: list[dt.date] = []

    def close() -> None:
        names = [_PACKAGE_SUFFIX.sub("", days_off[d]) for d in run]
        real = [n for n in names if not n.startswith("休息日") and n != "农历除夕"]
        festival = "春节" if "春节" in real else (real[0] if real else names[0])
        for day in run:
            named[day] = festival

    for day in ordered:
        if run:
            gap = [run[-1] + dt.timedelta(days=i) for i in range(1, (day - run[-1]).days)]
            if any(d.weekday() < 5 for d in gap):  # a working weekday between: a new break
                close()
                run = []
        run.append(day)
    if run:
        close()
    return named


def package_year_data(year: int) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    """Holidays and make-up workdays of `year` from the `holidays` package, named as the State Council's
    notice names them (春节, 国庆节; make-up workdays 调休上班（春节）)."""
    import holidays as holidays_pkg

    english = holidays_pkg.China(years=year, language="en_US")
    chinese = holidays_pkg.China(years=year, language="zh_CN")
    raw: dict[dt.date, str] = {day: chinese.get(day, label) for day, label in english.items()}
    days_off = _festival_names(raw)
    makeup: dict[dt.date, str] = {}
    for day, label in english.items():
        for match in _SUBSTITUTED.finditer(label):
            month, dom, yr = (int(x) for x in match.groups())
            moved = dt.date(yr, month, dom)
            if moved.year == year:
                makeup[moved] = f"调休上班（{days_off[day]}）"
    return days_off, makeup


def calendar_year_import_from_package(*, year: int, actor=None) -> int:
    if year not in PACKAGE_OFFICIAL_YEARS:
        raise ValidationFailed(
            fields={"year": [_("%(year)s 年没有官方节假日安排数据，请手工录入国务院办公厅公布的安排") % {"year": year}]}
        )
    days_off, makeup = package_year_data(year)
    return calendar_year_set(year=year, holidays=days_off, makeup_workdays=makeup, source="holidays", actor=actor)
