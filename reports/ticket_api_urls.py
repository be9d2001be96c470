"""/api/v1/tickets/{id}/downtime-report.pdf, included at /api/v1/ by opsdesk/urls.py (one line)."""

from .api_urls import ticket_urlpatterns as urlpatterns

__all__ = ["urlpatterns"]
