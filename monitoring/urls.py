from django.urls import path

from . import views, views_utilisation

urlpatterns = [
    path("integrations/", views.integration_list, name="monitoring-integrations"),
    path("integrations/<int:pk>/", views.integration_detail, name="monitoring-integration"),
    path("utilisation/", views_utilisation.utilisation_month, name="monitoring-utilisation"),
    path("utilisation/import/", views_utilisation.utilisation_import_page, name="monitoring-utilisation-import"),
    path("utilisation/template/", views_utilisation.utilisation_template, name="monitoring-utilisation-template"),
    path("utilisation/findings/", views_utilisation.finding_list, name="monitoring-findings"),
    path("utilisation/findings/<int:pk>/<str:action>/", views_utilisation.finding_act, name="monitoring-finding-act"),
    path("utilisation/thresholds/<int:pk>/", views_utilisation.threshold_edit, name="monitoring-threshold-edit"),
]
