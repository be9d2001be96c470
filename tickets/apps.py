from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("工单")

    def ready(self) -> None:
        from core.home import register_home_panels
        from core.navigation import register_nav_items

        from .home import HOME_PANELS
        from .navigation import NAV_ITEMS

        register_nav_items(NAV_ITEMS)
        register_home_panels(HOME_PANELS)
