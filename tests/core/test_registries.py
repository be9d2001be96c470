"""The registries apps fill in AppConfig.ready() (core.registry): navigation, demo data, the roster
handover's open items, a ticket page's links. They replace loading by string, with the same result."""

from core.demo import DEMO_SEEDERS, demo_seeders
from core.home import HOME_PANELS
from core.navigation import NAVIGATION, nav_for, nav_items_for
from core.registry import Registry
from roster.selectors.handover import HANDOVER_OPEN_ITEMS
from roster.selectors.panels import SHIFT_PANELS
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
    assert DEMO_SEEDERS.owners() == ["accounts", "roster", "tickets", "changes", "routine", "monitoring", "reports"]
    assert NAVIGATION.owners() == ["core", "roster", "tickets", "changes", "routine", "monitoring", "reports"]
    assert HOME_PANELS.owners() == ["roster", "tickets", "changes", "reports"]
    assert HANDOVER_OPEN_ITEMS.owners() == ["tickets"]
    assert SHIFT_PANELS.owners() == ["routine"]
    assert TICKET_LINKS.owners() == ["reports"]
    assert [s.history for s in demo_seeders()] == [False, False, False, True, False, False, False, True]


class _Superuser:
    is_superuser = True
    is_authenticated = True


def test_the_menu_groups_the_registered_entries(monkeypatch):
    """The menu (nav_for) shows the registry's entries grouped 工单/变更/值班/报表/管理 (issue 19 item 2),
    no longer as the one flat row nav_items_for gave; inside a group, entries keep the registry's
    order (by `order`, ties to the higher layer). A user without roles has no daily links."""
    monkeypatch.setattr("accounts.selectors.user_roles", lambda user: frozenset())
    nav = nav_for(_Superuser())
    assert nav["daily"] == []
    assert {group["key"]: [item["url_name"] for item in group["items"]] for group in nav["groups"]} == {
        "tickets": ["ticket-queue", "ticket-submit", "ticket-intake", "ticket-list", "exclusion-list", "exclusion-inbox"],
        "changes": ["change-list", "change-calendar", "change-inbox"],
        "roster": [
            "roster-on-duty", "roster-list", "roster-my-shifts", "roster-swaps", "roster-log", "roster-handover",
            "roster-periods", "roster-calendar", "routine-inspections", "routine-backups", "routine-security", "routine-drills",
        ],
        "reports": ["reports-dashboard", "reports-monthly", "reports-packages", "reports-assessments", "reports-remediation",
                    "monitoring-utilisation", "monitoring-findings"],
        "admin": ["business-systems", "routine-inspection-setup", "service-catalogue", "sla-policies", "monitoring-integrations",
                  "audit-log"],
    }
    assert [group["key"] for group in nav["groups"]] == ["tickets", "changes", "roster", "reports", "admin"]
    # The flat list (the home page walks it) is still every entry once, in the registry's order.
    assert [item["url_name"] for item in nav_items_for(_Superuser())] == [
        "ticket-queue", "ticket-submit", "ticket-intake", "ticket-list", "change-list", "roster-on-duty", "roster-list",
        "change-calendar", "roster-my-shifts", "roster-swaps", "change-inbox", "roster-log", "roster-handover",
        "roster-periods", "roster-calendar", "routine-inspections", "routine-backups", "routine-security", "routine-drills",
        "reports-dashboard", "exclusion-list",
        "exclusion-inbox", "reports-monthly", "reports-packages", "reports-assessments", "reports-remediation", "monitoring-utilisation",
        "monitoring-findings",
        "business-systems", "routine-inspection-setup", "service-catalogue", "sla-policies", "monitoring-integrations", "audit-log",
    ]
