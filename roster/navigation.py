from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.roles import PROVIDER_ROLES, Role
from core.navigation import NavItem

DUTY_READERS = frozenset({*PROVIDER_ROLES, Role.AUDITOR})

NAV_ITEMS = (
    NavItem(
        _("当前值班"), "roster-on-duty", roles=DUTY_READERS, order=40, group="roster",
        daily_for=frozenset({Role.DUTY_LEADER}), daily_order=30,
    ),
    NavItem(_("值班表"), "roster-list", roles=DUTY_READERS, order=41, group="roster"),
    NavItem(
        _("我的值班"), "roster-my-shifts", roles=frozenset(PROVIDER_ROLES), order=42, group="roster",
        daily_for=frozenset({Role.ENGINEER}), daily_order=40,
    ),
    NavItem(pgettext_lazy("navigation", "换班"), "roster-swaps", roles=DUTY_READERS, order=43, group="roster"),
    NavItem(_("值班日志"), "roster-log", roles=DUTY_READERS, order=44, group="roster"),
    NavItem(
        _("交接班"), "roster-handover", roles=DUTY_READERS, order=45, group="roster",
        daily_for=frozenset({Role.DUTY_LEADER}), daily_order=20,
    ),
    NavItem(pgettext_lazy("navigation", "重保时期"), "roster-periods", order=46, group="roster"),
    NavItem(_("节假日日历"), "roster-calendar", roles=DUTY_READERS, order=47, group="roster"),
)
