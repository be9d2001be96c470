"""SLA clocks: choose the policies, snapshot them into clocks, stop, pause, resume, restart.

Callers are the ticket services, inside their transaction and holding the ticket's row lock; these
helpers do not lock on their own. Every pause/resume/stop is written to the timeline by the caller's
event helper (clock events carry the clock name and figures in `data`).
"""

import datetime as dt
import math

from django.utils import timezone

from roster.selectors.calendar import CalendarDataMissing, WorkingDays, add_working_minutes, working_minutes_between
from roster.selectors.periods import period_active_at

from ..models import BusinessSystem, SlaClock, SlaEscalation, StopMilestone, Ticket, TicketEvent
from ..selectors.sla import minutes_shown, sla_elapsed_seconds, sla_met, sla_policies_for
from .events import ticket_event_record

ESCALATION_THRESHOLDS = (SlaEscalation.Threshold.HALF, SlaEscalation.Threshold.EIGHTY, SlaEscalation.Threshold.BREACH)


def heavy_protection_applies(*, business_system: BusinessSystem, at: dt.datetime) -> bool:
    """Clause 8.2.3: during a heavy-protection period, important business systems get the tighter targets."""
    return business_system.importance == BusinessSystem.Importance.IMPORTANT and period_active_at(at=at) is not None


def _due(clock: SlaClock, minutes: float, days: WorkingDays) -> dt.datetime:
    return add_working_minutes(clock.started_at, minutes, clock.calendar, days=days)


def _set_due(clock: SlaClock, days: WorkingDays) -> None:
    """due_at = the moment target + paused business minutes have passed since the start; when the
    calendar lacks the year, due_at stays empty and the warning says why."""
    try:
        clock.due_at = _due(clock, clock.target_minutes + clock.paused_minutes, days)
        clock.calendar_warning = ""
    except CalendarDataMissing as missing:
        clock.due_at = None
        clock.calendar_warning = str(missing)


def _set_next_escalation(clock: SlaClock, days: WorkingDays) -> None:
    """The moment of the first threshold not yet announced (None when all are, or no due time)."""
    if clock.stopped_at is not None or clock.paused_at is not None or clock.due_at is None:
        clock.next_escalation_at = None
        return
    done = set(clock.escalations.values_list("threshold", flat=True)) if clock.pk else set()
    for threshold in ESCALATION_THRESHOLDS:
        if threshold in done:
            continue
        if threshold == SlaEscalation.Threshold.BREACH:
            # Announced at due_at: elapsed equal to the target is already not met (sla_met).
            clock.next_escalation_at = clock.due_at
            return
        try:
            clock.next_escalation_at = _due(clock, clock.target_minutes * threshold / 100 + clock.paused_minutes, days)
        except CalendarDataMissing:
            clock.next_escalation_at = None
        return
    clock.next_escalation_at = None


def sla_clocks_build(*, ticket: Ticket, heavy_important: bool, days: WorkingDays | None = None) -> list[SlaClock]:
    """Clause 8.2.12: every clock starts when the fault is reported. The ticket's clocks, not yet saved: the
    matching policies snapshot, all started at reported_at, with due_at and the first escalation moment. Needs
    only the ticket's fields, so ticket_create can write `next_due_at` with the ticket's INSERT and the clocks
    after it."""
    days = days or WorkingDays()
    policies = sla_policies_for(
        kind=ticket.kind, severity=ticket.severity, resource=ticket.resource, direction=ticket.direction,
        heavy_important=heavy_important, organization_id=ticket.organization_id, reported_at=ticket.reported_at,
    )
    clocks = []
    for name, policy in policies.items():
        clock = SlaClock(
            ticket=ticket, name=name, policy=policy, target_minutes=policy.target_minutes, calendar=policy.calendar,
            pausable=policy.pausable, stop_on=policy.stop_on, started_at=ticket.reported_at,
        )
        _set_due(clock, days)
        _set_next_escalation(clock, days)
        clocks.append(clock)
    return clocks


def sla_clocks_add_missing(*, ticket: Ticket, at: dt.datetime, heavy_important: bool = False) -> list[SlaClock]:
    """Clause 8.2.12, regrade (issue 15 item 8): the clocks the ticket's (new) severity calls for that it lacks, e.g.
    the restore clock of a fault raised to P1, started at the ORIGINAL report time like every clock
    (8.2.12). A clock whose stop milestone the ticket has already passed is stopped at that moment, with
    its figures; a running one already past its due time is breached at once. The clocks it has keep the
    target they started with. Caller holds the ticket row lock and saves ticket.next_due_at."""
    days = WorkingDays()
    existing = _clocks(ticket)
    have = {clock.name for clock in existing}
    added = [c for c in sla_clocks_build(ticket=ticket, heavy_important=heavy_important, days=days) if c.name not in have]
    passed = {StopMilestone.ACKNOWLEDGE: ticket.acknowledged_at, StopMilestone.LOCATE: ticket.located_at,
              StopMilestone.RESOLVE: ticket.resolved_at}
    for clock in added:
        stop_at = passed.get(clock.stop_on)
        if stop_at is not None:
            clock.stopped_at = stop_at
            clock.next_escalation_at = None
            try:
                _stop_figures(clock, stop_at, days)
            except CalendarDataMissing as missing:
                clock.calendar_warning = str(missing)
        else:
            clock.breached = clock.due_at is not None and at >= clock.due_at
    SlaClock.objects.bulk_create(added)
    _refresh_next_due(ticket, existing + added)
    return added


