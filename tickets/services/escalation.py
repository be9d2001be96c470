"""SLA escalation: at 50 % and 80 % of a clock's target warn the assignee (or, unassigned, the people
on duty); at breach tell the duty leaders and project managers. Exactly once per ticket, clock and
threshold: an SlaEscalation row (unique clock+threshold) is written in the same transaction as the
notices, whose dedupe keys repeat the same triple; concurrent scans skip rows another scan holds.
"""

import datetime as dt
import logging

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.roles import Role
from accounts.selectors import users_with_role
from core.services import notification_send
from roster.selectors.calendar import CalendarDataMissing, WorkingDays, working_minutes_between
from roster.selectors.duty import duty_contacts

from ..models import SlaClock, SlaEscalation, TicketEvent, clock_label
from ..selectors.sla import sla_elapsed_seconds, sla_met
from .events import ticket_event_record
from .notify import ticket_url
from .sla import ESCALATION_THRESHOLDS, sla_clock_next_escalation_set, sla_clocks_calendar_retry

logger = logging.getLogger(__name__)

BATCH = 200


def sla_escalation_due_ids(*, now: dt.datetime, limit: int = BATCH) -> list[int]:
    """Running clocks whose next threshold has come (the partial index sla_clock_escalation_idx)."""
    return list(
        SlaClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True, next_escalation_at__lte=now)
        .order_by("next_escalation_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def _reached(clock: SlaClock, now: dt.datetime) -> list[int]:
    """Thresholds whose moment has passed: 50 %/80 % once that share of the target has elapsed,
    breach once the target has (met means strictly less than it)."""
    try:
        exact = working_minutes_between(clock.started_at, now, clock.calendar) - clock.paused_minutes
    except CalendarDataMissing:
        return []
    reached = []
    for threshold in ESCALATION_THRESHOLDS:
        if threshold == SlaEscalation.Threshold.BREACH:
            if clock.breached or not sla_met(elapsed_seconds=sla_elapsed_seconds(exact), target_minutes=clock.target_minutes):
                reached.append(threshold)
        elif exact >= clock.target_minutes * threshold / 100:
            reached.append(threshold)
    return reached


def _recipients(clock: SlaClock, threshold: int, now: dt.datetime) -> list:
    ticket = clock.ticket
    if threshold == SlaEscalation.Threshold.BREACH:
        people = list(users_with_role(Role.DUTY_LEADER, Role.PROJECT_MANAGER))
        if ticket.assignee is not None:
            people.insert(0, ticket.assignee)
        return people
    if ticket.assignee is not None:
        return [ticket.assignee]
    return duty_contacts(at=now)


def sla_clock_escalate(*, clock_id: int, now: dt.datetime | None = None) -> list[int]:
    """Clause 8.1.8 (7×24 watch, emergency response): Announce the thresholds a clock has reached and not yet
    announced. Returns those announced by this call (empty when another run did it, or the clock stopped
    meanwhile)."""
    now = now or timezone.now()
    announced: list[int] = []
    with transaction.atomic():
        qs = SlaClock.objects.select_related("ticket", "ticket__assignee")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        clock = qs.filter(pk=clock_id, stopped_at__isnull=True, paused_at__isnull=True).first()
        if clock is None:
            return announced  # stopped, paused, gone, or being handled by a concurrent run
        done = set(clock.escalations.values_list("threshold", flat=True))
        pending = [threshold for threshold in _reached(clock, now) if threshold not in done]
        for threshold in pending:
            # Several thresholds at once (the scheduler was down, or a clock found late): only the highest
            # is announced; the lower ones are marked passed without a notice (recipients empty), so nobody
            # gets a "50 %" warning for a ticket already past due.
            superseded = threshold != max(pending)
            recipients = [] if superseded else _recipients(clock, threshold, now)
            try:
                with transaction.atomic():
                    SlaEscalation.objects.create(
                        clock=clock, threshold=threshold, at=now, recipients=[u.pk for u in recipients]
                    )
            except IntegrityError:
                continue  # announced by a concurrent run
            if superseded:
                continue
            _announce(clock, threshold, recipients, now)
            announced.append(threshold)
        if SlaEscalation.Threshold.BREACH in announced and not clock.breached:
            clock.breached = True
        sla_clock_next_escalation_set(clock=clock, days=WorkingDays())
        clock.save(update_fields=["breached", "next_escalation_at"])
    return announced


def _announce(clock: SlaClock, threshold: int, recipients: list, now: dt.datetime) -> None:
    ticket = clock.ticket
    label = clock_label(clock.name, clock.stop_on, ticket.kind)
    due = timezone.localtime(clock.due_at).strftime("%m-%d %H:%M") if clock.due_at else "—"
    if threshold == SlaEscalation.Threshold.BREACH:
        title = f"【SLA 超时】{ticket.number} {label}时限已超"
        kind = "sla_breach"
    else:
        title = f"【SLA 预警 {threshold}%】{ticket.number} {label}时限已用 {threshold}%"
        kind = "sla_warning"
    body = f"{ticket.title}\n{label}时限 {clock.target_minutes} 分钟，到期 {due}。"
    notification_send(
        recipients=recipients, kind=kind, title=title, body=body, url=ticket_url(ticket),
        dedupe_key=f"sla:{clock.pk}:{threshold}", webhook=threshold == SlaEscalation.Threshold.BREACH,
    )
    ticket_event_record(
        ticket=ticket, kind=TicketEvent.Kind.SLA_ESCALATED, actor=None, at=now, note=title,
        data={"clock": clock.name, "threshold": threshold, "recipients": [u.pk for u in recipients]},
    )


def sla_escalate(*, now: dt.datetime | None = None, limit: int = BATCH) -> int:
    """One scan: a bounded batch of due clocks, each in its own transaction. Returns notices sent."""
    now = now or timezone.now()
    sla_clocks_calendar_retry()  # clocks waiting for a newly entered calendar year
    count = 0
    for clock_id in sla_escalation_due_ids(now=now, limit=limit):
        try:
            count += len(sla_clock_escalate(clock_id=clock_id, now=now))
        except Exception:  # one broken clock must not stop the others
            logger.exception("escalation of clock %s failed", clock_id)
    return count
