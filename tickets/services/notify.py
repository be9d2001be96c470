"""Notices to people about tickets, through core's inbox + outbox (sent only after commit)."""

from core.services import notification_send

from ..models import Ticket


def ticket_url(ticket: Ticket) -> str:
    """The ticket's page (the pages app names it "ticket-detail")."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("ticket-detail", args=[ticket.pk])
    except NoReverseMatch:
        return f"/tickets/{ticket.pk}/"


def ticket_notify_requester(*, ticket: Ticket, kind: str, title: str, body: str = "") -> None:
    """Tell the requester (acknowledged, resolved, pending their input). Call inside the change's transaction."""
    notification_send(recipients=[ticket.requester], kind=kind, title=title, body=body, url=ticket_url(ticket))
