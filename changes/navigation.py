from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.roles import Role
from core.navigation import NavItem

NAV_ITEMS = (
    NavItem(pgettext_lazy("navigation", "变更"), "change-list", order=40, group="changes"),
    NavItem(_("变更日历"), "change-calendar", order=42, group="changes"),
    NavItem(
        _("待我审批"), "change-inbox", roles=frozenset({"approver", "tech_lead", "project_manager"}), order=44,
        group="changes", daily_for=frozenset({Role.APPROVER}), daily_order=10,
    ),
)
