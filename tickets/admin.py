from django.contrib import admin

from .models import BusinessSystem, Contract, Host, ServiceItem


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

from .models import (  # noqa: E402
    ApprovalChain,
    ApprovalStep,
    ChangeApproval,
    ChangeEvent,
    ChangeRequest,
    ChangeTemplate,
)


class ApprovalStepInline(admin.TabularInline):
    model = ApprovalStep
    extra = 0


@admin.register(ApprovalChain)
class ApprovalChainAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "risk", "start_after_steps", "retrospective_hours", "active")
    list_filter = ("category", "active")
    inlines = [ApprovalStepInline]


@admin.register(ChangeTemplate)
class ChangeTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "risk", "active")
    list_filter = ("active", "risk")
    search_fields = ("name",)


class ChangeApprovalInline(admin.TabularInline):
    model = ChangeApproval
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ChangeEventInline(admin.TabularInline):
    model = ChangeEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "from_status", "to_status", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    """Read-only: changes move only through their services, so every step lands on the timeline."""

    list_display = ("number", "title", "category", "risk", "status", "window_start", "window_end", "requester")
    list_filter = ("status", "category", "risk")
    search_fields = ("number", "title")
    inlines = [ChangeApprovalInline, ChangeEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeEvent)
class ChangeEventAdmin(admin.ModelAdmin):
    list_display = ("change", "kind", "actor", "at")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
