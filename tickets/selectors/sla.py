"""The one place that turns a clock into figures, for the API, the pages and the reports."""

import copy
import datetime as dt
import math
from collections.abc import Iterable

from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from core.consent import consent_counts_q
from roster.selectors.calendar import WORKING_HOURS, CalendarDataMissing, WorkingDays, working_minutes_between

from ..models import ClockName, Severity, SlaClock, SlaPolicy, SlaPolicyChange, Ticket, TicketKind

# ---------------------------------------------------------------- met means strictly less than
# 验收 1(4)(5): 小于 15 / 30 分钟. A clock is met when its elapsed time, to the second, is strictly less
# than its target: 14:59 is met, 15:00 is not. The one definition: the services set `breached` with it
# when a clock stops, the figures below use it for running clocks, and every count, filter and badge
# (API, pages, PDFs) reads `breached` or `sla_due_passed_q`, which agree with it.


def sla_elapsed_seconds(exact_minutes: float) -> int:
    """Whole seconds of a business-minute figure (a started second is not counted: to the second)."""
    return max(0, math.floor(exact_minutes * 60 + 1e-6))


def minutes_shown(elapsed_seconds: int) -> int:
    """Whole minutes shown for a duration of `elapsed_seconds`: a started minute counts whole (13 min 24 s
    reads 14 分钟). The one rounding rule for every duration shown to people: a clock's elapsed minutes
    and an outage's length (the downtime report prints both for the same interval; issue 19 item 9)."""
    return math.ceil(elapsed_seconds / 60)


def duration_minutes_shown(exact_minutes: float) -> int:
    """`minutes_shown` of a duration in exact (fractional) minutes, counted to the second first."""
    return minutes_shown(sla_elapsed_seconds(exact_minutes))


def sla_met(*, elapsed_seconds: int, target_minutes: int) -> bool:
    """The rule: met when the elapsed time is strictly less than the target."""
    return elapsed_seconds < target_minutes * 60


def sla_due_passed_q(now: dt.datetime, prefix: str = "") -> Q:
    """A running clock whose target time has been reached at `now` (due_at is the moment elapsed equals
    the target, which is already not met)."""
    return Q(**{f"{prefix}due_at__lte": now})


def _exact_elapsed(clock: SlaClock, *, until: dt.datetime, days: WorkingDays | None) -> float:
    """Business minutes from the start until `until`, pauses excluded. The running pause (if any)
    is excluded by passing its start as `until`."""
    return max(0.0, working_minutes_between(clock.started_at, until, clock.calendar, days=days) - clock.paused_minutes)


def sla_clock_figures(clock: SlaClock, *, now: dt.datetime, days: WorkingDays | None = None) -> dict:
    """name, label (tickets.models.clock_label), target_minutes, due_at, stopped_at, elapsed_seconds, elapsed_minutes, paused_minutes, breached,
    remaining_minutes, state ("running" | "paused" | "met" | "breached" | "unknown"), calendar,
    calendar_warning.

    A clock is met when its elapsed seconds are strictly less than the target (`sla_met`), i.e. when
    it stopped before due_at. Elapsed minutes, for display, count a started minute as a whole one.
    `remaining_minutes` is negative once breached. `days` lets a list share one calendar cache."""
    figures = {
        "name": clock.name,
        "label": clock.label,
        "target_minutes": clock.target_minutes,
        "calendar": clock.calendar,
        "due_at": clock.due_at,
        "stopped_at": clock.stopped_at,
        "paused_at": clock.paused_at,
        "paused_minutes": clock.paused_minutes,
        "calendar_warning": clock.calendar_warning,
    }
    if clock.stopped_at is not None:
        elapsed = clock.elapsed_minutes
        figures.update(
            elapsed_seconds=clock.elapsed_seconds,
            elapsed_minutes=elapsed,
            breached=clock.breached,
            remaining_minutes=None if elapsed is None else clock.target_minutes - elapsed,
            state="unknown" if elapsed is None else ("breached" if clock.breached else "met"),
        )
        return figures
    until = clock.paused_at or now
    try:
        exact = _exact_elapsed(clock, until=until, days=days)
    except CalendarDataMissing as missing:
        figures.update(
            elapsed_seconds=None,
            elapsed_minutes=None,
            breached=clock.breached,
            remaining_minutes=None,
            state="breached" if clock.breached else "unknown",
            calendar_warning=clock.calendar_warning or str(missing),
        )
        return figures
    seconds = sla_elapsed_seconds(exact)
    breached = clock.breached or not sla_met(elapsed_seconds=seconds, target_minutes=clock.target_minutes)
    figures.update(
        elapsed_seconds=seconds,
        elapsed_minutes=minutes_shown(seconds),
        breached=breached,
        remaining_minutes=math.floor(clock.target_minutes - exact),
        state="paused" if clock.paused_at else ("breached" if breached else "running"),
    )
    return figures


