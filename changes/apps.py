from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    """Change requests (clause 8.1.3). Sits above `tickets`: it reads tickets through their selectors
    and services; tickets never import it (what tickets needs from changes is registered here)."""

    name = "changes"
    verbose_name = _("变更")

    def ready(self) -> None:
        from core.demo import DemoSeeder, demo_seeders_register
        from core.home import home_panels_register
        from core.navigation import nav_register
        from tickets.selectors.downtime import downtime_planned_breakdown_register

        from . import demo
        from .home import HOME_PANELS
        from .navigation import NAV_ITEMS
        from .selectors import planned_parts_for_records

        # The ticket page, the downtime API and the downtime report show which minutes of an outage
        # were planned maintenance; the rule lives here (8.2.8).
        downtime_planned_breakdown_register(planned_parts_for_records)
        demo_seeders_register(self.label, DemoSeeder("changes: change requests", demo.seed))
        nav_register(self.label, *NAV_ITEMS)
        home_panels_register(self.label, *HOME_PANELS)
        from core.audit.selectors import AuditSubject, audit_subjects_register

        from .models import ChangeApproval, ChangeEvent, ChangeRequest

        # A purchaser's auditor reads the audit entries about the changes touching its systems.
        audit_subjects_register(
            self.label,
            AuditSubject(ChangeRequest, "business_systems__organization_id"),
            AuditSubject(ChangeApproval, "change__business_systems__organization_id"),
            AuditSubject(ChangeEvent, "change__business_systems__organization_id"),
        )
