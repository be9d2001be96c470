"""Regrade (issue 15 item 8): the severity of a ticket after it was reported.

Raising is the provider's to do and takes effect at once: a fault raised to P1 gets the clocks P1
calls for that it lacks (the restore clock), started at the ORIGINAL report time, and its outage record
from that time. Lowering a fault's or security incident's severity would move the figures in the
provider's favour (a P1 leaves the restore clock's figure), so the provider's downgrade is an
exclusion of kind "downgrade" (tickets.services.exclusions) that takes effect only once an approver of
the purchaser confirms it; until then the ticket is measured at its old severity. The purchaser's own
users lowering its own ticket need nobody's consent (core.consent's own act). Every change of severity
is a 调整级别 event on the timeline.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_is_provider_staff
from core.exceptions import PermissionDenied, ValidationFailed
from core.limits import REASON_MAX_LENGTH, text_lengths_check

from ..models import DowntimeRecord, Exclusion, ExclusionKind, Severity, Ticket, TicketEvent, TicketKind
from .events import ticket_event_record
from .exclusions import exclusion_open
from .sla import heavy_protection_applies, sla_clocks_add_missing
from .tickets import ticket_lock
from .transitions import ticket_action_check

# Most severe first: P1 system down … P4 minor.
SEVERITY_ORDER = (Severity.P1, Severity.P2, Severity.P3, Severity.P4)
INCIDENT_KINDS = (TicketKind.FAULT, TicketKind.SECURITY)


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


@transaction.atomic
def ticket_regrade(*, actor: User, ticket: Ticket, severity: str, reason: str = "",
                   now: dt.datetime | None = None) -> Ticket | Exclusion:
    """8.2.12 (the clocks and targets a severity calls for): change `ticket`'s severity. Returns the ticket when the change took effect, or the downgrade
    exclusion when it waits for the purchaser (its state "requested"). Same severity: nothing."""
    now = now or timezone.now()
    text_lengths_check(reason=(reason, REASON_MAX_LENGTH))
    if severity not in Severity.values:
        raise ValidationFailed(fields={"severity": [_("级别无效")]})
    ticket = ticket_lock(ticket)
    ticket_action_check(action="regrade", user=actor, ticket=ticket)
    if severity == ticket.severity:
        return ticket
    staff = user_is_provider_staff(actor)
    raising = SEVERITY_ORDER.index(severity) < SEVERITY_ORDER.index(ticket.severity)
    if raising:
        if not staff:
            raise PermissionDenied(_("提高级别由服务商操作；如需提高，请在评论中说明"))
        return _raise(actor=actor, ticket=ticket, severity=severity, reason=reason.strip(), now=now)
    if ticket.kind not in INCIDENT_KINDS:
        # A resource adjustment's or service request's severity decides no clock: no figure moves.
        return _set(actor=actor, ticket=ticket, severity=severity, reason=reason.strip(), now=now)
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("降低故障或安全事件的级别须说明理由（待采购人确认）")]})
    exclusion = exclusion_open(
        actor=actor, kind=ExclusionKind.DOWNGRADE, reason=reason, ticket=ticket, business_system=ticket.business_system,
        effective_at=ticket.reported_at, severity_from=ticket.severity, severity_to=severity, now=now,
    )
    return ticket if exclusion.counts else exclusion


def _set(*, actor: User, ticket: Ticket, severity: str, reason: str, now: dt.datetime, data: dict | None = None) -> Ticket:
    before = ticket.severity
    ticket.severity = severity
    ticket.updated_at = now
    ticket.save(update_fields=["severity", "next_due_at", "updated_at"])
    ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.REGRADED, actor=actor, at=now, note=reason,
                        data={"from": before, "to": severity, **(data or {})})
    return ticket


def _raise(*, actor: User, ticket: Ticket, severity: str, reason: str, now: dt.datetime) -> Ticket:
    """Caller holds the row lock. The clocks the new severity adds start at the report time; a fault
    raised to P1 opens its outage record from the report time (to its resolve time when resolved)."""
    before = ticket.severity
    ticket.severity = severity  # the clocks are chosen for the new severity
    heavy = ticket.kind == TicketKind.RESOURCE and heavy_protection_applies(
        business_system=ticket.business_system, at=ticket.reported_at)
    added = sla_clocks_add_missing(ticket=ticket, at=now, heavy_important=heavy)
    data: dict = {"clocks_added": {c.name: {"target_minutes": c.target_minutes, "started_at": _iso(c.started_at),
                                            "due_at": _iso(c.due_at), "stopped_at": _iso(c.stopped_at)} for c in added}}
    if ticket.kind == TicketKind.FAULT and severity == Severity.P1 and not ticket.downtimes.exists():
        record = DowntimeRecord.objects.create(
            ticket=ticket, business_system=ticket.business_system, start=ticket.reported_at, end=ticket.resolved_at,
            created_at=now,
        )
        data["downtime"] = {"id": record.pk, "start": _iso(record.start), "end": _iso(record.end)}
    ticket.severity = before
    return _set(actor=actor, ticket=ticket, severity=severity, reason=reason, now=now, data=data)


__all__ = ["SEVERITY_ORDER", "ticket_regrade"]
