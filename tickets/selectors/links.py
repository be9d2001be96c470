"""Links a ticket page offers to other apps' pages about the ticket, shown with its downtime records
(停机记录): e.g. the reports app's downtime report (宕机报告, 8.2.12). Tickets offers this registry and
never imports the apps above it; each registers a provider in its AppConfig.ready(), and the provider
applies its own app's access rule."""

from collections.abc import Callable
from dataclasses import dataclass

from core.registry import Registry


@dataclass(frozen=True)
class TicketLink:
    label: str
    url: str
    download: bool = False


# A provider: callable(*, user, ticket) -> TicketLink | None (None: nothing for this user and ticket).
TicketLinkProvider = Callable[..., TicketLink | None]

TICKET_LINKS: Registry[TicketLinkProvider] = Registry("ticket page links")


def ticket_links_register(owner: str, provider: TicketLinkProvider) -> None:
    TICKET_LINKS.register(owner, provider)


def ticket_links_for(*, user, ticket) -> list[TicketLink]:
    """The links every registered provider offers this user for this ticket, in registration order."""
    links = (provider(user=user, ticket=ticket) for provider in TICKET_LINKS.entries())
    return [link for link in links if link is not None]
