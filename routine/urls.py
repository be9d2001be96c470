from django.urls import path

from . import views

urlpatterns = [
    path("backups/", views.backups, name="routine-backups"),
    path("backups/runs/", views.backup_runs, name="routine-backup-runs"),
    path("backups/restore-tests/", views.restore_tests, name="routine-restore-tests"),
]

urlpatterns += [
    path("inspections/", views.inspections, name="routine-inspections"),
    path("inspections/anomalies/", views.inspection_anomalies, name="routine-inspection-anomalies"),
    path("inspections/rounds/<int:pk>/", views.inspection_round, name="routine-inspection-round"),
    path("inspections/results/<int:pk>/ticket/", views.inspection_result_ticket, name="routine-inspection-result-ticket"),
]

urlpatterns += [
    path("security/", views.security, name="routine-security"),
    path("security/activities/", views.security_activities, name="routine-security-activities"),
    path("security/findings/", views.findings, name="routine-findings"),
    path("security/findings/<int:pk>/", views.finding_detail, name="routine-finding"),
    path("security/antivirus/", views.antivirus, name="routine-antivirus"),
    path("security/warnings/", views.security_warnings, name="routine-security-warnings"),
]

urlpatterns += [
    path("drills/", views.drills, name="routine-drills"),
    path("drills/<int:pk>/", views.drill_detail, name="routine-drill"),
]
