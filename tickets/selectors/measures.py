"""The contract's measurements over tickets, for the reports' KPIs (验收 1; 8.2.12; 1.1, 2.1).

Reports never reads tickets' models: it asks these functions, which decide which clocks a figure
counts (tickets.selectors.sla.CLOCK_FIGURES), what a target is (the SLA policy rows, never a number
restated in reports), which tickets are system-down (P1) and which are major incidents. Each function
takes the period as anything with `start` and `end` and the scope as anything with `organization_id`
and `business_system_id` (reports' `Period` and `Scope`), and runs the number of queries its
docstring states.
"""

import datetime as dt
import math
from typing import Any

from django.db.models import Avg, Case, CharField, Count, F, Max, Min, Q, QuerySet, Value, When
from django.utils import timezone

from ..models import (
    ClockName,
    Contract,
    Direction,
    ResourceKind,
    SatisfactionRating,
    Severity,
    SlaClock,
    SlaPolicy,
    Ticket,
    TicketKind,
)
from .exclusions import kpi_ticket_q, major_incident_q, tickets_reopened_count
from .reporting import INCIDENT_KINDS, PeriodLike, ScopeLike, ticket_scope_q
from .sla import (
    CLOCK_FIGURES,
    clock_counted_q,
    clock_figure_q,
    clock_missed_q,
    clock_responded_q,
    clock_stopped_by_cancel_q,
    clock_within_q,
    sla_clock_figures,
    sla_policies_for,
)

SYSTEM_DOWN_SEVERITY = Severity.P1  # a downed system (8.2.12 "系统宕机"): availability and the restore clock
# 验收 1(3): major liability incidents (重大责任安全事件), faults or security incidents, counted only as the
# purchaser consented (tickets.selectors.exclusions.major_incident_q, issue 15 item 9).
MAJOR_INCIDENT_KINDS = INCIDENT_KINDS
SATISFIED_FROM_SCORE = 4  # a rating of 4 or 5 is satisfied (验收 1(6))
CLOCK_FIGURE_KEYS = tuple(CLOCK_FIGURES)
# The figures whose durations (mean, p90, max) are reported; resource adjustments only as an on-time share.
DURATION_FIGURE_KEYS = ("response_time", "resolve_time", "restore_time")


def figure_filters(key: str) -> dict[str, Any]:
    """The ticket-list filters (tickets.forms.TicketFilterForm) that list the tickets behind a clock
    figure: its kinds, its clock and, for the restore clock, the system-down severity."""
    name, kinds, severity = CLOCK_FIGURES[key]
    return {"kind": [str(kind) for kind in kinds], "severity": str(severity) if severity else None, "clock": str(name)}


def incident_kinds() -> list[str]:
    """Faults and security incidents (8.2.12), as ticket-list filter values."""
    return [str(kind) for kind in INCIDENT_KINDS]


def clock_figure_targets() -> dict[str, int | None]:
    """Each clock figure's contract target in minutes (8.2.12; issue 15 item 5: the report prints the
    contract's figure, whatever the PM tightened or the purchaser agreed to loosen): the contract policy a
    plain ticket of the figure's first kind gets (the general rule, not the heavy-protection one), and the
    storage decrease target beside the resource adjustments (`resource_storage_decrease`). None where no
    contract policy applies. One query."""
    policies = list(SlaPolicy.objects.filter(active=True, contract_target_minutes__isnull=False).order_by("pk"))
    targets: dict[str, int | None] = {}
    for key, (name, kinds, severity) in CLOCK_FIGURES.items():
        chosen = sla_policies_for(kind=kinds[0], severity=severity or "", policies=policies).get(name)
        targets[key] = chosen.contract_target_minutes if chosen else None
    storage = sla_policies_for(kind=TicketKind.RESOURCE, severity="", resource=ResourceKind.STORAGE,
                               direction=Direction.DECREASE, policies=policies).get(ClockName.RESOLVE)
    targets["resource_storage_decrease"] = storage.contract_target_minutes if storage else None
    return targets


def ticket_id_bounds(period: PeriodLike) -> tuple[int, int] | None:
    """The lowest and highest id of the tickets reported in the period (None: there are none). One query.

    Only a hint for the planner: the clocks are filtered on their ticket's report time as before, and
    every ticket of the period has its id within these bounds, so the answer is the same. Without it
    PostgreSQL scanned every clock of every year to join a month's tickets (0.6 s at 1M tickets); with
    it, the clock index reads the month's range (0.1 s)."""
    # `id + 0`: a bare MIN(id) lets PostgreSQL walk the primary key from one end until a row of the month
    # turns up (0.4 s at 1M tickets); the expression makes it read the month's rows by report time.
    bounds = Ticket.objects.filter(reported_at__gte=period.start, reported_at__lt=period.end).aggregate(
        lo=Min(F("pk") + 0), hi=Max(F("pk") + 0))
    return None if bounds["lo"] is None else (bounds["lo"], bounds["hi"])


