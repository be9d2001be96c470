from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import BackupAlert, BackupPolicy, BackupRun, RestoreTest


@admin.register(BackupPolicy)
class BackupPolicyAdmin(admin.ModelAdmin):
    list_display = ("business_system", "name", "backup_object", "backup_type", "owner", "start_date", "active")
    list_filter = ("backup_object", "backup_type", "active")


@admin.register(BackupRun)
class BackupRunAdmin(ReadOnlyAdmin):
    """Runs are the backup system's record: written only through the API or an import."""

    list_display = ("policy", "job_id", "backup_type", "started_at", "result", "source")
    list_filter = ("result", "backup_type", "source")
    search_fields = ("job_id",)


@admin.register(RestoreTest)
class RestoreTestAdmin(ReadOnlyAdmin):
    list_display = ("policy", "tested_at", "result", "performed_by")


@admin.register(BackupAlert)
class BackupAlertAdmin(ReadOnlyAdmin):
    list_display = ("policy", "kind", "ticket", "day", "at")
