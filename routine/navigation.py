from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

NAV_ITEMS = (
    NavItem(_("巡检"), "routine-inspections", order=50),
    NavItem(_("备份"), "routine-backups", order=51),
    NavItem(_("安全自查"), "routine-security", order=52),
    NavItem(_("演练"), "routine-drills", order=53),
)
