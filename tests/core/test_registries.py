"""The registries apps fill in AppConfig.ready() (core.registry): navigation, demo data, the roster
handover's open items, a ticket page's links. They replace loading by string, with the same result."""

from core.demo import DEMO_SEEDERS, demo_seeders
from core.navigation import NAVIGATION, nav_items_for
from core.registry import Registry
from roster.selectors.handover import HANDOVER_OPEN_ITEMS
from tickets.selectors.links import TICKET_LINKS


def test_a_registry_keeps_owners_in_first_order_and_replaces_an_owners_entries():
    registry: Registry[int] = Registry("numbers")
    registry.register("low", 1, 2)
    registry.register("high", 3)
    registry.register("low", 4)  # a second ready() replaces, it does not add
    assert registry.entries() == [4, 3] and registry.owners() == ["low", "high"]
    with registry.replaced(test=[9]):
        assert registry.entries() == [9]
    assert registry.entries() == [4, 3]


def test_the_apps_register_in_the_order_of_the_layers():
    assert DEMO_SEEDERS.owners() == ["accounts", "roster", "tickets", "changes"]
    assert NAVIGATION.owners() == ["core", "roster", "tickets", "changes", "reports"]
    assert HANDOVER_OPEN_ITEMS.owners() == ["tickets"]
    assert TICKET_LINKS.owners() == ["reports"]
    assert [s.history for s in demo_seeders()] == [False, False, False, True, False]


class _Superuser:
    is_superuser = True
    is_authenticated = True


def test_the_navigation_is_the_one_the_apps_listed_before(monkeypatch):
    """The order nav_items_for gave when core loaded tickets, changes, roster, reports, core by name: by `order`,
    ties to the higher layer (变更 before 当前值班 at 40)."""
    monkeypatch.setattr("accounts.selectors.user_roles", lambda user: frozenset())
    assert [item["url_name"] for item in nav_items_for(_Superuser())] == [
        "ticket-queue", "ticket-submit", "ticket-intake", "ticket-list", "change-list", "roster-on-duty", "roster-list",
        "change-calendar", "roster-my-shifts", "roster-swaps", "change-inbox", "roster-log", "roster-handover",
        "roster-periods", "reports-dashboard", "reports-monthly", "reports-packages", "business-systems",
        "service-catalogue", "audit-log",
    ]
