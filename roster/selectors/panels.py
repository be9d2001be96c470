"""What other apps show on a shift's duty log and handover pages, without the roster importing them.

An app registers a provider in its AppConfig.ready(): `shift_panel_register(owner, provider)`, where
`provider(user=, shift=)` returns a panel {"title", "rows": [{"text", "status", "url"}], "empty"} or
None (routine registers the shift's inspection rounds). The roster's pages call `shift_panels`; the
roster's models and services stay unaware of them."""

from __future__ import annotations

from collections.abc import Callable

from core.registry import Registry

ShiftPanelProvider = Callable[..., dict | None]

SHIFT_PANELS: Registry[ShiftPanelProvider] = Registry("shift panels")


def shift_panel_register(owner: str, provider: ShiftPanelProvider) -> None:
    SHIFT_PANELS.register(owner, provider)


def shift_panels(*, user, shift) -> list[dict]:
    """The panels of every registered provider, in registration order (no shift or none registered: [])."""
    if shift is None:
        return []
    return [panel for panel in (provider(user=user, shift=shift) for provider in SHIFT_PANELS.entries()) if panel]
