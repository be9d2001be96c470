"""Pages of the tickets app."""

from django.urls import path

from . import views_reference

urlpatterns = [
    path("systems/", views_reference.business_system_list, name="business-systems"),
    path("systems/<int:pk>/", views_reference.business_system_detail, name="business-system"),
    path("catalogue/", views_reference.service_catalogue, name="service-catalogue"),
]

from . import views_changes  # noqa: E402

urlpatterns += [
    path("changes/", views_changes.change_list, name="change-list"),
    path("changes/new/", views_changes.change_create, name="change-create"),
    path("changes/calendar/", views_changes.change_calendar, name="change-calendar"),
    path("changes/inbox/", views_changes.change_inbox, name="change-inbox"),
    path("changes/<int:pk>/", views_changes.change_detail, name="change-detail"),
    path("changes/<int:pk>/edit/", views_changes.change_edit, name="change-edit"),
    path("changes/<int:pk>/<slug:action>/", views_changes.change_action, name="change-action"),
]
