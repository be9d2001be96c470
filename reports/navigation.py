from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.roles import Role
from core.navigation import NavItem

# Requesters have no access to reports (issue 6); everybody else reads them.
READERS = frozenset({Role.APPROVER, Role.ENGINEER, Role.TECH_LEAD, Role.DUTY_LEADER, Role.PROJECT_MANAGER, Role.AUDITOR})

NAV_ITEMS = (
    NavItem(
        _("指标看板"), "reports-dashboard", roles=READERS, order=60, group="reports",
        daily_for=frozenset({Role.PROJECT_MANAGER}), daily_order=10,
    ),
    NavItem(
        pgettext_lazy("navigation", "运维月报"), "reports-monthly", roles=READERS, order=65, group="reports",
        daily_for=frozenset({Role.PROJECT_MANAGER}), daily_order=20,
    ),
    NavItem(_("查验材料"), "reports-packages", roles=READERS, order=70, group="reports"),
    NavItem(_("验收评定"), "reports-assessments", roles=READERS, order=72, group="reports",
            daily_for=frozenset({Role.APPROVER}), daily_order=30),
    NavItem(_("整改项"), "reports-remediation", roles=READERS, order=74, group="reports"),
)
