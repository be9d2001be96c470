"""API routes of the monitoring app, mounted under /api/v1/."""

from django.urls import path

from . import apis

urlpatterns = [
    path("integrations/", apis.IntegrationListCreateApi.as_view(), name="api-integrations"),
    path("integrations/<int:pk>/", apis.IntegrationDetailApi.as_view(), name="api-integration"),
    path("integrations/<int:pk>/rotate/", apis.IntegrationRotateApi.as_view(), name="api-integration-rotate"),
    path("integrations/<str:token>/<str:kind>/", apis.integration_intake, name="api-integration-intake"),
    path("alerts/", apis.AlertListApi.as_view(), name="api-alerts"),
    path("tickets/<int:pk>/alerts/", apis.TicketAlertListApi.as_view(), name="api-ticket-alerts"),
]