def counted_clocks(*, period: PeriodLike, scope: ScopeLike, bounds: tuple[int, int] | None) -> QuerySet[SlaClock]:
    """The clocks of the period's counted tickets (reported in it, not taken out by a confirmed
    exclusion) within the scope; `bounds` from ticket_id_bounds. No query until evaluated."""
    if bounds is None:
        return SlaClock.objects.none()
    return SlaClock.objects.filter(
        Q(ticket_id__gte=bounds[0], ticket_id__lte=bounds[1])
        & Q(ticket__reported_at__gte=period.start, ticket__reported_at__lt=period.end)
        & kpi_ticket_q("ticket__")
        & ticket_scope_q(scope, "ticket__")
    )


def missed_clocks(*, period: PeriodLike, scope: ScopeLike, now: dt.datetime, bounds=None) -> QuerySet[SlaClock]:
    """The period's counted clocks that have missed their target at `now`: breached, still running past
    their due time, or stopped only by an unconsented cancellation. Pass the bounds to save a query."""
    if bounds is None:
        bounds = ticket_id_bounds(period)
    return counted_clocks(period=period, scope=scope, bounds=bounds).filter(
        clock_missed_q(now) | clock_stopped_by_cancel_q())


def clock_figure_aggregates(*, period: PeriodLike, scope: ScopeLike, now: dt.datetime, bounds) -> dict[str, dict[str, Any]]:
    """Per clock figure: `count` (clocks that count at `now`), `stopped` (really stopped, not by a
    cancellation), `within` (counted and met), and for DURATION_FIGURE_KEYS the `mean` and `p90`
    minutes of the stopped clocks (nearest rank) and the `max`: the longest of the stopped clocks and of
    those still running, a running one with its elapsed time so far (`max_running` True, `max_ticket_id`
    its ticket): a P1 down for 1 day 19 h and counting is the longest restore of the month, not the
    14 minutes of the one restored (issue 19). One query, one more per duration figure with a stopped
    clock (the p90 row), and one more when a duration figure has a running clock."""
    counted, within, stopped = clock_counted_q(now), clock_within_q(), clock_responded_q()
    aggregates: dict[str, Any] = {}
    for key in CLOCK_FIGURE_KEYS:
        base = clock_figure_q(key)
        aggregates[f"{key}__count"] = Count("pk", filter=base & counted)
        aggregates[f"{key}__stopped"] = Count("pk", filter=base & stopped)
        aggregates[f"{key}__within"] = Count("pk", filter=base & counted & within)
        aggregates[f"{key}__mean"] = Avg("elapsed_minutes", filter=base & stopped)
        aggregates[f"{key}__max"] = Max("elapsed_minutes", filter=base & stopped)
        if key in DURATION_FIGURE_KEYS:
            aggregates[f"{key}__running"] = Count("pk", filter=base & Q(stopped_at__isnull=True))
    clocks = counted_clocks(period=period, scope=scope, bounds=bounds)
    row = clocks.aggregate(**aggregates)
    longest = _longest_running(clocks, [k for k in DURATION_FIGURE_KEYS if row[f"{k}__running"]], now)
    figures: dict[str, dict[str, Any]] = {}
    for key in CLOCK_FIGURE_KEYS:
        mean, maximum, stopped_count = row[f"{key}__mean"], row[f"{key}__max"], row[f"{key}__stopped"]
        figures[key] = {
            "count": row[f"{key}__count"],
            "stopped": stopped_count,
            "within": row[f"{key}__within"],
            "mean": float(mean) if mean is not None else None,
            "max": float(maximum) if maximum is not None else None,
            "max_running": False,
            "max_ticket_id": None,
            "p90": _p90(clocks, key, stopped_count) if key in DURATION_FIGURE_KEYS else None,
        }
        running = longest.get(key)
        if running is not None and (maximum is None or running[0] > maximum):
            figures[key].update(max=float(running[0]), max_running=True, max_ticket_id=running[1])
    return figures


def _longest_running(clocks: QuerySet[SlaClock], keys: list[str], now: dt.datetime) -> dict[str, tuple[int, int]]:
    """Per figure of `keys`, the running (not stopped) clock that has run longest at `now`: (its elapsed
    minutes so far, by the clocks' one rule and rounding, tickets.selectors.sla.sla_clock_figures; its
    ticket id). One query (none without keys): a month has few running clocks of these figures."""
    if not keys:
        return {}
    figure = Case(*(When(clock_figure_q(key), then=Value(key)) for key in keys), default=Value(""),
                  output_field=CharField())
    found: dict[str, tuple[int, int]] = {}
    for clock in clocks.filter(stopped_at__isnull=True).annotate(figure=figure).exclude(figure="").order_by("pk"):
        elapsed = sla_clock_figures(clock, now=now)["elapsed_minutes"]
        if elapsed is not None and (clock.figure not in found or elapsed > found[clock.figure][0]):
            found[clock.figure] = (elapsed, clock.ticket_id)
    return found


