"""Reporting periods: a month, a quarter, a year (a calendar year or a contract's service year) or any
range of days, as half-open [start, end) in Asia/Shanghai (issue 18 item 1). The KPIs of every period
are one computation (reports.selectors.kpis.kpis_compute); a month is that computation over a month."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import NoReturn
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
    kind: str  # "month" | "quarter" | "year" (calendar or service year) | "range"
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
    def is_calendar_year(self) -> bool:
        return self.first_day == dt.date(self.first_day.year, 1, 1) and self.last_day == dt.date(self.first_day.year, 12, 31)

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.first_day:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first_day.year}-Q{(self.first_day.month - 1) // 3 + 1}"
        if self.kind == "year" and self.is_calendar_year:
            return f"{self.first_day.year}"
        return f"{self.first_day:%Y-%m-%d}..{self.last_day:%Y-%m-%d}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return dateformat.format(self.first_day, gettext("Y年n月"))
        if self.kind == "quarter":
            return gettext("%(year)s年第%(q)s季度") % {"year": self.first_day.year, "q": (self.first_day.month - 1) // 3 + 1}
        if self.kind == "year" and self.is_calendar_year:
            return gettext("%(year)s年") % {"year": self.first_day.year}
        if self.kind == "year":
            return gettext("服务年度 %(first)s 至 %(last)s") % {"first": self.first_day.isoformat(), "last": self.last_day.isoformat()}
        return gettext("%(first)s 至 %(last)s") % {"first": self.first_day.isoformat(), "last": self.last_day.isoformat()}

    def months(self) -> list["Period"]:
        """The calendar months the period touches, each clipped to the period (a service year from the
        27th gives a first month of four days and a last of 26), in order: together they are the period."""
        out: list[Period] = []
        first = self.first_day
        while first <= self.last_day:
            month = month_period(first)
            out.append(month if month.first_day == first and month.last_day <= self.last_day
                       else Period("month", first, min(month.last_day, self.last_day)))
            first = month.last_day + dt.timedelta(days=1)
        return out

    @property
    def is_whole_month(self) -> bool:
        return self.kind == "month" and self.first_day.day == 1 and month_period(self.first_day).last_day == self.last_day

    def days(self) -> list[dt.date]:
        n = (self.last_day - self.first_day).days + 1
        return [self.first_day + dt.timedelta(days=i) for i in range(n)]

    def previous(self) -> "Period":
        """The period of the same kind before this one; a range or a service year: the same number of
        days just before it."""
        if self.kind in ("month", "quarter") or (self.kind == "year" and self.is_calendar_year):
            months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
            return period_for(self.kind, _add_months(self.first_day, -months))
        length = self.last_day - self.first_day
        last = self.first_day - dt.timedelta(days=1)
        return Period(self.kind, last - length, last)


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


_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
MAX_RANGE_DAYS = 400


def parse_period(*, month: str | None = None, quarter: str | None = None, year: str | None = None,
                 contract=None, first: str | None = None, last: str | None = None) -> Period:
    """验收 2.1, 2.2 (monthly, quarterly and final acceptance), 验收 1(3) (the service year): Exactly one of
    month=YYYY-MM, quarter=YYYY-Qn, year=YYYY, a contract (its service year: its start
    to its end date inclusive; the caller has read it through its access rule) or from=…&to=… (inclusive
    days, YYYY-MM-DD, at most MAX_RANGE_DAYS). Bad input raises ValidationFailed naming the field."""
    given = {k: v for k, v in {"month": month, "quarter": quarter, "year": year, "contract": contract}.items() if v}
    if first or last:
        given["from"] = (first, last)
    if len(given) != 1:
        message = _("请只给出 month=YYYY-MM、quarter=YYYY-Qn、year=YYYY、contract=ID 或 from=YYYY-MM-DD&to=YYYY-MM-DD 之一")
        _refuse(next(iter(given), "month"), message)
    key, value = next(iter(given.items()))
    if key == "contract":
        return Period("year", value.start_date, value.end_date)
    if key == "from":
        return _parse_range(*value)
    value = value.strip()
    if key == "month" and (m := _MONTH.match(value)):
        return period_for("month", _first_day(int(m[1]), int(m[2]), key))
    if key == "quarter" and (m := _QUARTER.match(value.upper())):
        return period_for("quarter", _first_day(int(m[1]), (int(m[2]) - 1) * 3 + 1, key))
    if key == "year" and (m := _YEAR.match(value)):
        return period_for("year", _first_day(int(m[1]), 1, key))
    formats = {"month": "YYYY-MM", "quarter": "YYYY-Qn", "year": "YYYY"}
    raise ValidationFailed(fields={key: [_("格式应为 %(f)s") % {"f": formats[key]}]})


def _refuse(field: str, message) -> NoReturn:
    raise ValidationFailed(fields={field: [message]})


def _day(value: str | None, field: str) -> dt.date:
    m = _DAY.match((value or "").strip())
    if not m:
        _refuse(field, _("格式应为 YYYY-MM-DD"))
    try:
        day = dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        _refuse(field, _("没有这一天"))
    _first_day(day.year, 1, field)
    return day


def _parse_range(first: str | None, last: str | None) -> Period:
    start, end = _day(first, "from"), _day(last, "to")
    if end < start:
        _refuse("to", _("结束日期不能早于开始日期"))
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        _refuse("to", _("期间不能超过 %(n)s 天") % {"n": MAX_RANGE_DAYS})
    return Period("range", start, end)


def parse_report_period(*, kind: str | None, month: str | None, quarter: str | None, contract) -> Period:
    """The period of a report or package asked for on a page or the API: kind=month with month=YYYY-MM
    (the default kind), kind=quarter with quarter=YYYY-Qn, kind=year: the contract's service year (its
    start to its end date inclusive, as ?contract= of the KPIs)."""
    kind = (kind or "month").strip()
    if kind == "month":
        return parse_month(month or "")
    if kind == "quarter":
        m = _QUARTER.match((quarter or "").strip().upper())
        if not m:
            _refuse("quarter", _("格式应为 %(f)s") % {"f": "YYYY-Qn"})
        return period_for("quarter", _first_day(int(m[1]), (int(m[2]) - 1) * 3 + 1, "quarter"))
    if kind == "year":
        return Period("year", contract.start_date, contract.end_date)
    _refuse("kind", _("期间类型应为 month、quarter 或 year"))


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
