from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutineConfig(AppConfig):
    name = "routine"
    verbose_name = _("例行运维")

    def ready(self) -> None:
        from core.demo import DemoSeeder, demo_seeders_register
        from core.navigation import nav_register

        from . import demo
        from .navigation import NAV_ITEMS

        demo_seeders_register(self.label, DemoSeeder("routine: backups, inspections, self-checks, drills", demo.seed))
        nav_register(self.label, *NAV_ITEMS)

        # The backup system reports one run or a list of runs in one body (4.2.5); every other API
        # write keeps taking a JSON object only (core/parsers.py).
        from core.parsers import json_list_endpoint_register

        json_list_endpoint_register(self.label, "/api/v1/backup-runs/")

        # The duty log and handover show the shift's inspection rounds; the roster does not import us.
        from roster.selectors.panels import shift_panel_register

        from .selectors.inspections import shift_rounds_panel

        shift_panel_register(self.label, shift_rounds_panel)

        # The purchaser approver's consent inbox lists risk acceptances waiting for a decision.
        from core.consent import consent_register

        from .models import RiskAcceptance

        consent_register(RiskAcceptance, label=_("风险接受"),
                         queryset=lambda: RiskAcceptance.objects.select_related("finding__business_system", "requested_by"))
        # A purchaser's auditor reads the audit entries about its systems' routine records.
        from core.audit.selectors import AuditSubject, audit_subjects_register

        from . import models as m
        audit_subjects_register(
            self.label,
            AuditSubject(m.BackupPolicy, "business_system__organization_id"),
            AuditSubject(m.BackupRun, "policy__business_system__organization_id"),
            AuditSubject(m.RestoreTest, "policy__business_system__organization_id"),
            AuditSubject(m.BackupAlert, "policy__business_system__organization_id"),
            AuditSubject(m.InspectionSchedule, "business_system__organization_id"),
            AuditSubject(m.InspectionRound, "schedule__business_system__organization_id"),
            AuditSubject(m.InspectionResult, "round__schedule__business_system__organization_id"),
            AuditSubject(m.SecurityActivity, "organization_id"),
            AuditSubject(m.Finding, "business_system__organization_id"),
            AuditSubject(m.FindingEvent, "finding__business_system__organization_id"),
            AuditSubject(m.RiskAcceptance, "organization_id"),
            AuditSubject(m.AntivirusSweep, "host__business_system__organization_id"),
            AuditSubject(m.SecurityWarning, "organization_id"),
            AuditSubject(m.Drill, "organization_id"),
            AuditSubject(m.DrillProblem, "drill__organization_id"),
        )
