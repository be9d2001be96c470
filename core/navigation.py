"""Main navigation, grouped: 工单 / 变更 / 值班 / 报表 / 管理, with the role's few daily links first.

Each app lists its entries in `<app>/navigation.py` as NAV_ITEMS and registers them in
AppConfig.ready() (nav_register, into the NAVIGATION registry), so core imports no app. The context
processor keeps the entries the user's roles allow. Entries are plain links; a group is a <details>
that opens without scripts (static/js/opsdesk.js only closes the other groups)."""

from dataclasses import dataclass, field

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .registry import Registry

# The groups in the order they appear.
NAV_GROUPS: tuple[tuple[str, str], ...] = (
    ("tickets", _("工单")),
    ("changes", pgettext_lazy("navigation", "变更")),
    ("roster", _("值班")),
    ("reports", _("报表")),
    ("admin", _("管理")),
)

# At most this many daily links stand in the top row (the rest stay in their groups), so that the
# row fits 1366 px whatever roles a person combines.
DAILY_LIMIT = 3


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every signed-in user
    order: int = 100
    group: str = "tickets"
    daily_for: frozenset[str] = field(default_factory=frozenset)  # roles for whom it is a daily link
    daily_order: int = 100  # order among the daily links


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


def _visible(user) -> list[NavItem]:
    from accounts.selectors import user_roles

    roles = user_roles(user)
    return [i for i in _nav_items() if not i.roles or roles & i.roles or user.is_superuser]


def _entry(item: NavItem) -> dict:
    return {"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name}


# The menus depend only on the roles (and superuser), the registry and the URL prefix: built once per
# combination per process instead of sorting and reversing ~30 entries twice on every page. Labels stay
# lazy (translated when the page is rendered, in the page's language). Treat the results as read-only.
_BUILT: dict[tuple, tuple[list[dict], dict]] = {}


def _built(user) -> tuple[list[dict], dict]:
    from accounts.selectors import user_roles

    key = (NAVIGATION.version, user_roles(user), bool(user.is_superuser), get_script_prefix())
    built = _BUILT.get(key)
    if built is None:
        if len(_BUILT) > 256:  # a bounded memo: role combinations are few
            _BUILT.clear()
        built = _BUILT[key] = ([_entry(i) for i in _visible(user)], _nav_for(user))
    return built


def nav_items_for(user) -> list[dict]:
    """Every entry the user may open, flat, in order (the home page and the tests walk it)."""
    return _built(user)[0]


def nav_for(user) -> dict:
    """{"daily": [entry…], "groups": [{"key", "label", "items": [entry…], "url_names": {…}}…]}."""
    return _built(user)[1]


def _nav_for(user) -> dict:
    from accounts.selectors import user_roles

    roles = user_roles(user)
    visible = _visible(user)
    daily_items = sorted((i for i in visible if roles & i.daily_for), key=lambda i: (i.daily_order, i.order))[:DAILY_LIMIT]
    groups = []
    for key, label in NAV_GROUPS:
        items = [_entry(i) for i in visible if i.group == key]
        if items:
            groups.append({"key": key, "label": label, "items": items, "url_names": {e["url_name"] for e in items}})
    return {"daily": [_entry(i) for i in daily_items], "groups": groups}


def _core_nav_items() -> tuple[NavItem, ...]:
    from accounts.roles import Role

    readers = frozenset({Role.AUDITOR, Role.PROJECT_MANAGER})
    return (
        NavItem(
            _("审计日志"), "audit-log", roles=readers, order=900, group="admin",
            daily_for=frozenset({Role.AUDITOR}), daily_order=20,
        ),
    )


NAV_ITEMS: tuple[NavItem, ...] = _core_nav_items()
