from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("平台基础")

    def ready(self) -> None:
        from accounts import demo as accounts_demo

        from .audit import capture
        from .demo import DemoSeeder, demo_seeders_register
        from .navigation import NAV_ITEMS, nav_register

        capture.connect()
        # accounts imports no app, so core (the layer above it) registers accounts' demo data first.
        demo_seeders_register("accounts", DemoSeeder("accounts: organisations and people", accounts_demo.seed))
        nav_register(self.label, *NAV_ITEMS)
