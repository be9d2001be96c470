from django.urls import path

from . import apis_audit, apis_notifications
from .apis_accounts import OrganizationListApi, TokenObtainApi, UserMeApi

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="api-token"),
    path("users/me/", UserMeApi.as_view(), name="api-users-me"),
    path("organizations/", OrganizationListApi.as_view(), name="api-organizations"),
    path("notifications/", apis_notifications.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read/", apis_notifications.NotificationMarkReadApi.as_view(), name="api-notifications-read"),
    path("audit-log/", apis_audit.AuditLogListApi.as_view(), name="api-audit-log"),
    path("audit-log/login-attempts/", apis_audit.LoginAttemptListApi.as_view(), name="api-login-attempts"),
]
