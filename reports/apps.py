from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("报告与指标")

    def ready(self) -> None:
        from core.demo import DemoSeeder, demo_seeders_register
        from core.home import home_panels_register
        from core.navigation import nav_register
        from tickets.selectors.links import ticket_links_register

        from . import demo
        from .home import HOME_PANELS
        from .navigation import NAV_ITEMS
        from .selectors.downtime import downtime_report_link

        nav_register(self.label, *NAV_ITEMS)
        demo_seeders_register(
            self.label,
            DemoSeeder("reports: last month's report and package, assessed with remediation items", demo.seed, history=True),
        )
        home_panels_register(self.label, *HOME_PANELS)
        # The ticket page links to the downtime report behind the reports' own access rule.
        ticket_links_register(self.label, downtime_report_link)
        # A purchaser's auditor reads the audit entries about its reports and packages.
        from core.audit.selectors import AuditProgress, AuditSubject, audit_progress_register, audit_subjects_register

        from .models import (
            AcceptancePackage,
            Assessment,
            AssessmentEvent,
            MonthlyReport,
            RemediationAnswer,
            RemediationAttachment,
            RemediationItem,
        )
        audit_subjects_register(
            self.label,
            AuditSubject(MonthlyReport, "contract__purchaser_id"), AuditSubject(AcceptancePackage, "contract__purchaser_id"),
            AuditSubject(Assessment, "contract__purchaser_id"), AuditSubject(AssessmentEvent, "assessment__contract__purchaser_id"),
            AuditSubject(RemediationItem, "assessment__contract__purchaser_id"),
            AuditSubject(RemediationAnswer, "item__assessment__contract__purchaser_id"),
            AuditSubject(RemediationAttachment, "answer__item__assessment__contract__purchaser_id"),
        )
        # A generation's heartbeat and step counter are progress, not acts: hidden on the audit page by default.
        progress = frozenset({"task_state", "progress", "progress_note", "progress_at"})
        audit_progress_register(self.label, AuditProgress(MonthlyReport, progress), AuditProgress(AcceptancePackage, progress))
