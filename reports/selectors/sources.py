"""What the report reads from the apps that are still growing (changes, roster: duty logs,
zero-reports, rosters, inspections, backups). Each reader returns `None` when the other app does not
provide the data yet, so the report can say "not recorded in OpsDesk" instead of pretending that
nothing happened. Reads only — reports never writes another app's tables.
"""

import datetime as dt
from typing import Any

from .periods import Period


def changes_in_period(*, period: Period, organization_id: int | None) -> dict[str, Any] | None:
    """Change requests whose approved window starts in the period: approved, completed, failed."""
    try:
        from tickets.models import ChangeRequest
    except ImportError:
        return None
    qs = ChangeRequest.objects.filter(window_start__gte=period.start, window_start__lt=period.end)
    if organization_id is not None:
        qs = qs.filter(business_systems__organization_id=organization_id).distinct()
    rows = list(
        qs.order_by("window_start", "pk").values(
            "pk", "number", "title", "status", "outcome", "window_start", "window_end", "expected_interruption_minutes"
        )
    )
    labels = dict(ChangeRequest.Status.choices)
    outcome_labels = dict(ChangeRequest.Outcome.choices) if hasattr(ChangeRequest, "Outcome") else {}
    for row in rows:
        row["status_label"] = labels.get(row["status"], row["status"])
        row["outcome_label"] = outcome_labels.get(row.get("outcome") or "", row.get("outcome") or "")
    failed_outcomes = {"failed", "rolled_back", "partial"}
    return {
        "rows": rows,
        "approved": sum(1 for r in rows if r["status"] in {"approved", "in_progress", "completed", "reviewed"}),
        "completed": sum(1 for r in rows if r["status"] in {"completed", "reviewed"} and r.get("outcome") not in failed_outcomes),
        "failed": sum(1 for r in rows if r.get("outcome") in failed_outcomes or r["status"] == "rejected"),
    }


def heavy_protection_periods(*, period: Period) -> list[dict[str, Any]]:
    from roster.selectors.periods import periods_touching

    return [
        {"name": p.name, "kind": p.get_kind_display(), "start": p.start, "end": p.end, "level": p.get_level_display(),
         "notes": p.notes}
        for p in periods_touching(start=period.start, end=period.end)
    ]


def duty_summary(*, period: Period) -> dict[str, Any] | None:
    """Shifts, duty logs and zero-reports of the period, if the roster app records them."""
    try:
        from roster.models import Shift
    except ImportError:
        return None
    shifts = Shift.objects.filter(start__lt=period.end, end__gt=period.start)
    summary: dict[str, Any] = {"shifts": shifts.count(), "logs": None, "zero_reports": None, "handovers": None}
    try:
        from roster.models import DutyLog
    except ImportError:
        pass
    else:
        logs = DutyLog.objects.filter(**_between(DutyLog, period))
        summary["logs"] = logs.count()
    try:
        from roster.models import ZeroReport
    except ImportError:
        pass
    else:
        summary["zero_reports"] = ZeroReport.objects.filter(**_between(ZeroReport, period)).count()
    try:
        from roster.models import Handover
    except ImportError:
        pass
    else:
        summary["handovers"] = Handover.objects.filter(**_between(Handover, period)).count()
    return summary


def _between(model, period: Period) -> dict[str, dt.datetime | dt.date]:
    names = {f.name for f in model._meta.get_fields()}
    for name in ("at", "created_at", "submitted_at", "start", "date"):
        if name in names:
            field = model._meta.get_field(name)
            if field.get_internal_type() == "DateField":
                return {f"{name}__gte": period.first_day, f"{name}__lte": period.last_day}
            return {f"{name}__gte": period.start, f"{name}__lt": period.end}
    return {}
