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

from . import apis_security as sec  # noqa: E402

urlpatterns += [
    path("security-activities/", sec.SecurityActivityListCreateApi.as_view(), name="api-security-activities"),
    path("security-activities/<int:pk>/report/", sec.SecurityActivityReportApi.as_view(), name="api-security-activity-report"),
    path("findings/", sec.FindingListCreateApi.as_view(), name="api-findings"),
    path("findings/import/", sec.FindingImportApi.as_view(), name="api-findings-import"),
    path("findings/<int:pk>/", sec.FindingDetailApi.as_view(), name="api-finding"),
    path("findings/<int:pk>/accept-risk/", sec.FindingAcceptRiskApi.as_view(), name="api-finding-accept-risk"),
    path("findings/<int:pk>/<slug:action>/", sec.FindingActionApi.as_view(), name="api-finding-action"),
    path("risk-acceptances/", sec.RiskAcceptanceListApi.as_view(), name="api-risk-acceptances"),
    path("risk-acceptances/<int:pk>/<slug:action>/", sec.RiskAcceptanceDecideApi.as_view(), name="api-risk-acceptance-decide"),
    path("antivirus-sweeps/", sec.AntivirusSweepListCreateApi.as_view(), name="api-antivirus-sweeps"),
    path("antivirus-unswept/", sec.AntivirusUnsweptApi.as_view(), name="api-antivirus-unswept"),
    path("security-warnings/", sec.SecurityWarningListCreateApi.as_view(), name="api-security-warnings"),
]

from . import apis_drills as drills  # noqa: E402

urlpatterns += [
    path("drills/", drills.DrillListCreateApi.as_view(), name="api-drills"),
    path("drills/<int:pk>/", drills.DrillDetailApi.as_view(), name="api-drill"),
    path("drills/<int:pk>/record/", drills.DrillRecordApi.as_view(), name="api-drill-record"),
    path("drills/<int:pk>/sign/", drills.DrillSignApi.as_view(), name="api-drill-sign"),
    path("drill-problems/<int:pk>/ticket/", drills.DrillProblemTicketApi.as_view(), name="api-drill-problem-ticket"),
]
