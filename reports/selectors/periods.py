"""Reporting periods: a month, a quarter or a year, as half-open [start, end) in Asia/Shanghai."""

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dateformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.exceptions import ValidationFailed


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz())


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "quarter" | "year"
    first_day: dt.date
    last_day: dt.date  # inclusive

    @property
    def start(self) -> dt.datetime:
        return _midnight(self.first_day)

    @property
    def end(self) -> dt.datetime:
        return _midnight(self.last_day + dt.timedelta(days=1))

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def minutes_until(self, now: dt.datetime) -> int:
        """Minutes of the period that have passed at `now` (all of them once it is over)."""
        stop = min(self.end, max(self.start, now))
        return int((stop - self.start).total_seconds() // 60)

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.first_day:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first_day.year}-Q{(self.first_day.month - 1) // 3 + 1}"
        return f"{self.first_day.year}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return dateformat.format(self.first_day, gettext("Y年n月"))
        if self.kind == "quarter":
            return gettext("%(year)s年第%(q)s季度") % {"year": self.first_day.year, "q": (self.first_day.month - 1) // 3 + 1}
        return gettext("%(year)s年") % {"year": self.first_day.year}

    def days(self) -> list[dt.date]:
        n = (self.last_day - self.first_day).days + 1
        return [self.first_day + dt.timedelta(days=i) for i in range(n)]

    def previous(self) -> "Period":
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return period_for(self.kind, _add_months(self.first_day, -months))


def period_for(kind: str, first_day: dt.date) -> Period:
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    return Period(kind, first_day, _add_months(first_day, months) - dt.timedelta(days=1))


def month_period(day: dt.date) -> Period:
    return period_for("month", day.replace(day=1))


def month_of(moment: dt.datetime) -> Period:
    return month_period(moment.astimezone(tz()).date())


_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_period(*, month: str | None = None, quarter: str | None = None, year: str | None = None) -> Period:
    """Exactly one of month=YYYY-MM, quarter=YYYY-Qn, year=YYYY. Bad input raises ValidationFailed."""
    given = {k: v for k, v in {"month": month, "quarter": quarter, "year": year}.items() if v}
    if len(given) != 1:
        raise ValidationFailed(fields={"month": [_("请给出 month=YYYY-MM、quarter=YYYY-Qn 或 year=YYYY 之一")]})
    key, value = next(iter(given.items()))
    value = value.strip()
    if key == "month" and (m := _MONTH.match(value)):
        return period_for("month", _first_day(int(m[1]), int(m[2]), key))
    if key == "quarter" and (m := _QUARTER.match(value.upper())):
        return period_for("quarter", _first_day(int(m[1]), (int(m[2]) - 1) * 3 + 1, key))
    if key == "year" and (m := _YEAR.match(value)):
        return period_for("year", _first_day(int(m[1]), 1, key))
    formats = {"month": "YYYY-MM", "quarter": "YYYY-Qn", "year": "YYYY"}
    raise ValidationFailed(fields={key: [_("格式应为 %(f)s") % {"f": formats[key]}]})


def parse_month(value: str, *, field: str = "month") -> Period:
    m = _MONTH.match((value or "").strip())
    if not m:
        raise ValidationFailed(fields={field: [_("格式应为 YYYY-MM")]})
    return period_for("month", _first_day(int(m[1]), int(m[2]), field))


def _first_day(year: int, month: int, field: str) -> dt.date:
    from core.filters import MAX_YEAR, MIN_YEAR

    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(fields={field: [_("年份须在 %(min)s 至 %(max)s 之间") % {"min": MIN_YEAR, "max": MAX_YEAR}]})
    return dt.date(year, month, 1)
