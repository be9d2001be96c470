from django.urls import path

from . import views

urlpatterns = [
    path("backups/", views.backups, name="routine-backups"),
    path("backups/runs/", views.backup_runs, name="routine-backup-runs"),
    path("backups/restore-tests/", views.restore_tests, name="routine-restore-tests"),
]