def ticket_sla(ticket: Ticket, *, now: dt.datetime, days: WorkingDays | None = None) -> dict[str, dict]:
    """{"response": {...}, "resolve": {...}, "restore": {...}} holding only the clocks that apply.

    Uses `ticket.clock_list()`, so prefetch the clocks when reading many tickets."""
    days = days or WorkingDays()
    by_name = {clock.name: clock for clock in ticket.clock_list()}
    return {
        name: sla_clock_figures(by_name[name], now=now, days=days) for name in ClockName.values if name in by_name
    }


def sla_working_days_for(tickets, *, now: dt.datetime) -> WorkingDays:
    """One calendar for a page of tickets, with every year their running working-hours clocks count
    through read in one query (an open request from 2024 shown in 2026 needs three years)."""
    days = WorkingDays()
    years = [
        (timezone.localtime(clock.started_at).year, timezone.localtime(clock.paused_at or now).year)
        for ticket in tickets
        for clock in ticket.clock_list()
        if clock.calendar == WORKING_HOURS and clock.stopped_at is None
    ]
    if years:
        days.load_years(min(first for first, _last in years), max(last for _first, last in years))
    return days


# Which clocks a report counts, as database conditions on SlaClock (the KPIs of the reports app and
# the ticket list's clock filter use these, so a KPI's link lists exactly the tickets it counted).
CLOCK_STATES = ("counted", "missed", "unstopped")


def clock_counted_q(now: dt.datetime) -> Q:
    """Clocks that count at `now`: stopped, breached, or running (not paused) at or past their due time.
    A clock still running within its target, or paused before its due time, is left out until it stops."""
    return Q(stopped_at__isnull=False) | Q(breached=True) | (Q(paused_at__isnull=True) & sla_due_passed_q(now))


def clock_stopped_by_cancel_q(prefix: str = "") -> Q:
    """A clock stopped only because its ticket was cancelled: it never met anything. It matters when
    the cancellation does not count (no confirmed exclusion): such a clock is a miss, not a response."""
    return Q(**{f"{prefix}ticket__status": Ticket.Status.CANCELLED, f"{prefix}stopped_at": F(f"{prefix}ticket__cancelled_at")})


def clock_responded_q() -> Q:
    """A clock that really stopped (at its milestone, not by a cancellation)."""
    return Q(stopped_at__isnull=False) & ~clock_stopped_by_cancel_q()


def clock_within_q() -> Q:
    """Counted clocks that met their target: stopped at their milestone, not breached."""
    return clock_responded_q() & Q(breached=False)


def clock_state_q(state: str, *, now: dt.datetime) -> Q:
    """"counted", "missed" (counted, not within target) or "unstopped" (counted, never stopped: e.g.
    a fault past its response time that nobody acknowledged)."""
    counted = clock_counted_q(now)
    if state == "counted":
        return counted
    if state == "missed":
        return counted & ~clock_within_q()
    if state == "unstopped":
        return counted & ~clock_responded_q()
    raise ValueError(state)


def clock_missed_q(now: dt.datetime) -> Q:
    """A clock that has missed its target at `now` (8.2.12): breached, or still running past its due time."""
    return Q(breached=True) | (Q(stopped_at__isnull=True) & sla_due_passed_q(now))


def clock_state_case(now: dt.datetime, prefix: str = "", *, missing: str | None = None) -> Case:
    """A clock's state at `now`, in SQL: met, breached, or running. A running clock past its due time
    counts as breached, as in the KPIs. With `missing`, a row without the clock (a LEFT JOIN through
    `prefix`) reads as that word. (Computed in the query: a pathological month lists ~11 000 clocks,
    whose timestamps would otherwise be loaded only to be compared.)"""
    state = Case(
        When(**{f"{prefix}stopped_at__isnull": False, f"{prefix}breached": True}, then=Value("breached")),
        When(**{f"{prefix}stopped_at__isnull": False}, then=Value("met")),
        When(Q(**{f"{prefix}breached": True}) | sla_due_passed_q(now, prefix), then=Value("breached")),
        default=Value("running"),
        output_field=CharField(),
    )
    if missing is None:
        return state
    return Case(When(**{f"{prefix}pk__isnull": True}, then=Value(missing)), default=state)


# The contract's clock figures (clause 8.2.12; 验收 1(4), 1(5); 1.1 and 2.1 for resource adjustments):
# figure key -> (clock, ticket kinds, severity or None). The reports' KPIs, the monthly report's
# per-system table and its response chart count these clocks and no others.
CLOCK_FIGURES: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "response_time": (ClockName.RESPONSE, (TicketKind.FAULT, TicketKind.SECURITY), None),
    "resolve_time": (ClockName.RESOLVE, (TicketKind.FAULT,), None),
    "restore_time": (ClockName.RESTORE, (TicketKind.FAULT, TicketKind.SECURITY), Severity.P1),
    "resource_on_time": (ClockName.RESOLVE, (TicketKind.RESOURCE,), None),
}


