from django.utils.translation import gettext_lazy as _

from accounts.roles import PROVIDER_ROLES, Role
from core.navigation import NavItem

NAV_ITEMS = (
    NavItem(_("监控接入"), "monitoring-integrations", roles=frozenset({*PROVIDER_ROLES, Role.AUDITOR}), order=58),  # before 指标看板 (60), as when core listed the apps by name
)
