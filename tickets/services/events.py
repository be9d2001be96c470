"""The one writer of the append-only timeline."""

import datetime as dt

from ..models import Ticket, TicketEvent


def ticket_event_record(
    *, ticket: Ticket, kind: str, actor, at: dt.datetime, from_status: str = "", to_status: str = "",
    note: str = "", data: dict | None = None,
) -> TicketEvent:
    """Append one row to the ticket's timeline. Call inside the transaction of the change it records."""
    return TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, at=at, from_status=from_status, to_status=to_status, note=note,
        data=data or {},
    )
