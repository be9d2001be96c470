"""Read-only admin views of the intake (writes go through the services and the pages)."""

from django.contrib import admin

from .models import Alert, AlertBatch, AlertGroup, Integration


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Integration)
class IntegrationAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "organization", "default_business_system", "enabled", "token_rotated_at")
    list_filter = ("kind", "enabled")
    exclude = ("token_hash",)


@admin.register(AlertBatch)
class AlertBatchAdmin(ReadOnlyAdmin):
    list_display = ("pk", "integration", "received_at", "alert_count", "status", "attempts", "processed_at")
    list_filter = ("status", "integration")


@admin.register(AlertGroup)
class AlertGroupAdmin(ReadOnlyAdmin):
    list_display = ("pk", "integration", "labels", "business_system", "ticket", "opened_at", "recovered_at")


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("pk", "fingerprint", "status", "alertname", "severity", "business_system", "host", "receipts", "ticket",
                    "silenced_by_change_number")
    list_filter = ("status", "integration")
