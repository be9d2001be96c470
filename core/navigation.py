"""Main navigation. Each app lists its entries in `<app>/navigation.py` as NAV_ITEMS; the context
processor keeps the ones the user's roles allow. Entries are plain links (no scripts needed)."""

from dataclasses import dataclass, field
from importlib import import_module

from django.urls import reverse

NAV_APPS = ("tickets", "changes", "roster", "monitoring", "reports", "core")


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every signed-in user
    order: int = 100


def nav_items_for(user) -> list[dict]:
    from accounts.selectors import user_roles

    roles = user_roles(user)
    items: list[NavItem] = []
    for app in NAV_APPS:
        try:
            module = import_module(f"{app}.navigation")
        except ModuleNotFoundError:
            continue
        items.extend(getattr(module, "NAV_ITEMS", ()))
    visible = [i for i in items if not i.roles or roles & i.roles or user.is_superuser]
    return [{"label": i.label, "url": reverse(i.url_name), "url_name": i.url_name} for i in sorted(visible, key=lambda i: i.order)]


def _core_nav_items() -> tuple[NavItem, ...]:
    from django.utils.translation import gettext_lazy as _

    from accounts.roles import Role

    readers = frozenset({Role.AUDITOR, Role.PROJECT_MANAGER})
    return (NavItem(_("审计日志"), "audit-log", roles=readers, order=900),)


NAV_ITEMS: tuple[NavItem, ...] = _core_nav_items()
