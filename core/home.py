"""The home page's panels: what each role needs to act on now.

Apps register HomePanel entries from their AppConfig.ready() (`home_panels_register`, into the
HOME_PANELS registry, a core.registry.Registry like the navigation's), so core imports no app. A panel's `build(user=, now=)` reads its own app's selectors (the same ones its pages use:
no second copy of queue or KPI logic) and returns the template context, or None to stay hidden."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from .registry import Registry


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    build: Callable[..., dict | None]
    roles: frozenset[str] = field(default_factory=frozenset)  # who sees it; empty: nobody but superusers
    order: int = 100
    wide: bool = False  # takes the whole row (a table) rather than a grid cell


HOME_PANELS: Registry[HomePanel] = Registry("home panels")


def home_panels_register(owner: str, *panels: HomePanel) -> None:
    """An app's panels (its AppConfig.ready() calls this with its label and its HOME_PANELS)."""
    HOME_PANELS.register(owner, *panels)


def home_panels_for(*, user, now: dt.datetime) -> list[dict]:
    from accounts.selectors import user_roles

    roles = user_roles(user)
    out = []
    for panel in sorted(HOME_PANELS.entries(), key=lambda p: (p.order, p.key)):
        if not (roles & panel.roles or user.is_superuser):
            continue
        context = panel.build(user=user, now=now)
        if context is None:
            continue
        out.append({"key": panel.key, "template": panel.template, "wide": panel.wide, **context})
    return out
