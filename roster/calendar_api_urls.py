"""/api/v1/calendar-days/…, included at /api/v1/ by opsdesk/urls.py: the working-day calendar's API
(the roster app owns the calendar; the routes keep the paths they had under the tickets API)."""

from django.urls import path

from . import apis_calendar

urlpatterns = [
    path("calendar-days/", apis_calendar.CalendarDayListApi.as_view(), name="api-calendar-days"),
    path("calendar-days/years/", apis_calendar.CalendarYearSetApi.as_view(), name="api-calendar-years"),
    path("calendar-days/import/", apis_calendar.CalendarImportApi.as_view(), name="api-calendar-import"),
    path("calendar-days/history/", apis_calendar.CalendarHistoryApi.as_view(), name="api-calendar-history"),
]
