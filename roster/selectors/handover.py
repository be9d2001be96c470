"""What a handover (交接班) carries over besides the people's own notes: the open items other apps
provide. The roster offers this registry and never imports those apps; the tickets app registers its
open tickets in TicketsConfig.ready() (tickets.selectors.handover.handover_open_items)."""

from collections.abc import Callable, Iterable

from core.registry import Registry

# A provider: callable(*, user, shift) -> rows {ticket, title, remaining_minutes, note}.
OpenItemsProvider = Callable[..., Iterable[dict]]

HANDOVER_OPEN_ITEMS: Registry[OpenItemsProvider] = Registry("handover open items")


def handover_open_items_register(owner: str, provider: OpenItemsProvider) -> None:
    HANDOVER_OPEN_ITEMS.register(owner, provider)


def handover_open_items_for(*, user, shift) -> list[dict]:
    """The open items of every registered provider, in registration order (none registered: [])."""
    return [row for provider in HANDOVER_OPEN_ITEMS.entries() for row in provider(user=user, shift=shift)]
