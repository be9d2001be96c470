from django.utils.translation import gettext_lazy as _

from accounts.roles import PROVIDER_ROLES, Role
from core.navigation import NavItem

# Utilisation is evidence, under 报表 for those who read the reports (purchasers their own systems'; a
# requester has no reports group, as in reports.navigation, though the pages let it read its own systems).
UTILISATION_READERS = frozenset({*PROVIDER_ROLES, Role.APPROVER, Role.AUDITOR})

NAV_ITEMS = (
    NavItem(_("资源利用率"), "monitoring-utilisation", roles=UTILISATION_READERS, order=75, group="reports"),
    NavItem(_("优化建议"), "monitoring-findings", roles=UTILISATION_READERS, order=76, group="reports"),
    NavItem(_("监控接入"), "monitoring-integrations", roles=frozenset({*PROVIDER_ROLES, Role.AUDITOR}), order=880, group="admin"),  # configuration: with the reference data under 管理
)
