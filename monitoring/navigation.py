from django.utils.translation import gettext_lazy as _

from accounts.roles import PROVIDER_ROLES, PURCHASER_ROLES, Role
from core.navigation import NavItem

# Utilisation is evidence every reader of the reports reads (purchasers their own systems'): under 报表.
UTILISATION_READERS = frozenset({*PROVIDER_ROLES, *PURCHASER_ROLES, Role.AUDITOR})

NAV_ITEMS = (
    NavItem(_("资源利用率"), "monitoring-utilisation", roles=UTILISATION_READERS, order=75, group="reports"),
    NavItem(_("优化建议"), "monitoring-findings", roles=UTILISATION_READERS, order=76, group="reports"),
    NavItem(_("监控接入"), "monitoring-integrations", roles=frozenset({*PROVIDER_ROLES, Role.AUDITOR}), order=880, group="admin"),  # configuration: with the reference data under 管理
)
