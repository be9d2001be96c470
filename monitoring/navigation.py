from django.utils.translation import gettext_lazy as _

from accounts.roles import PROVIDER_ROLES, Role
from core.navigation import NavItem

NAV_ITEMS = (
    NavItem(_("监控接入"), "monitoring-integrations", roles=frozenset({*PROVIDER_ROLES, Role.AUDITOR}), order=880, group="admin"),  # configuration: with the reference data under 管理
)
