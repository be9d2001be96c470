"""API routes of the routine app, mounted under /api/v1/."""

from django.urls import path

from . import apis

urlpatterns = [
    path("backup-policies/", apis.BackupPolicyListCreateApi.as_view(), name="api-backup-policies"),
    path("backup-policies/<int:pk>/", apis.BackupPolicyDetailApi.as_view(), name="api-backup-policy"),
    path("backup-runs/", apis.BackupRunListCreateApi.as_view(), name="api-backup-runs"),
    path("backup-runs/import/", apis.BackupRunImportApi.as_view(), name="api-backup-runs-import"),
    path("backup-alerts/", apis.BackupAlertListApi.as_view(), name="api-backup-alerts"),
    path("restore-tests/", apis.RestoreTestListCreateApi.as_view(), name="api-restore-tests"),
    path("backup-compliance/", apis.BackupComplianceApi.as_view(), name="api-backup-compliance"),
]
