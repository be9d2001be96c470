"""What the report reads from the other apps: change requests (changes app) and heavy-protection
periods, rosters, duty logs, zero-reports and handovers (roster app). Reads only — reports never
writes another app's tables.
"""

import datetime as dt
from typing import Any

from changes.selectors import change_summary_in
from roster.selectors.periods import periods_touching
from roster.selectors.records import duty_record_counts, rosters_between

from .periods import Period


def changes_in_period(*, period: Period, organization_id: int | None) -> dict[str, Any]:
    """Change requests whose planned window starts in the period, with their counts
    (changes.selectors.change_summary_in)."""
    return change_summary_in(start=period.start, end=period.end, organization_id=organization_id)


def heavy_protection_periods(*, period: Period) -> list[dict[str, Any]]:
    return [
        {"name": p.name, "kind": p.get_kind_display(), "start": p.start, "end": p.end, "level": p.get_level_display(),
         "notes": p.notes}
        for p in periods_touching(start=period.start, end=period.end)
    ]


def duty_summary(*, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Published rosters (with their shifts and unfilled seats in the period), shifts, duty-log entries
    (inspections among them), end-of-shift and daily reports (zero-reports among them), shifts that
    ended without a report, handovers (unsigned among them) of the period. A constant number of queries."""
    rosters = [
        {"name": r.name, "period": r.period.name if r.period_id else "", "start": r.start_date, "end": r.end_date,
         "version": r.version, "shifts": r.shifts_in_range, "unfilled": r.unfilled_in_range}
        for r in rosters_between(first_day=period.first_day, last_day=period.last_day)
    ]
    return {
        "rosters": rosters,
        **duty_record_counts(start=period.start, end=period.end, first_day=period.first_day, last_day=period.last_day,
                             now=now),
    }

