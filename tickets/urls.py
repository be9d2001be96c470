"""Pages of the tickets app."""

from django.urls import path

from . import views_reference

urlpatterns = [
    path("systems/", views_reference.business_system_list, name="business-systems"),
    path("systems/<int:pk>/", views_reference.business_system_detail, name="business-system"),
    path("catalogue/", views_reference.service_catalogue, name="service-catalogue"),
]
