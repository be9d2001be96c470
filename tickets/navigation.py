from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

NAV_ITEMS = (
    NavItem(_("业务系统"), "business-systems", order=80),
    NavItem(_("服务目录"), "service-catalogue", order=85),
)

NAV_ITEMS += (
    NavItem(_("变更"), "change-list", order=40),
    NavItem(_("变更日历"), "change-calendar", order=42),
    NavItem(_("待我审批"), "change-inbox", roles=frozenset({"approver", "tech_lead", "project_manager"}), order=44),
)
