"""Notices to people about tickets, through core's inbox + outbox (sent only after commit)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from core.services import notification_send

from ..models import Ticket

_state = threading.local()


@contextmanager
def ticket_notifications_suppressed() -> Iterator[None]:
    """Replaying history (imports, the demo seeder) must not tell anybody about events long past."""
    previous = getattr(_state, "suppressed", False)
    _state.suppressed = True
    try:
        yield
    finally:
        _state.suppressed = previous


def ticket_notifications_on() -> bool:
    """False inside ticket_notifications_suppressed()."""
    return not getattr(_state, "suppressed", False)


def ticket_notify(*, recipients, kind: str, title: str, body: str = "", url: str = "", **options) -> None:
    """notification_send, unless inside ticket_notifications_suppressed()."""
    if not ticket_notifications_on():
        return
    notification_send(recipients=recipients, kind=kind, title=title, body=body, url=url, **options)


def ticket_url(ticket: Ticket) -> str:
    """The ticket's page (the pages app names it "ticket-detail")."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("ticket-detail", args=[ticket.pk])
    except NoReverseMatch:
        return f"/tickets/{ticket.pk}/"


def ticket_notify_requester(*, ticket: Ticket, kind: str, title: str, body: str = "") -> None:
    """Tell the requester (acknowledged, resolved, pending their input). Call inside the change's transaction."""
    ticket_notify(recipients=[ticket.requester], kind=kind, title=title, body=body, url=ticket_url(ticket))
