"""What the report reads from the other apps: change requests (tickets app) and heavy-protection
periods, rosters, duty logs, zero-reports and handovers (roster app). Reads only — reports never
writes another app's tables.
"""

import datetime as dt
from typing import Any

from changes.models import ChangeRequest
from roster.models import DutyLogEntry, DutyReport, Handover
from roster.selectors.periods import periods_touching
from roster.selectors.records import (
    duty_log_entries_between,
    duty_reports_between,
    handovers_between,
    rosters_between,
    shifts_between,
    shifts_missing_report,
)

from .periods import Period

CS = ChangeRequest.Status
# Approved: the change passed its approval chain (whatever happened next).
APPROVED_STATUSES = (CS.APPROVED, CS.IN_PROGRESS, CS.COMPLETED, CS.REVIEWED)
DONE_STATUSES = (CS.COMPLETED, CS.REVIEWED)


def changes_in_period(*, period: Period, organization_id: int | None) -> dict[str, Any]:
    """Change requests whose planned window starts in the period (drafts left out: nothing was asked
    yet): the list, and how many were approved, completed successfully, failed (rolled back) or
    rejected. `failed` counts both failed and rejected changes, as the report's sentence says."""
    qs = ChangeRequest.objects.filter(window_start__gte=period.start, window_start__lt=period.end).exclude(status=CS.DRAFT)
    if organization_id is not None:
        qs = qs.filter(pk__in=ChangeRequest.objects.filter(business_systems__organization_id=organization_id).values("pk"))
    rows = list(
        qs.order_by("window_start", "pk").values(
            "pk", "number", "title", "status", "outcome", "window_start", "window_end", "expected_interruption_minutes"
        )
    )
    labels = dict(CS.choices)
    outcome_labels = dict(ChangeRequest.Outcome.choices)
    failed = ChangeRequest.Outcome.FAILED_ROLLED_BACK
    for row in rows:
        row["status_label"] = labels.get(row["status"], row["status"])
        row["outcome_label"] = outcome_labels.get(row["outcome"] or "", "")
    return {
        "rows": rows,
        "approved": sum(1 for r in rows if r["status"] in APPROVED_STATUSES),
        "completed": sum(1 for r in rows if r["status"] in DONE_STATUSES and r["outcome"] == ChangeRequest.Outcome.SUCCESSFUL),
        "failed": sum(1 for r in rows if r["outcome"] == failed or r["status"] == CS.REJECTED),
        "rolled_back": sum(1 for r in rows if r["outcome"] == failed),
        "rejected": sum(1 for r in rows if r["status"] == CS.REJECTED),
    }


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
    logs = duty_log_entries_between(start=period.start, end=period.end)
    reports = duty_reports_between(start=period.start, end=period.end, first_day=period.first_day, last_day=period.last_day)
    handovers = handovers_between(start=period.start, end=period.end)
    rosters = [
        {"name": r.name, "period": r.period.name if r.period_id else "", "start": r.start_date, "end": r.end_date,
         "version": r.version, "shifts": r.shifts_in_range, "unfilled": r.unfilled_in_range}
        for r in rosters_between(first_day=period.first_day, last_day=period.last_day)
    ]
    return {
        "rosters": rosters,
        "shifts": shifts_between(start=period.start, end=period.end).count(),
        "logs": logs.count(),
        "inspections": logs.filter(kind=DutyLogEntry.Kind.INSPECTION).count(),
        "reports": reports.count(),
        "zero_reports": reports.filter(kind=DutyReport.Kind.ZERO).count(),
        "missing_reports": shifts_missing_report(start=period.start, end=period.end, now=now).count(),
        "handovers": handovers.count(),
        "unsigned_handovers": handovers.exclude(status=Handover.Status.SIGNED).count(),
    }

