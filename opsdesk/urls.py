from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

api_v1 = [
    path("", include("core.api_urls")),
    path("", include("tickets.api_urls")),
    path("", include("roster.calendar_api_urls")),
    path("", include("changes.api_urls")),
    path("roster/", include("roster.api_urls")),
    path("reports/", include("reports.api_urls")),
    path("", include("reports.ticket_api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger's init script as its own JS response (no inline script for the CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("roster/", include("roster.urls")),
    path("reports/", include("reports.urls")),
    path("", include("tickets.urls")),
    path("", include("changes.urls")),
    path("", include("core.urls")),
]

admin.site.site_header = "OpsDesk 运维服务台"
admin.site.site_title = "OpsDesk"
handler500 = "core.views.server_error"  # a clean 503 while the database is unreachable
