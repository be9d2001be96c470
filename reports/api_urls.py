"""API routes of this app, mounted under /api/v1/ by opsdesk/urls.py."""

urlpatterns: list = []
