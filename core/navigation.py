"""Main navigation. Each app lists its entries in `<app>/navigation.py` as NAV_ITEMS and registers them
in AppConfig.ready() (nav_register); the context processor keeps the ones the user's roles allow.
Entries are plain links (no scripts needed)."""

from dataclasses import dataclass, field

from django.urls import reverse

from .registry import Registry


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every signed-in user
    order: int = 100


NAVIGATION: Registry[NavItem] = Registry("navigation")


def nav_register(owner: str, *items: NavItem) -> None:
    """An app's entries (its AppConfig.ready() calls this with its label and its NAV_ITEMS)."""
    NAVIGATION.register(owner, *items)


def _nav_items() -> list[NavItem]:
    """Every entry by `order`; on a tie the higher layer's first (apps register lowest layer first),
    then the app's own order."""
    ranked = [
        ((item.order, -owner_rank, item_rank), item)
        for owner_rank, (_owner, items) in enumerate(NAVIGATION.by_owner())
        for item_rank, item in enumerate(items)
    ]
    return [item for _key, item in sorted(ranked, key=lambda pair: pair[0])]


def nav_items_for(user) -> list[dict]:
    from accounts.selectors import user_roles

    roles = user_roles(user)
    visible = [i for i in _nav_items() if not i.roles or roles & i.roles or user.is_superuser]
    return [{"label": i.label, "url": reverse(i.url_name), "url_name": i.url_name} for i in visible]


def _core_nav_items() -> tuple[NavItem, ...]:
    from django.utils.translation import gettext_lazy as _

    from accounts.roles import Role

    readers = frozenset({Role.AUDITOR, Role.PROJECT_MANAGER})
    return (NavItem(_("审计日志"), "audit-log", roles=readers, order=900),)


NAV_ITEMS: tuple[NavItem, ...] = _core_nav_items()