def clock_figure_q(key: str) -> Q:
    """The clocks a contract figure counts (8.2.12), as a condition on SlaClock: e.g. "restore_time" is
    the restore clock of P1 faults and security incidents. KeyError for an unknown key."""
    name, kinds, severity = CLOCK_FIGURES[key]
    q = Q(name=name, ticket__kind__in=kinds)
    return q & Q(ticket__severity=severity) if severity else q


def sla_policies_with_consented_versions(*, kind: str, organization_id: int, reported_at: dt.datetime):
    """The active policies of `kind`, each annotated with the latest version the purchaser consented to
    for a ticket reported at `reported_at` (`version_minutes`, `version_pausable`, `version_active`; None
    where there is none): a SlaPolicyChange counts only while confirmed (core.consent.consent_counts_q)
    and only for tickets reported from its `effective_from` on. Still one query."""
    latest = SlaPolicyChange.objects.filter(
        consent_counts_q(), policy=OuterRef("pk"), organization_id=organization_id, effective_from__lte=reported_at,
    ).order_by("-effective_from", "-pk")
    return SlaPolicy.objects.filter(active=True, kind=kind).order_by("pk").annotate(
        version_minutes=Subquery(latest.values("target_minutes")[:1]),
        version_pausable=Subquery(latest.values("pausable")[:1]),
        version_active=Subquery(latest.values("active")[:1]),
    )


def _as_consented(policy: SlaPolicy) -> SlaPolicy | None:
    """The policy with the figures of its consented version (None: the purchaser agreed to drop it)."""
    if getattr(policy, "version_minutes", None) is None:
        return policy
    if not policy.version_active:
        return None
    version = copy.copy(policy)
    version.target_minutes, version.pausable = policy.version_minutes, policy.version_pausable
    return version


def sla_policies_for(
    *, kind: str, severity: str, resource: str = "", direction: str = "", heavy_important: bool = False,
    policies: Iterable[SlaPolicy] | None = None, organization_id: int | None = None,
    reported_at: dt.datetime | None = None,
) -> dict[str, SlaPolicy]:
    """Clauses 8.2.12 (fault and security response 15 min, fault cleared 30 min, P1 restored 4 h), 8.2.3 and 1.1
    (resource adjustment 4 h, in key periods for important systems too), 2.1 (storage decrease 8 h): the
    targets are SlaPolicy rows. The policy per clock name for a ticket of this shape: among the active
    policies that match, the most specific wins (heavy-protection rule first, then severity, resource,
    direction; lowest id on a tie). A clock without a matching policy does not apply. One query, none
    when `policies` (active ones, in id order) are given.

    With the ticket's `organization_id` and `reported_at` (a new ticket's clocks), a contract policy
    carries the looser figures its purchaser consented to from a date on (issue 15 item 5); without
    them (the report's contract targets), the policy rows as they are."""
    if policies is None:
        if organization_id is not None and reported_at is not None:
            policies = sla_policies_with_consented_versions(kind=kind, organization_id=organization_id, reported_at=reported_at)
        else:
            policies = SlaPolicy.objects.filter(active=True, kind=kind).order_by("pk")
    chosen: dict[str, tuple[tuple, SlaPolicy]] = {}
    for policy in policies:
        if policy.kind != kind:
            continue
        if policy.severity and policy.severity != severity:
            continue
        if policy.resource and policy.resource != resource:
            continue
        if policy.direction and policy.direction != direction:
            continue
        if policy.heavy_protection_important and not heavy_important:
            continue
        rank = (policy.heavy_protection_important, bool(policy.severity), bool(policy.resource), bool(policy.direction))
        if policy.clock not in chosen or rank > chosen[policy.clock][0]:
            chosen[policy.clock] = (rank, policy)
    consented = {name: _as_consented(policy) for name, (_rank, policy) in chosen.items()}
    return {name: policy for name, policy in consented.items() if policy is not None}


def sla_target_minutes(*, kind: str, clock: str, severity: str = "") -> int | None:
    """The target of `clock` for a ticket of `kind` and `severity` in the active SLA policies (clause
    8.2.12: response 15 min, fault cleared 30 min, P1 restored 4 h), or None when no policy applies.
    Tickets snapshot their targets at creation; this is the target a new ticket would get. One query."""
    policy = sla_policies_for(kind=kind, severity=severity).get(clock)
    return policy.target_minutes if policy else None
