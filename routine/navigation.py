from django.utils.translation import gettext_lazy as _

from accounts.roles import PROVIDER_ROLES, Role
from core.navigation import NavItem

# Routine work sits in the duty group (值班): inspections are done by whoever is on shift; backups,
# security self-checks and drills are the registers the duty team keeps (the purchaser reads them too).
NAV_ITEMS = (
    NavItem(_("巡检"), "routine-inspections", order=50, group="roster"),
    NavItem(_("备份"), "routine-backups", order=51, group="roster"),
    NavItem(_("安全自查"), "routine-security", order=52, group="roster"),
    NavItem(_("演练"), "routine-drills", order=53, group="roster"),
    # The checklists and schedules are configuration: under 管理, beside the reference data.
    NavItem(_("巡检模板与计划"), "routine-inspection-setup", roles=frozenset({*PROVIDER_ROLES, Role.AUDITOR}), order=85,
            group="admin"),
)
