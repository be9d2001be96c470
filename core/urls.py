from django.urls import path

from . import views, views_audit

urlpatterns = [
    path("notifications/", views.notification_inbox, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications-read-all"),
    path("audit-log/", views_audit.audit_log_page, name="audit-log"),
    path("audit-log/login-attempts/", views_audit.login_attempts_page, name="login-attempts"),
    path("audit-log/login-attempts/<int:pk>/reset/", views_audit.login_attempt_reset, name="login-attempt-reset"),
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
]
