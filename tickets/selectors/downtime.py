"""Reads of outage (downtime) records for availability (8.2.8, 1.2.9).

Tickets own the outages; which of their minutes were planned maintenance is decided by the changes
app (an approved, completed change's window). Tickets never import changes: the changes app registers
its breakdown here at start-up (ChangesConfig.ready), and without it no minute is planned.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest, Least

from ..models import DowntimeRecord

Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class PlannedPart:
    """The planned-maintenance part of one outage record: minutes and the changes that cover them."""

    minutes: float
    change_numbers: tuple[str, ...] = ()


def intervals_union(spans: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of [start, end) intervals (touching ones are merged)."""
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def intervals_minutes(spans: Iterable[Interval]) -> float:
    return sum((e - s).total_seconds() for s, e in spans) / 60


def intervals_intersection(spans: Iterable[Interval], other: Iterable[Interval]) -> list[Interval]:
    """The part of `spans` that `other` covers, as a sorted union: a minute covered twice in either
    list (a claim overlapping a change window) is in the answer once."""
    left, right = intervals_union(spans), intervals_union(other)
    found: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start, end = max(left[i][0], right[j][0]), min(left[i][1], right[j][1])
        if start < end:
            found.append((start, end))
        if left[i][1] <= right[j][1]:
            i += 1
        else:
            j += 1
    return found


def downtime_intervals_by_system(
    *, business_system_ids: Iterable[int] | None, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[int, list[Interval]]:
    """Outages per business system, clipped to [start, min(end, now)) in SQL and merged per system
    (two records of one outage must not count twice). An ongoing outage runs up to `now`. Every
    record counts, whatever anybody claimed about it: planned minutes are subtracted by the caller
    from the changes app's selector. `business_system_ids=None`: every system. One query."""
    until = min(end, now)
    if until <= start:
        return {}
    rows = DowntimeRecord.objects.filter(start__lt=until).filter(Q(end__isnull=True) | Q(end__gt=start))
    if business_system_ids is not None:
        ids = list(business_system_ids)
        if not ids:
            return {}
        rows = rows.filter(business_system_id__in=ids)
    rows = rows.annotate(
        clip_start=Greatest(F("start"), start), clip_end=Least(Coalesce(F("end"), now), until)
    ).values_list("business_system_id", "clip_start", "clip_end")
    spans: dict[int, list[Interval]] = {}
    for system_id, s, e in rows:
        if e > s:
            spans.setdefault(system_id, []).append((s, e))
    return {system_id: intervals_union(found) for system_id, found in spans.items()}


# --- the planned part, decided by the changes app -------------------------------------------------

PlannedBreakdown = Callable[..., dict[int, PlannedPart]]
_planned_breakdown: list[PlannedBreakdown] = []


def downtime_planned_breakdown_register(breakdown: PlannedBreakdown) -> None:
    """Register `breakdown(*, records, now) -> {record_id: PlannedPart}` (the changes app does, once)."""
    _planned_breakdown[:] = [breakdown]


def downtime_planned_parts(*, records: Iterable[DowntimeRecord], now: dt.datetime) -> dict[int, PlannedPart]:
    """For pages, the API and the downtime report: how many minutes of each record are planned
    maintenance (and under which changes). Records without a planned part are left out."""
    records = list(records)
    if not records or not _planned_breakdown:
        return {}
    return _planned_breakdown[0](records=records, now=now)
