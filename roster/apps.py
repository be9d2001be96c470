from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RosterConfig(AppConfig):
    name = "roster"
    verbose_name = _("值班与重保")

    def ready(self) -> None:
        from core.demo import DemoSeeder, demo_seeders_register
        from core.navigation import nav_register

        from . import demo
        from .navigation import NAV_ITEMS

        demo_seeders_register(self.label, DemoSeeder("roster: calendar, periods, rosters, duty records", demo.seed))
        nav_register(self.label, *NAV_ITEMS)
