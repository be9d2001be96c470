"""What other apps show on a shift's duty log and handover pages, without the roster importing them.

An app registers a provider in its AppConfig.ready(): `shift_panel_register(provider)`, where
`provider(user=, shift=)` returns a panel {"title", "rows": [{"text", "status", "url"}], "empty"} or
None. The roster's pages call `shift_panels`; the roster's models and services stay unaware of them."""

from __future__ import annotations

from collections.abc import Callable

ShiftPanelProvider = Callable[..., dict | None]

_PROVIDERS: list[ShiftPanelProvider] = []


def shift_panel_register(provider: ShiftPanelProvider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def shift_panels(*, user, shift) -> list[dict]:
    if shift is None:
        return []
    return [panel for panel in (provider(user=user, shift=shift) for provider in _PROVIDERS) if panel]
