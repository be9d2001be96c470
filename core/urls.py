from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_inbox, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications-read-all"),
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
]
