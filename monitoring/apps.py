from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Alert intake from Prometheus/Alertmanager and Zabbix (issue 16). Sits above `changes`: it reads
    change windows through changes.selectors; the change page shows its panel through core.panels."""

    name = "monitoring"
    verbose_name = _("监控接入")

    def ready(self) -> None:
        from core.demo import DemoSeeder, demo_seeders_register
        from core.navigation import nav_register
        from core.panels import panel_register

        from . import demo
        from .navigation import NAV_ITEMS
        from .panels import change_silenced_alerts

        panel_register("change_detail", change_silenced_alerts)
        demo_seeders_register(self.label, DemoSeeder("monitoring: integrations, alerts", demo.seed))
        nav_register(self.label, *NAV_ITEMS)
        # A purchaser's auditor reads the audit entries about its integrations (alerts are not audited).
        from core.audit.selectors import AuditSubject, audit_subjects_register

        from .models import FindingEvent, Integration, OptimisationFinding, UtilisationSample
        audit_subjects_register(
            self.label, AuditSubject(Integration, "organization_id"),
            AuditSubject(UtilisationSample, "host__business_system__organization_id"),
            AuditSubject(OptimisationFinding, "business_system__organization_id"),
            AuditSubject(FindingEvent, "finding__business_system__organization_id"),
        )
