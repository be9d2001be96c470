"""What the monitoring intake may do to a ticket besides opening it (ticket_create, channel 监控告警)
and reopening it (ticket_reopen): record that more alerts joined it, and that the monitor saw the
group recover. Neither changes the status: an engineer still resolves the ticket."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_is_provider_staff
from core.exceptions import PermissionDenied

# OPEN_STATUSES, Severity, Ticket and TicketKind are also the vocabulary the monitoring intake speaks:
# it imports them from here (tickets' services), never from tickets.models (.importlinter).
from ..models import OPEN_STATUSES as OPEN_STATUSES
from ..models import Severity, Ticket, TicketEvent
from ..models import TicketKind as TicketKind
from .events import ticket_event_record
from .tickets import _downtime_set_end, _lock


def _check_actor(actor: User) -> None:
    if not user_is_provider_staff(actor):
        raise PermissionDenied(_("只有服务商（监控接入）可以记录告警"))


@transaction.atomic
def ticket_alerts_attach(*, actor: User, ticket: Ticket, note: str, data: dict, now: dt.datetime | None = None) -> TicketEvent:
    """A timeline event "告警合并": new alerts of the ticket's open group (data: their count and ids)."""
    _check_actor(actor)
    now = now or timezone.now()
    return ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.ALERTS_ATTACHED, actor=actor, at=now, note=note, data=data)


@transaction.atomic
def ticket_monitor_recover(
    *, actor: User, ticket: Ticket, recovered_at: dt.datetime, note: str = "", data: dict | None = None,
    now: dt.datetime | None = None,
) -> TicketEvent:
    """A timeline event "监控恢复" at `recovered_at` (the latest end of the group's alerts). A P1's open
    outage record ends there; the ticket itself stays as it is."""
    _check_actor(actor)
    now = now or timezone.now()
    ticket = _lock(ticket)
    recovered_at = min(recovered_at, now)
    if ticket.severity == Severity.P1:
        open_records = ticket.downtimes.filter(end__isnull=True, start__lte=recovered_at)
        _downtime_set_end(open_records, end=recovered_at, now=now)
    payload = {"recovered_at": timezone.localtime(recovered_at).isoformat(), **(data or {})}
    return ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.MONITOR_RECOVERED, actor=actor, at=now, note=note, data=payload)
