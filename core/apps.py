from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("平台基础")

    def ready(self) -> None:
        from .audit import capture
        from .navigation import NAV_ITEMS, register_nav_items

        capture.connect()
        register_nav_items(NAV_ITEMS)
