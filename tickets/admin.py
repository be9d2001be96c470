from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    BusinessSystem,
    Contract,
    DowntimeRecord,
    Exclusion,
    Host,
    SatisfactionFollowUp,
    SatisfactionRating,
    ServiceItem,
    SlaClock,
    SlaEscalation,
    SlaPolicy,
    Ticket,
    TicketAttachment,
    TicketComment,
    TicketEvent,
)


class ServiceItemInline(admin.TabularInline):
    model = ServiceItem
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "purchaser", "provider", "start_date", "end_date")
    inlines = [ServiceItemInline]


@admin.register(BusinessSystem)
class BusinessSystemAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "owner_department", "importance", "onboarding_status")
    list_filter = ("organization", "importance", "onboarding_status")
    search_fields = ("name",)


@admin.register(Host)
class HostAdmin(admin.ModelAdmin):
    list_display = ("name", "business_system", "vcpu", "memory_gb", "storage_gb", "os_family", "ip_address", "monitored")
    list_filter = ("os_family", "monitored", "business_system")
    search_fields = ("name", "ip_address")


# ---------------------------------------------------------------- tickets and SLA



@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    """Policies are data. Changes apply to tickets created afterwards; clocks keep their snapshot."""

    list_display = ("name", "kind", "severity", "clock", "resource", "direction", "heavy_protection_important",
                    "target_minutes", "calendar", "pausable", "stop_on", "active")
    list_filter = ("kind", "clock", "calendar", "active")


class SlaClockInline(ReadOnlyInline):
    model = SlaClock
    fields = ("name", "target_minutes", "calendar", "pausable", "stop_on", "started_at", "due_at", "stopped_at",
              "paused_at", "paused_minutes", "elapsed_minutes", "breached", "calendar_warning")
    readonly_fields = fields


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ("at", "kind", "actor", "from_status", "to_status", "note")
    readonly_fields = fields


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    """Read-only: tickets change only through their services (and so always on the timeline)."""

    list_display = ("number", "title", "kind", "severity", "status", "business_system", "assignee", "reported_at",
                    "next_due_at")
    list_filter = ("kind", "severity", "status", "channel", "major_incident")
    search_fields = ("number", "title")
    date_hierarchy = "reported_at"
    inlines = [SlaClockInline, TicketEventInline]



@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    """The timeline is append-only: nobody, not even a superuser, edits or deletes it here."""

    list_display = ("ticket", "kind", "actor", "at", "from_status", "to_status")
    list_filter = ("kind",)
    search_fields = ("ticket__number", "note")



@admin.register(SlaEscalation)
class SlaEscalationAdmin(TicketEventAdmin):
    list_display = ("clock", "threshold", "at")
    list_filter = ("threshold",)
    search_fields = ("clock__ticket__number",)


@admin.register(TicketComment, TicketAttachment, SatisfactionRating)
class TicketChildAdmin(ReadOnlyAdmin):
    """Comments, attachments and ratings are written through the ticket services only."""


@admin.register(DowntimeRecord, SatisfactionFollowUp)
class TicketRecordAdmin(TicketChildAdmin):
    """Corrections go through the services (timeline entry with the reason), not the admin."""


@admin.register(Exclusion)
class ExclusionAdmin(ReadOnlyAdmin):
    """The exclusion ledger is decided only through tickets.services.exclusions (core.consent): nobody,
    not even a superuser, confirms, edits or deletes an exclusion here."""

    list_display = ("requested_at", "kind", "state", "ticket", "business_system", "requested_by", "decided_by")
    list_filter = ("state", "kind")
