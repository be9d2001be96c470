from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("工单")

    def ready(self) -> None:
        from core.demo import DemoSeeder, demo_seeders_register
        from core.home import home_panels_register
        from core.navigation import nav_register
        from roster.selectors.handover import handover_open_items_register

        from . import demo
        from .home import HOME_PANELS
        from .navigation import NAV_ITEMS
        from .selectors.handover import handover_open_items
        from .selectors.reference import reference_choices_connect

        demo_seeders_register(
            self.label,
            DemoSeeder("tickets: contract, catalogue, systems, hosts", demo.seed_reference),
            DemoSeeder("tickets: three months of ticket history", demo.seed_tickets, history=True),
        )
        nav_register(self.label, *NAV_ITEMS)
        # The drop-downs' cached (id, name) pairs are forgotten when their rows change.
        reference_choices_connect()
        home_panels_register(self.label, *HOME_PANELS)
        # The open tickets a roster handover carries over (the roster does not import tickets).
        handover_open_items_register(self.label, handover_open_items)
        from core.consent import consent_register

        from .models import Exclusion
        from .selectors.exclusions import exclusion_queryset

        # Exclusions appear in the purchaser approver's consent inbox.
        consent_register(Exclusion, label=_("指标排除"), queryset=exclusion_queryset)
        # A looser SLA target waits in the same inbox (issue 15 item 5).
        from .models import SlaPolicyChange

        consent_register(SlaPolicyChange, label=_("SLA 目标放宽"),
                         queryset=lambda: SlaPolicyChange.objects.select_related("policy", "requested_by"))
        from core.audit.selectors import AuditSubject, audit_subjects_register

        from . import models as m

        # A purchaser's auditor reads the audit entries about that purchaser's records.
        audit_subjects_register(
            self.label,
            AuditSubject(m.Contract, "purchaser_id"), AuditSubject(m.ServiceItem, "contract__purchaser_id"),
            AuditSubject(m.BusinessSystem, "organization_id"), AuditSubject(m.Host, "business_system__organization_id"),
            AuditSubject(m.Ticket, "organization_id"), AuditSubject(m.SlaClock, "ticket__organization_id"),
            AuditSubject(m.SlaEscalation, "clock__ticket__organization_id"),
            AuditSubject(m.TicketEvent, "ticket__organization_id"), AuditSubject(m.TicketComment, "ticket__organization_id"),
            AuditSubject(m.TicketAttachment, "ticket__organization_id"),
            AuditSubject(m.DowntimeRecord, "business_system__organization_id"),
            AuditSubject(m.SatisfactionRating, "ticket__organization_id"),
            AuditSubject(m.SatisfactionFollowUp, "ticket__organization_id"),
            AuditSubject(m.Exclusion, "organization_id"), AuditSubject(m.SlaPolicyChange, "organization_id"),
        )