def sla_clocks_next_due(clocks: list[SlaClock]) -> dt.datetime | None:
    """The ticket's `next_due_at`: the earliest due time of its running clocks."""
    running = [c.due_at for c in clocks if c.stopped_at is None and c.paused_at is None and c.due_at is not None]
    return min(running) if running else None


def _stop_figures(clock: SlaClock, at: dt.datetime, days: WorkingDays) -> None:
    """elapsed_seconds (to the second), elapsed_minutes (a started minute counts whole, for display)
    and `breached` by the one rule, sla_met. Raises CalendarDataMissing."""
    exact = working_minutes_between(clock.started_at, at, clock.calendar, days=days) - clock.paused_minutes
    clock.elapsed_seconds = sla_elapsed_seconds(exact)
    clock.elapsed_minutes = minutes_shown(clock.elapsed_seconds)
    clock.breached = clock.breached or not sla_met(elapsed_seconds=clock.elapsed_seconds, target_minutes=clock.target_minutes)


def _pause_minutes(clock: SlaClock, at: dt.datetime, days: WorkingDays) -> int:
    # Whole minutes only: a part-minute pause is not credited (never in the provider's favour).
    return math.floor(working_minutes_between(clock.paused_at, at, clock.calendar, days=days))


def _refresh_next_due(ticket: Ticket, clocks: list[SlaClock]) -> None:
    ticket.next_due_at = sla_clocks_next_due(clocks)


def _clocks(ticket: Ticket) -> list[SlaClock]:
    return list(ticket.clocks.select_for_update().order_by("pk"))


_CLOCK_FIELDS = ["due_at", "calendar_warning", "stopped_at", "paused_at", "paused_minutes", "elapsed_minutes",
                 "elapsed_seconds", "breached", "next_escalation_at"]


def sla_clocks_stop(*, ticket: Ticket, milestones: set[str], at: dt.datetime, actor, event_kind_note: str = "") -> None:
    """Stop the running clocks whose stop milestone is in `milestones` at `at` and record each stop.
    Caller holds the ticket row lock and saves ticket.next_due_at."""
    days = WorkingDays()
    clocks = _clocks(ticket)
    for clock in clocks:
        if clock.stopped_at is not None or clock.stop_on not in milestones:
            continue
        if clock.paused_at is not None:
            clock.paused_minutes += _pause_minutes(clock, at, days)
            clock.paused_at = None
        clock.stopped_at = at
        try:
            _stop_figures(clock, at, days)
        except CalendarDataMissing as missing:
            clock.elapsed_minutes = clock.elapsed_seconds = None
            clock.calendar_warning = str(missing)
        clock.next_escalation_at = None
        clock.save(update_fields=_CLOCK_FIELDS)
        ticket_event_record(
            ticket=ticket, kind=TicketEvent.Kind.CLOCK_STOPPED, actor=actor, at=at, note=event_kind_note,
            data={"clock": clock.name, "elapsed_minutes": clock.elapsed_minutes, "target_minutes": clock.target_minutes,
                  "breached": clock.breached},
        )
    _refresh_next_due(ticket, clocks)


def sla_clocks_pause(*, ticket: Ticket, at: dt.datetime, actor, reason: str) -> list[str]:
    """Pause the running clocks whose policy allows it; the others keep running (faults by default).
    Returns the names of the paused clocks. Caller holds the ticket row lock."""
    clocks = _clocks(ticket)
    paused, kept = [], []
    for clock in clocks:
        if clock.stopped_at is not None or clock.paused_at is not None:
            continue
        if not clock.pausable:
            kept.append(clock.name)
            continue
        clock.paused_at = at
        clock.next_escalation_at = None
        # Already past due when paused: it stays breached (filters and reports read the flag).
        clock.breached = clock.breached or (clock.due_at is not None and at >= clock.due_at)
        clock.save(update_fields=["paused_at", "next_escalation_at", "breached"])
        paused.append(clock.name)
    if paused or kept:
        ticket_event_record(
            ticket=ticket, kind=TicketEvent.Kind.CLOCK_PAUSED, actor=actor, at=at, note=reason,
            data={"paused": paused, "not_pausable": kept},
        )
    _refresh_next_due(ticket, clocks)
    return paused