def _p90(clocks: QuerySet[SlaClock], key: str, stopped_count: int) -> float | None:
    """Nearest-rank p90 of the stopped clocks' elapsed minutes: one row fetched at offset ⌈0.9n⌉−1."""
    if not stopped_count:
        return None
    rank = max(1, math.ceil(0.9 * stopped_count))
    values = list(
        clocks.filter(clock_figure_q(key) & clock_responded_q())
        .order_by("elapsed_minutes")
        .values_list("elapsed_minutes", flat=True)[rank - 1 : rank]
    )
    return float(values[0]) if values else None


def ticket_figures(*, period: PeriodLike, scope: ScopeLike, bounds) -> dict[str, int]:
    """Of the period's counted tickets in the scope: `major_incidents` (验收 1(3)), `reopened` faults and
    security incidents, and the satisfaction ratings: `rated`, `satisfied` (score 4 or 5). Three queries."""
    tickets = Ticket.objects.filter(
        Q(reported_at__gte=period.start, reported_at__lt=period.end) & kpi_ticket_q() & ticket_scope_q(scope)
    )
    major = tickets.filter(Q(kind__in=MAJOR_INCIDENT_KINDS) & major_incident_q()).count()
    reopened = tickets_reopened_count(tickets.filter(kind__in=INCIDENT_KINDS))
    rated = SatisfactionRating.objects.filter(ticket__in=tickets)
    if bounds is not None:  # the same planner hint as for the clocks (see ticket_id_bounds)
        rated = rated.filter(ticket_id__gte=bounds[0], ticket_id__lte=bounds[1])
    ratings = rated.aggregate(rated=Count("pk"), satisfied=Count("pk", filter=Q(score__gte=SATISFIED_FROM_SCORE)))
    return {"major_incidents": major, "reopened": reopened, **ratings}


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def service_year(*, organization_id: int | None, day: dt.date) -> tuple[dt.date, dt.date] | None:
    """The contract's service year containing `day` (first and last day, inclusive): from the
    contract's start date, a year at a time, the last one ending with the contract (e.g.
    2025-06-27..2026-06-26). The purchaser's contract covering the day (any purchaser's, the earliest,
    without one); None when no contract covers it. One query."""
    contracts = Contract.objects.filter(start_date__lte=day, end_date__gte=day)
    if organization_id is not None:
        contracts = contracts.filter(purchaser_id=organization_id)
    row = contracts.order_by("start_date", "pk").values_list("start_date", "end_date").first()
    if row is None:
        return None
    start, end = row
    years = day.year - start.year
    while _add_years(start, years) > day:
        years -= 1
    first = _add_years(start, years)
    return first, min(_add_years(start, years + 1) - dt.timedelta(days=1), end)


def major_incidents_year_to_date(*, period: PeriodLike, scope: ScopeLike, day: dt.date) -> dict[str, Any]:
    """验收 1(3) counts major liability incidents over the contract's service year (target 0 a year):
    the counted tickets of the scope reported from the start of the service year containing `day` up
    to the end of the period (never past the service year), classified major with the purchaser's
    consent. `count` None without a contract covering `day`. Two queries (one without a contract)."""
    year = service_year(organization_id=scope.organization_id, day=day)
    if year is None:
        return {"count": None, "first_day": None, "last_day": None}
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(year[0], dt.time.min, tzinfo=tz)
    end = min(period.end, dt.datetime.combine(year[1] + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    count = Ticket.objects.filter(
        Q(reported_at__gte=start, reported_at__lt=end, kind__in=MAJOR_INCIDENT_KINDS)
        & kpi_ticket_q() & ticket_scope_q(scope) & major_incident_q()
    ).count()
    return {"count": count, "first_day": year[0], "last_day": year[1]}


def major_incident_rows(*, period: PeriodLike, scope: ScopeLike) -> list[dict[str, Any]]:
    """The major liability incidents (验收 1(3)) the KPI counts for the period: the same tickets as
    ticket_figures' `major_incidents` (counted, of MAJOR_INCIDENT_KINDS, classified with the purchaser's
    consent), in report order, as value dicts. One query."""
    return list(
        Ticket.objects.filter(
            Q(reported_at__gte=period.start, reported_at__lt=period.end, kind__in=MAJOR_INCIDENT_KINDS)
            & kpi_ticket_q() & ticket_scope_q(scope) & major_incident_q()
        ).order_by("reported_at", "pk").values(
            "number", "kind", "severity", "status", "title", "business_system__name", "reported_at", "resolved_at",
            "major_incident_reason")
    )
