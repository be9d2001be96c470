from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

NAV_ITEMS = (
    NavItem(_("业务系统"), "business-systems", order=80),
    NavItem(_("服务目录"), "service-catalogue", order=85),
)
