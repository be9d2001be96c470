"""Parse a file announcing a year's holidays and make-up workdays (国务院办公厅 节假日安排).

One day per line, comma- or whitespace-separated: `date,kind,name`. kind is `holiday` (or 休) or
`makeup` / `makeup_workday` (or 班). Blank lines and lines starting with # are ignored. Example:

    2027-01-01,holiday,元旦
    2027-02-06,holiday,春节
    2027-02-20,makeup,春节调休上班
"""

import datetime as dt
import re

from django.utils.translation import gettext as _

from core.exceptions import ValidationFailed

_HOLIDAY = {"holiday", "休", "off"}
_MAKEUP = {"makeup", "makeup_workday", "班", "work"}


def calendar_file_parse(*, text: str, year: int) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    holidays: dict[dt.date, str] = {}
    makeup: dict[dt.date, str] = {}
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in re.split(r"[,\t，]|\s+", line, maxsplit=2)]
        if len(parts) < 2:
            errors.append(_("第 %(line)s 行：需要“日期,类型[,名称]”") % {"line": number})
            continue
        try:
            day = dt.date.fromisoformat(parts[0])
        except ValueError:
            errors.append(_("第 %(line)s 行：日期“%(value)s”应为 YYYY-MM-DD") % {"line": number, "value": parts[0]})
            continue
        kind = parts[1].lower()
        name = parts[2] if len(parts) > 2 else ""
        if day.year != year:
            errors.append(_("第 %(line)s 行：%(day)s 不属于 %(year)s 年") % {"line": number, "day": day, "year": year})
        elif kind in _HOLIDAY:
            holidays[day] = name or "法定节假日"
        elif kind in _MAKEUP:
            makeup[day] = name or "调休上班"
        else:
            errors.append(_("第 %(line)s 行：类型“%(value)s”应为 holiday/休 或 makeup/班") % {"line": number, "value": parts[1]})
    if errors:
        raise ValidationFailed(fields={"file": errors})
    if not holidays:
        raise ValidationFailed(fields={"file": [_("文件中没有 %(year)s 年的节假日") % {"year": year}]})
    return holidays, makeup
