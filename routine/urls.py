from django.urls import path

from . import views, views_edit

urlpatterns = [
    path("backups/", views.backups, name="routine-backups"),
    path("backups/runs/", views.backup_runs, name="routine-backup-runs"),
    path("backups/restore-tests/", views.restore_tests, name="routine-restore-tests"),
    path("backups/policies/new/", views_edit.backup_policy_create, name="routine-backup-policy-create"),
    path("backups/policies/<int:pk>/edit/", views_edit.backup_policy_edit, name="routine-backup-policy-edit"),
]

urlpatterns += [
    path("inspections/", views.inspections, name="routine-inspections"),
    path("inspections/anomalies/", views.inspection_anomalies, name="routine-inspection-anomalies"),
    path("inspections/rounds/<int:pk>/", views.inspection_round, name="routine-inspection-round"),
    path("inspections/results/<int:pk>/ticket/", views.inspection_result_ticket, name="routine-inspection-result-ticket"),
    path("inspections/setup/", views_edit.inspection_setup, name="routine-inspection-setup"),
    path("inspections/templates/new/", views_edit.inspection_template_create, name="routine-inspection-template-create"),
    path("inspections/schedules/new/", views_edit.inspection_schedule_create, name="routine-inspection-schedule-create"),
]

urlpatterns += [
    path("security/", views.security, name="routine-security"),
    path("security/activities/", views.security_activities, name="routine-security-activities"),
    path("security/findings/", views.findings, name="routine-findings"),
    path("security/findings/<int:pk>/", views.finding_detail, name="routine-finding"),
    path("security/antivirus/", views.antivirus, name="routine-antivirus"),
    path("security/warnings/", views.security_warnings, name="routine-security-warnings"),
    path("security/activities/new/", views_edit.security_activity_create, name="routine-security-activity-create"),
    path("security/activities/<int:pk>/", views_edit.security_activity_detail, name="routine-security-activity"),
    path("security/activities/<int:pk>/report/", views_edit.security_activity_report, name="routine-security-activity-report"),
    path("security/findings/new/", views_edit.finding_create, name="routine-finding-create"),
    path("security/warnings/new/", views_edit.security_warning_create, name="routine-security-warning-create"),
    path("security/antivirus/new/", views_edit.antivirus_sweep_create, name="routine-antivirus-create"),
]

urlpatterns += [
    path("drills/", views.drills, name="routine-drills"),
    path("drills/<int:pk>/", views.drill_detail, name="routine-drill"),
    path("drills/new/", views_edit.drill_plan, name="routine-drill-create"),
    path("drills/<int:pk>/record/", views_edit.drill_record, name="routine-drill-record"),
]
