"""Heavy-protection periods: CRUD and the yearly proposal from the holiday calendar."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from core.exceptions import ValidationFailed
from core.limits import NOTE_MAX_LENGTH, text_lengths_check

from ..models import CalendarDay, HeavyProtectionPeriod
from .access import require_manager

_WINDOW = re.compile(r"^(\d{2})-(\d{2})\.\.(\d{2})-(\d{2})$")


def _validate(*, name: str, kind: str, start: dt.date, end: dt.date, level: int) -> None:
    errors: dict[str, list[str]] = {}
    if not name or not name.strip():
        errors["name"] = [gettext("请填写名称")]
    if kind not in HeavyProtectionPeriod.Kind.values:
        errors["kind"] = [gettext("类型无效")]
    if end < start:
        errors["end"] = [gettext("结束日期不能早于开始日期")]
    if level not in (1, 2, 3):
        errors["level"] = [gettext("级别应为 1、2 或 3")]
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def period_create(*, actor, name: str, kind: str, start: dt.date, end: dt.date, level: int = 2, notes: str = "") -> HeavyProtectionPeriod:
    """Clauses 3.2.11, 8.1.7, 8.2.13: a heavy-protection (重保) period, by a manager."""
    text_lengths_check(notes=(notes, NOTE_MAX_LENGTH))
    require_manager(actor)
    _validate(name=name, kind=kind, start=start, end=end, level=level)
    return HeavyProtectionPeriod.objects.create(
        name=name.strip(), kind=kind, start=start, end=end, level=level, notes=notes, created_by=actor
    )


@transaction.atomic
def period_update(*, actor, period: HeavyProtectionPeriod, **values) -> HeavyProtectionPeriod:
    require_manager(actor)
    allowed = {"name", "kind", "start", "end", "level", "notes"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationFailed(fields={k: [gettext("不能修改")] for k in unknown})
    for key, value in values.items():
        setattr(period, key, value)
    _validate(name=period.name, kind=period.kind, start=period.start, end=period.end, level=period.level)
    period.save(update_fields=sorted(values) or None)
    return period


@transaction.atomic
def period_delete(*, actor, period: HeavyProtectionPeriod) -> None:
    require_manager(actor)
    if period.rosters.exists():
        raise ValidationFailed(gettext("已有值班表引用该重保时期，不能删除"), fields={"period": [gettext("已有值班表引用")]})
    period.delete()


def _two_sessions_window(year: int) -> tuple[dt.date, dt.date]:
    match = _WINDOW.match(settings.ROSTER_TWO_SESSIONS_WINDOW.strip())
    if not match:
        raise ValidationFailed(fields={"year": [_("两会默认时段配置错误（应为 MM-DD..MM-DD）")]})
    m1, d1, m2, d2 = (int(x) for x in match.groups())
    return dt.date(year, m1, d1), dt.date(year, m2, d2)


def _festival_run(days: dict[dt.date, CalendarDay], anchor: dt.date) -> tuple[dt.date, dt.date]:
    """The whole run of non-working days around `anchor` (weekends inside it included; a make-up
    workday is a working day and ends the run)."""
    start = end = anchor
    while (d := start - dt.timedelta(days=1)) in days and not days[d].is_working_day:
        start = d
    while (d := end + dt.timedelta(days=1)) in days and not days[d].is_working_day:
        end = d
    return start, end


def period_propose(*, year: int, lead_days: int | None = None, trail_days: int | None = None) -> list[dict]:
    """Clauses 3.2.11, 8.1.7: Unsaved proposals for `year`: Spring Festival and National Day from the holiday
    calendar, widened by lead/trail days, and the Two Sessions from the configured window."""
    lead = settings.ROSTER_PROPOSE_LEAD_DAYS if lead_days is None else lead_days
    trail = settings.ROSTER_PROPOSE_TRAIL_DAYS if trail_days is None else trail_days
    errors: dict[str, list[str]] = {}
    if not 1900 <= year <= 2200:
        errors["year"] = [gettext("年份无效")]
    if not 0 <= lead <= 30:
        errors["lead_days"] = [gettext("提前天数应在 0 到 30 之间")]
    if not 0 <= trail <= 30:
        errors["trail_days"] = [gettext("延后天数应在 0 到 30 之间")]
    if errors:
        raise ValidationFailed(fields=errors)
    # A neighbouring year's days matter when a run crosses the new year.
    rows = CalendarDay.objects.filter(date__gte=dt.date(year - 1, 12, 1), date__lte=dt.date(year + 1, 1, 31))
    days = {d.date: d for d in rows}
    if not any(d.year == year for d in days):
        # code calendar_missing: the periods page links its message to the calendar page (节假日日历).
        raise ValidationFailed(
            gettext("%(year)s 年没有节假日日历数据，请先在“节假日日历”（/roster/calendar/?year=%(year)s）录入国务院办公厅公布的 %(year)s 年放假安排") % {"year": year},
            code="calendar_missing",
            fields={"year": [gettext("%(year)s 年没有节假日日历数据") % {"year": year}]},
        )
    levels = settings.ROSTER_PROPOSED_LEVELS
    out: list[dict] = []

    def holiday_named(*needles: str) -> dt.date | None:
        candidates = [d for d, row in days.items() if d.year == year and row.kind == CalendarDay.Kind.HOLIDAY and any(n in row.name for n in needles)]
        return min(candidates) if candidates else None

    spring = holiday_named("春节")
    if spring:
        start, end = _festival_run(days, spring)
        out.append({"name": f"{year}年春节重保", "kind": "spring_festival", "start": start - dt.timedelta(days=lead), "end": end + dt.timedelta(days=trail), "level": levels["spring_festival"]})
    ts_start, ts_end = _two_sessions_window(year)
    out.append({"name": f"{year}年全国两会重保", "kind": "two_sessions", "start": ts_start, "end": ts_end, "level": levels["two_sessions"]})
    national = holiday_named("国庆")
    if national:
        start, end = _festival_run(days, national)
        out.append({"name": f"{year}年国庆重保", "kind": "national_day", "start": start - dt.timedelta(days=lead), "end": end + dt.timedelta(days=trail), "level": levels["national_day"]})
    return sorted(out, key=lambda p: p["start"])