def sla_clocks_resume(*, ticket: Ticket, at: dt.datetime, actor, reason: str = "") -> list[str]:
    """Resume paused clocks: the pause's business minutes are added to paused_minutes and due_at moves
    later by as much. Caller holds the ticket row lock."""
    days = WorkingDays()
    clocks = _clocks(ticket)
    resumed: dict[str, int] = {}
    for clock in clocks:
        if clock.stopped_at is not None or clock.paused_at is None:
            continue
        try:
            minutes = _pause_minutes(clock, at, days)
        except CalendarDataMissing as missing:
            minutes = 0
            clock.calendar_warning = str(missing)
        clock.paused_minutes += minutes
        clock.paused_at = None
        _set_due(clock, days)
        _set_next_escalation(clock, days)
        clock.save(update_fields=_CLOCK_FIELDS)
        resumed[clock.name] = minutes
    if resumed:
        ticket_event_record(
            ticket=ticket, kind=TicketEvent.Kind.CLOCK_RESUMED, actor=actor, at=at, note=reason,
            data={"paused_minutes": resumed},
        )
    _refresh_next_due(ticket, clocks)
    return list(resumed)


def sla_clocks_restart(*, ticket: Ticket, at: dt.datetime, actor, reason: str) -> list[str]:
    """Reopen: clocks that stopped at resolve (or at locate, for a P1 reopened before it was cleared)
    run again from where they started. Reopening gives no credit (issue 15 item 7): the time the
    ticket sat resolved counts, so a clock past its target at the reopening is breached at once, and a
    clock that was breached stays breached."""
    days = WorkingDays()
    clocks = _clocks(ticket)
    restarted: dict[str, str] = {}
    for clock in clocks:
        if clock.stopped_at is None or clock.stop_on == StopMilestone.ACKNOWLEDGE:
            continue
        if clock.stop_on == StopMilestone.LOCATE and ticket.located_at is not None:
            continue  # it was really located; reopening does not undo that
        restarted[clock.name] = timezone.localtime(clock.stopped_at).isoformat()
        clock.stopped_at = None
        clock.elapsed_minutes = clock.elapsed_seconds = None
        _set_due(clock, days)
        clock.breached = clock.breached or (clock.due_at is not None and at >= clock.due_at)
        _set_next_escalation(clock, days)
        clock.save(update_fields=_CLOCK_FIELDS)
    if restarted:
        ticket_event_record(
            ticket=ticket, kind=TicketEvent.Kind.CLOCK_RESUMED, actor=actor, at=at, note=reason,
            data={"restarted": True, "stopped_at": restarted, "credit_minutes": 0},
        )
    _refresh_next_due(ticket, clocks)
    return list(restarted)


def sla_clock_next_escalation_set(*, clock: SlaClock, days: WorkingDays | None = None) -> None:
    """Recompute next_escalation_at after a threshold was announced. Caller holds the clock's lock."""
    _set_next_escalation(clock, days or WorkingDays())


def sla_clocks_calendar_retry(*, limit: int = 100) -> int:
    """Clocks that warned because the working-day calendar lacked a year get their due time (and, when
    already stopped, their elapsed minutes) once the year has been entered. Run by the escalation scan;
    a bounded batch. Returns the number of clocks completed."""
    from django.db import transaction

    ids = list(
        SlaClock.objects.exclude(calendar_warning="").filter(due_at__isnull=True).order_by("pk").values_list("pk", flat=True)[:limit]
    )
    ids += list(
        SlaClock.objects.exclude(calendar_warning="")
        .filter(stopped_at__isnull=False, elapsed_minutes__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    fixed = 0
    for clock_id in dict.fromkeys(ids):
        with transaction.atomic():
            ticket_id = SlaClock.objects.filter(pk=clock_id).values_list("ticket_id", flat=True).first()
            if ticket_id is None:
                continue
            ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
            days = WorkingDays()
            clocks = _clocks(ticket)
            for clock in clocks:
                if clock.pk != clock_id:
                    continue
                _set_due(clock, days)
                if clock.stopped_at is not None and clock.elapsed_minutes is None and not clock.calendar_warning:
                    try:
                        _stop_figures(clock, clock.stopped_at, days)
                    except CalendarDataMissing as missing:
                        clock.calendar_warning = str(missing)
                _set_next_escalation(clock, days)
                clock.save(update_fields=_CLOCK_FIELDS)
                fixed += not clock.calendar_warning
            _refresh_next_due(ticket, clocks)
            ticket.save(update_fields=["next_due_at"])
    return fixed
