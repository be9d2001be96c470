"""Panels that a higher app adds to a lower app's page without the lower app importing it.

A page names a slot ("change_detail"); apps register providers for it in their AppConfig.ready();
the page's view calls `panels_for(slot, user=..., obj=...)` and its template includes each panel's
template with the panel's context. A provider returns None when it has nothing to show."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict = field(default_factory=dict)


Provider = Callable[..., Panel | None]
_PROVIDERS: dict[str, list[Provider]] = {}


def panel_register(slot: str, provider: Provider) -> None:
    """Call from AppConfig.ready(); registering the same provider twice keeps one."""
    providers = _PROVIDERS.setdefault(slot, [])
    if provider not in providers:
        providers.append(provider)


def panels_for(slot: str, *, user, obj) -> list[Panel]:
    return [panel for provider in _PROVIDERS.get(slot, ()) if (panel := provider(user=user, obj=obj)) is not None]
