"""Admin of change requests: chains and templates are configured here; changes and their timeline
are read-only (they move only through the services)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
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


class ChangeApprovalInline(ReadOnlyInline):
    model = ChangeApproval



class ChangeEventInline(ReadOnlyInline):
    model = ChangeEvent
    fields = ("at", "kind", "actor", "from_status", "to_status", "note")
    readonly_fields = fields



@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    """Read-only: changes move only through their services, so every step lands on the timeline."""

    list_display = ("number", "title", "category", "risk", "status", "window_start", "window_end", "requester")
    list_filter = ("status", "category", "risk")
    search_fields = ("number", "title")
    inlines = [ChangeApprovalInline, ChangeEventInline]



@admin.register(ChangeEvent)
class ChangeEventAdmin(ReadOnlyAdmin):
    list_display = ("change", "kind", "actor", "at")
    list_filter = ("kind",)

