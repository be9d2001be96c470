"""Pages of change requests (paths unchanged since they lived in tickets)."""

from django.urls import path

from . import views

urlpatterns = [
    path("changes/", views.change_list, name="change-list"),
    path("changes/new/", views.change_create, name="change-create"),
    path("changes/calendar/", views.change_calendar, name="change-calendar"),
    path("changes/inbox/", views.change_inbox, name="change-inbox"),
    path("changes/<int:pk>/", views.change_detail, name="change-detail"),
    path("changes/<int:pk>/edit/", views.change_edit, name="change-edit"),
    path("changes/<int:pk>/<slug:action>/", views.change_action, name="change-action"),
]
