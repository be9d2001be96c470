"""Pages of the roster app, under /roster/."""

from django.urls import path

from . import views, views_calendar

urlpatterns = [
    path("calendar/", views_calendar.calendar_page, name="roster-calendar"),
    path("calendar/template.csv", views_calendar.calendar_template_csv, name="roster-calendar-template"),
    path("periods/", views.period_list, name="roster-periods"),
    path("periods/<int:pk>/", views.period_edit, name="roster-period-edit"),
    path("rosters/", views.roster_list, name="roster-list"),
    path("rosters/new/", views.roster_new, name="roster-new"),
    path("rosters/<int:pk>/", views.roster_detail, name="roster-detail"),
    path("rosters/<int:pk>/do/<str:action>/", views.roster_action, name="roster-action"),
    path("rosters/<int:pk>/roster.csv", views.roster_csv, name="roster-csv"),
    path("rosters/<int:pk>/roster.pdf", views.roster_pdf, name="roster-pdf"),
    path("mine/", views.my_shifts, name="roster-my-shifts"),
    path("swaps/", views.swap_inbox, name="roster-swaps"),
    path("swaps/new/", views.swap_new, name="roster-swap-new"),
    path("log/", views.duty_log, name="roster-log"),
    path("handover/", views.handover, name="roster-handover"),
    path("on-duty/", views.on_duty_now, name="roster-on-duty"),
    path("feeds/member/<str:token>.ics", views.feed_member, name="roster-feed-member"),
    path("feeds/roster/<str:token>.ics", views.feed_roster, name="roster-feed-roster"),
]
