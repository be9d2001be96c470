"""Read a year's holidays and make-up workdays from the State Council's notice (国务院办公厅关于XXXX年部分
节假日安排的通知) as it is published, pasted as text:

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
    六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。

Each numbered item names the holiday; a sentence with 放假 gives its days (one day, or "A至B", B
inheriting A's month), a sentence with 上班 lists the make-up workdays. Every day of a range is a
holiday (weekends inside it included, as the notice counts them in 共N天). The preamble, the closing
paragraph and sentences such as "鼓励……在除夕（2月16日）休息" are not arrangements and are skipped.

Checks that catch a wrong paste or a typo rather than trusting it: each date exists; a weekday written
beside a date (周四) is that date's weekday in the year (a notice pasted under the wrong year fails
here); 共N天 / 放假N天 equals the range; no day is both a holiday and a make-up workday, nor in two
items. Every problem is reported with its line number and nothing is returned.

`calendar_import_parse` is the one entry of pages, API and command: the notice or a CSV file
(roster/services/calendar_file.py) into a CalendarPlan that the user previews before it is saved.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.exceptions import ValidationFailed

from ..models import CalendarYearEvent
from ..selectors.calendar import calendar_festivals

_FULLWIDTH = str.maketrans("０１２３４５６７８９：，（）", "0123456789:,()")
_ITEM = re.compile(r"^\s*([一二三四五六七八九十]+)\s*[、.．]\s*([^:：]{1,30}?)\s*[:：]\s*(.*)$")
_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日\s*(?:\(([^()]*)\))?")
_TITLE_YEAR = re.compile(r"(\d{4})\s*年\s*(?:部分)?节假日|现将\s*(\d{4})\s*年")
_DAYS_SAID = re.compile(r"(?:共|放假)\s*(\d{1,2})\s*天")
_WEEKDAY = re.compile(r"(?:周|星期)([一二三四五六日天])")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MAX_RANGE_DAYS = 15


@dataclass
class CalendarPlan:
    """A year's arrangement as read, not yet saved: what the preview shows and the confirm saves."""

    year: int
    source: str
    holidays: dict[dt.date, str] = field(default_factory=dict)
    makeup_workdays: dict[dt.date, str] = field(default_factory=dict)

    def festivals(self) -> list[dict]:
        return calendar_festivals(self.holidays, self.makeup_workdays)


def makeup_name(holiday: str) -> str:
    return _("调休上班（%(name)s）") % {"name": holiday}


def _line_error(number: int, text: str) -> str:
    return _("第 %(line)s 行：%(text)s") % {"line": number, "text": text}


def notice_year(text: str) -> int | None:
    """The year the notice is about ("关于2027年部分节假日安排", "现将2027年…"), or None."""
    match = _TITLE_YEAR.search(text.translate(_FULLWIDTH))
    return int(match.group(1) or match.group(2)) if match else None


