"""API routes of this app, mounted under /api/v1/reports/ by opsdesk/urls.py. The downtime report
lives at /api/v1/tickets/{id}/downtime-report.pdf: see `ticket_urlpatterns`, included through
reports/ticket_api_urls.py by opsdesk/urls.py."""

from django.urls import path

from . import apis
from .api_urls_assessments import urlpatterns as assessment_urlpatterns

urlpatterns = [
    path("kpis/", apis.KpiApi.as_view(), name="api-reports-kpis"),
    path("monthly/", apis.MonthlyReportListApi.as_view(), name="api-reports-monthly"),
    path("monthly/<int:pk>/", apis.MonthlyReportDetailApi.as_view(), name="api-reports-monthly-detail"),
    path("monthly/<int:pk>/issue/", apis.MonthlyReportIssueApi.as_view(), name="api-reports-monthly-issue"),
    path("monthly/<int:pk>/download/", apis.MonthlyReportDownloadApi.as_view(), name="api-reports-monthly-download"),
    path("packages/", apis.PackageListApi.as_view(), name="api-reports-packages"),
    path("packages/<int:pk>/", apis.PackageDetailApi.as_view(), name="api-reports-package-detail"),
    path("packages/<int:pk>/download/", apis.PackageDownloadApi.as_view(), name="api-reports-package-download"),
    *assessment_urlpatterns,
]

# Mounted at /api/v1/ (one line in opsdesk/urls.py) so the path is exactly /api/v1/tickets/{id}/downtime-report.pdf.
ticket_urlpatterns = [
    path("tickets/<int:pk>/downtime-report.pdf", apis.DowntimeReportApi.as_view(), name="api-ticket-downtime-report"),
]
