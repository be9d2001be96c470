from django.contrib import admin
from django.db import transaction

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from core.exceptions import DomainError

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
from .services.policies import EDITABLE, sla_policy_create, sla_policy_update


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
    """Policies are data. Changes apply to tickets created afterwards; clocks keep their snapshot.

    The admin is no way around the contract's floor (issue 15 item 5): a contract policy's figures and
    scope are read-only here (the PM tightens or proposes a looser target on the SLA page, through
    tickets.services.policies), it cannot be deleted, and every other save goes through the same services."""

    list_display = ("name", "kind", "severity", "clock", "resource", "direction", "heavy_protection_important",
                    "target_minutes", "contract_target_minutes", "calendar", "pausable", "stop_on", "active")
    list_filter = ("kind", "clock", "calendar", "active")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_contract:
            return (*EDITABLE, "contract_target_minutes", "contract_pausable")
        return ("contract_target_minutes", "contract_pausable")

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is not None and not obj.is_contract and super().has_delete_permission(request, obj)

    @staticmethod
    def _save(request, form, pk: int | None) -> SlaPolicy:
        data = {name: form.cleaned_data[name] for name in EDITABLE if name in form.cleaned_data}
        if pk is not None:
            return sla_policy_update(actor=request.user, policy=SlaPolicy.objects.get(pk=pk), **data)
        return sla_policy_create(actor=request.user, **data)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        save = self._save
        pk = obj.pk if obj is not None else None

        class SlaPolicyAdminForm(form_class):
            def clean(self):
                """The services' refusals (role, floor) as form errors: a dry run, rolled back."""
                cleaned = super().clean()
                if self.errors:
                    return cleaned
                try:
                    with transaction.atomic():
                        save(request, self, pk)
                        transaction.set_rollback(True)
                except DomainError as exc:
                    self.add_error(None, str(exc.message))
                    for field, messages in exc.fields.items():
                        for message in messages:
                            self.add_error(field if field in self.fields else None, str(message))
                return cleaned

        return SlaPolicyAdminForm

    def save_model(self, request, obj, form, change) -> None:
        obj.pk = self._save(request, form, obj.pk if change else None).pk
        obj.refresh_from_db()


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
