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

urlpatterns += [
    path("inspection-templates/", apis.InspectionTemplateListCreateApi.as_view(), name="api-inspection-templates"),
    path("inspection-schedules/", apis.InspectionScheduleListCreateApi.as_view(), name="api-inspection-schedules"),
    path("inspection-rounds/", apis.InspectionRoundListApi.as_view(), name="api-inspection-rounds"),
    path("inspection-rounds/<int:pk>/", apis.InspectionRoundDetailApi.as_view(), name="api-inspection-round"),
    path("inspection-rounds/<int:pk>/complete/", apis.InspectionRoundCompleteApi.as_view(), name="api-inspection-round-complete"),
    path("inspection-results/<int:pk>/ticket/", apis.InspectionResultTicketApi.as_view(), name="api-inspection-result-ticket"),
]
