from django.utils.translation import gettext_lazy as _

from accounts.roles import PROVIDER_ROLES, Role
from core.navigation import NavItem

ENGINEERS = frozenset({Role.ENGINEER, Role.TECH_LEAD, Role.DUTY_LEADER})

NAV_ITEMS = (
    NavItem(
        _("工作队列"), "ticket-queue", roles=frozenset(PROVIDER_ROLES | {Role.AUDITOR}), order=10,
        daily_for=ENGINEERS, daily_order=10,
    ),
    NavItem(
        _("提交工单"), "ticket-submit", roles=frozenset({Role.REQUESTER, Role.APPROVER}), order=10,
        daily_for=frozenset({Role.REQUESTER}), daily_order=10,
    ),
    NavItem(_("电话/邮件登记"), "ticket-intake", roles=frozenset(PROVIDER_ROLES), order=15),
    NavItem(
        _("工单"), "ticket-list", order=20,
        daily_for=frozenset({Role.REQUESTER, Role.APPROVER, Role.AUDITOR}), daily_order=20,
    ),
    NavItem(_("业务系统"), "business-systems", order=80, group="admin"),
    NavItem(_("服务目录"), "service-catalogue", order=85, group="admin"),
)

NAV_ITEMS += (
    NavItem(_("指标排除"), "exclusion-list", order=60),
    NavItem(_("待我确认的排除"), "exclusion-inbox", roles=frozenset({Role.APPROVER}), order=61),
)

# The contract's targets and the proposals to loosen them (issue 15 item 5): under 管理.
NAV_ITEMS += (NavItem(_("SLA 策略"), "sla-policies", order=86, group="admin"),)
