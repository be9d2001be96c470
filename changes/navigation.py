from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.navigation import NavItem

NAV_ITEMS = (
    NavItem(pgettext_lazy("navigation", "变更"), "change-list", order=40),
    NavItem(_("变更日历"), "change-calendar", order=42),
    NavItem(_("待我审批"), "change-inbox", roles=frozenset({"approver", "tech_lead", "project_manager"}), order=44),
)
