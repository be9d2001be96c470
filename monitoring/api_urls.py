"""API routes of the monitoring app, mounted under /api/v1/."""

from django.urls import path

from . import apis, apis_utilisation

urlpatterns = [
    path("integrations/", apis.IntegrationListCreateApi.as_view(), name="api-integrations"),
    path("integrations/<int:pk>/", apis.IntegrationDetailApi.as_view(), name="api-integration"),
    path("integrations/<int:pk>/rotate/", apis.IntegrationRotateApi.as_view(), name="api-integration-rotate"),
    path("integrations/<str:token>/<str:kind>/", apis.integration_intake, name="api-integration-intake"),
    path("alerts/", apis.AlertListApi.as_view(), name="api-alerts"),
    path("tickets/<int:pk>/alerts/", apis.TicketAlertListApi.as_view(), name="api-ticket-alerts"),
    path("utilisation/", apis_utilisation.UtilisationListApi.as_view(), name="api-utilisation"),
    path("utilisation/import/", apis_utilisation.UtilisationImportApi.as_view(), name="api-utilisation-import"),
    path("utilisation/template/", apis_utilisation.UtilisationTemplateApi.as_view(), name="api-utilisation-template"),
    path("utilisation/thresholds/", apis_utilisation.ThresholdListApi.as_view(), name="api-utilisation-thresholds"),
    path("utilisation/thresholds/<int:pk>/", apis_utilisation.ThresholdDetailApi.as_view(), name="api-utilisation-threshold"),
    path("optimisation-findings/", apis_utilisation.FindingListApi.as_view(), name="api-findings"),
    path("optimisation-findings/<int:pk>/ticket/", apis_utilisation.FindingTicketApi.as_view(), name="api-finding-ticket"),
    path("optimisation-findings/<int:pk>/dismiss/", apis_utilisation.FindingDismissApi.as_view(), name="api-finding-dismiss"),
]