def _items(text: str) -> list[tuple[int, str, str]]:
    """(line number, holiday name, body) of each numbered item; lines that follow an item without
    starting a new one continue it (a notice copied from a PDF breaks items over lines)."""
    items: list[list] = []
    for number, raw in enumerate(text.translate(_FULLWIDTH).splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        match = _ITEM.match(line)
        if match:
            items.append([number, match.group(2).strip(), match.group(3)])
        elif items and line:
            items[-1][2] += line
    return [(n, name, body) for n, name, body in items]


class _Dates:
    """Dates of one sentence, resolved against the year and the month last named."""

    def __init__(self, year: int, number: int, errors: list[str]) -> None:
        self.year, self.number, self.errors = year, number, errors

    def read(self, sentence: str) -> list[tuple[dt.date, int, int]]:
        """[(date, start, end)] of the dates in the sentence (positions for 至), or [] after an error."""
        out: list[tuple[dt.date, int, int]] = []
        month: int | None = None
        for match in _DATE.finditer(sentence):
            year_s, month_s, day_s, note = match.groups()
            year = int(year_s) if year_s else self.year
            month = int(month_s) if month_s else month
            written = match.group(0).strip()
            if month is None:
                self.errors.append(_line_error(self.number, _("“%(date)s”没有月份") % {"date": written}))
                return []
            try:
                day = dt.date(year, month, int(day_s))
            except ValueError:
                self.errors.append(_line_error(self.number, _("日期“%(date)s”不存在") % {"date": written}))
                return []
            weekday = _WEEKDAY.search(note or "")
            if weekday and _WEEKDAYS[weekday.group(1)] != day.weekday():
                self.errors.append(_line_error(self.number, _(
                    "%(date)s 是%(actual)s，通知写%(said)s：年份是否正确？") % {
                    "date": day.isoformat(), "actual": _WEEKDAY_NAMES[day.weekday()], "said": weekday.group(0)}))
                return []
            out.append((day, match.start(), match.end()))
        return out


def calendar_notice_parse(*, text: str, year: int | None = None) -> CalendarPlan:
    """The State Council's notice, pasted as text, into a CalendarPlan (see the module's docstring).
    `year`: the year the user means; when omitted it is read from the notice's title or preamble.
    Raises ValidationFailed with every problem, one message per line, under `text` (or `year`)."""
    said = notice_year(text)
    if year is None:
        if said is None:
            raise ValidationFailed(fields={"year": [_("通知中未找到“XXXX年部分节假日安排”，请填写年份")]})
        year = said
    elif said is not None and said != year:
        raise ValidationFailed(fields={"year": [_("通知是 %(said)s 年的安排，不是 %(year)s 年") % {"said": said, "year": year}]})
    plan = CalendarPlan(year=year, source=CalendarYearEvent.Kind.NOTICE)
    errors: list[str] = []
    items = _items(text)
    if not items:
        raise ValidationFailed(fields={"text": [_("未找到“一、元旦：1月1日至3日放假调休，共3天。”这样的条目：请粘贴通知正文")]})
    where: dict[dt.date, int] = {}
    for number, name, body in items:
        dates = _Dates(year, number, errors)
        found_holiday = False
        for sentence in re.split(r"[。；;]", body):
            if "放假" not in sentence and "上班" not in sentence:
                continue  # "鼓励……在除夕（2月16日）休息" is advice, not an arrangement
            read = dates.read(sentence)
            if not read:
                if "放假" in sentence and not any(e.startswith(_line_error(number, "")) for e in errors):
                    errors.append(_line_error(number, _("“%(text)s”中没有日期") % {"text": sentence.strip()[:40]}))
                continue
            if "放假" in sentence:
                found_holiday = True
                first = read[0][0]
                ranged = len(read) > 1 and "至" in sentence[read[0][2]:read[1][1] + 1]
                last = read[1][0] if ranged else first
                if last < first or (last - first).days >= MAX_RANGE_DAYS:
                    errors.append(_line_error(number, _("%(name)s 的放假起止“%(first)s 至 %(last)s”不合理") % {
                        "name": name, "first": first.isoformat(), "last": last.isoformat()}))
                    continue
                length = (last - first).days + 1
                count = _DAYS_SAID.search(sentence)
                if count and int(count.group(1)) != length:
                    errors.append(_line_error(number, _("%(name)s %(first)s 至 %(last)s 是 %(length)s 天，通知写“%(said)s”") % {
                        "name": name, "first": first.isoformat(), "last": last.isoformat(), "length": length, "said": count.group(0)}))
                    continue
                for offset in range(length):
                    day = first + dt.timedelta(days=offset)
                    if day in where:
                        errors.append(_line_error(number, _("%(date)s 已在第 %(other)s 行出现") % {"date": day.isoformat(), "other": where[day]}))
                        continue
                    where[day] = number
                    plan.holidays[day] = name
            else:
                for day, _start, _end in read:
                    if day in where:
                        errors.append(_line_error(number, _("%(date)s 已在第 %(other)s 行出现") % {"date": day.isoformat(), "other": where[day]}))
                        continue
                    where[day] = number
                    plan.makeup_workdays[day] = makeup_name(name)
        if not found_holiday and not any(e.startswith(_line_error(number, "")) for e in errors):
            errors.append(_line_error(number, _("“%(name)s”中未找到放假日期") % {"name": name}))
    outside = sorted(d for d in [*plan.holidays, *plan.makeup_workdays] if d.year != year)
    for day in outside:
        errors.append(_line_error(where[day], _("%(date)s 不属于 %(year)s 年：请在 %(other)s 年的日历中录入") % {
            "date": day.isoformat(), "year": year, "other": day.year}))
    if errors:
        raise ValidationFailed(fields={"text": errors})
    return plan


def calendar_import_parse(*, text: str, fmt: str, year: int | None = None) -> CalendarPlan:
    """Pages, API and command read an import through here: `fmt` is "notice" (the State Council's
    notice as text) or "csv" (date,kind,name lines; roster/services/calendar_file.py)."""
    from .calendar_file import calendar_file_parse

    if not text or not text.strip():
        raise ValidationFailed(fields={"text": [_("请粘贴通知正文或 CSV 内容")]})
    if fmt == CalendarYearEvent.Kind.NOTICE:
        return calendar_notice_parse(text=text, year=year)
    if fmt == CalendarYearEvent.Kind.CSV:
        year, holidays, makeup = calendar_file_parse(text=text, year=year)
        return CalendarPlan(year=year, source=CalendarYearEvent.Kind.CSV, holidays=holidays, makeup_workdays=makeup)
    raise ValidationFailed(fields={"format": [_("格式应为 notice（国务院通知）或 csv")]})
