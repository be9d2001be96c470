from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    """Change requests (clause 8.1.3). Sits above `tickets`: it reads tickets through their selectors
    and services; tickets never import it (what tickets needs from changes is registered here)."""

    name = "changes"
    verbose_name = _("变更")

    def ready(self) -> None:
        from core.demo import DemoSeeder, demo_seeders_register
        from core.navigation import nav_register
        from tickets.selectors.downtime import downtime_planned_breakdown_register

        from . import demo
        from .navigation import NAV_ITEMS
        from .selectors import planned_parts_for_records

        # The ticket page, the downtime API and the downtime report show which minutes of an outage
        # were planned maintenance; the rule lives here (8.2.8).
        downtime_planned_breakdown_register(planned_parts_for_records)
        demo_seeders_register(self.label, DemoSeeder("changes: change requests", demo.seed))
        nav_register(self.label, *NAV_ITEMS)
