from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("报告与指标")

    def ready(self) -> None:
        from core.navigation import nav_register
        from tickets.selectors.links import ticket_links_register

        from .navigation import NAV_ITEMS
        from .selectors.downtime import downtime_report_link

        nav_register(self.label, *NAV_ITEMS)
        # The ticket page links to the downtime report behind the reports' own access rule.
        ticket_links_register(self.label, downtime_report_link)
