"""Pages of this app, mounted at /reports/."""

from django.urls import path

from . import views
from .urls_assessments import urlpatterns as assessment_urlpatterns

urlpatterns = [
    path("", views.dashboard, name="reports-dashboard"),
    path("monthly/", views.monthly_list, name="reports-monthly"),
    path("monthly/generate/", views.monthly_generate, name="reports-monthly-generate"),
    path("monthly/<int:pk>/", views.monthly_detail, name="reports-monthly-detail"),
    path("monthly/<int:pk>/issue/", views.monthly_issue, name="reports-monthly-issue"),
    path("monthly/<int:pk>/preview/<int:page>.png", views.monthly_preview, name="reports-monthly-preview"),
    path("packages/", views.package_list, name="reports-packages"),
    path("packages/generate/", views.package_generate, name="reports-packages-generate"),
    path("packages/<int:pk>/", views.package_detail, name="reports-package-detail"),
    *assessment_urlpatterns,
]
