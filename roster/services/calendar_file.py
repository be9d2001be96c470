"""Parse a CSV file of a year's holidays and make-up workdays (国务院办公厅 节假日安排).

One day per line, comma- or tab-separated: `日期,类型,名称`. The type is 休 / holiday / 法定节假日 for a
day off, 班 / makeup / makeup_workday / 调休上班日 for a make-up workday. A first line naming the
columns (日期… / date…), blank lines and lines starting with # are skipped. The template the calendar
page offers (`calendar_csv_template`):

    日期,类型,名称
    2027-01-01,休,元旦
    2027-02-20,班,调休上班（春节）

Every bad line gets its own message ("第 3 行：…") and nothing is returned when any line is bad.
"""

import datetime as dt
import re

from django.utils.translation import gettext as _

from core.exceptions import ValidationFailed

_HOLIDAY = {"holiday", "休", "off", "法定节假日", "节假日", "放假"}
_MAKEUP = {"makeup", "makeup_workday", "班", "work", "调休上班日", "调休上班", "上班"}
_HEADER = {"日期", "date"}


def calendar_csv_template(year: int) -> str:
    """The downloadable example: the header and one line of each type, for `year`."""
    return "\n".join([
        "日期,类型,名称",
        "# " + _("类型：休 = 法定节假日（放假），班 = 调休上班日；以 # 开头的行不导入"),
        f"{year}-01-01,休,元旦",
        f"{year}-10-01,休,国庆节",
        f"{year}-10-09,班,调休上班（国庆节）",
        "",
    ])


def calendar_file_parse(*, text: str, year: int | None = None) -> tuple[int, dict[dt.date, str], dict[dt.date, str]]:
    """(year, holidays, make-up workdays) of the file. `year` None: the year of its dates (all in one).
    Raises ValidationFailed, messages under `text`, one per bad line."""
    holidays: dict[dt.date, str] = {}
    makeup: dict[dt.date, str] = {}
    seen: dict[dt.date, int] = {}
    errors: list[str] = []

    def bad(number: int, message: str) -> None:
        errors.append(_("第 %(line)s 行：%(text)s") % {"line": number, "text": message})

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        parts = [p.strip().strip('"') for p in re.split(r"[,\t，]", line, maxsplit=2)]
        if len(parts) < 2 and " " in line:
            parts = [p.strip() for p in line.split(None, 2)]
        if parts[0].lower() in _HEADER:
            continue
        if len(parts) < 2:
            bad(number, _("需要“日期,类型[,名称]”"))
            continue
        try:
            day = dt.date.fromisoformat(parts[0].replace("/", "-"))
        except ValueError:
            bad(number, _("日期“%(value)s”应为 YYYY-MM-DD") % {"value": parts[0]})
            continue
        kind = parts[1].lower()
        name = parts[2] if len(parts) > 2 else ""
        if year is None:
            year = day.year
        if day.year != year:
            bad(number, _("%(date)s 不属于 %(year)s 年") % {"date": day.isoformat(), "year": year})
        elif day in seen:
            bad(number, _("%(date)s 已在第 %(other)s 行出现") % {"date": day.isoformat(), "other": seen[day]})
        elif kind in _HOLIDAY:
            holidays[day] = name or _("法定节假日")
        elif kind in _MAKEUP:
            makeup[day] = name or _("调休上班")
        else:
            bad(number, _("类型“%(value)s”应为 休 或 班") % {"value": parts[1]})
        seen.setdefault(day, number)
    if errors:
        raise ValidationFailed(fields={"text": errors})
    if not holidays:
        raise ValidationFailed(fields={"text": [_("文件中没有节假日（类型为“休”的行）")]})
    return year, holidays, makeup
