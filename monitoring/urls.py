from django.urls import path

from . import views

urlpatterns = [
    path("integrations/", views.integration_list, name="monitoring-integrations"),
    path("integrations/<int:pk>/", views.integration_detail, name="monitoring-integration"),
]
