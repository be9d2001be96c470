"""Thin, idempotent periodic tasks of the tickets app."""

from celery import shared_task
from django.utils import timezone

from .models import Ticket
from .services.escalation import sla_escalate
from .services.tickets import ticket_auto_close_due, ticket_close


@shared_task(name="tickets.escalate_sla", ignore_result=True)
def escalate_sla() -> int:
    """Every minute: announce the SLA thresholds reached (a bounded batch; exactly once each)."""
    return sla_escalate(now=timezone.now())


@shared_task(name="tickets.auto_close", ignore_result=True)
def auto_close() -> int:
    """Close resolved tickets the requester has not confirmed within OPSDESK_AUTO_CLOSE_DAYS."""
    now = timezone.now()
    closed = 0
    for ticket_id in ticket_auto_close_due(now=now):
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is not None:
            closed += ticket_close(actor=None, ticket=ticket, now=now, auto=True).status == Ticket.Status.CLOSED
    return closed

