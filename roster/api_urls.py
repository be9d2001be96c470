"""API routes of the roster app, mounted under /api/v1/roster/."""

from django.urls import path

from . import apis

urlpatterns = [
    path("periods/", apis.PeriodListCreateApi.as_view(), name="api-roster-periods"),
    path("periods/propose/", apis.PeriodProposeApi.as_view(), name="api-roster-periods-propose"),
    path("periods/<int:pk>/", apis.PeriodDetailApi.as_view(), name="api-roster-period"),
    path("rosters/", apis.RosterListCreateApi.as_view(), name="api-roster-rosters"),
    path("rosters/<int:pk>/", apis.RosterDetailApi.as_view(), name="api-roster-roster"),
    path("rosters/<int:pk>/generate/", apis.RosterGenerateApi.as_view(), name="api-roster-generate"),
    path("rosters/<int:pk>/publish/", apis.RosterPublishApi.as_view(), name="api-roster-publish"),
    path("rosters/<int:pk>/edit/", apis.RosterEditApi.as_view(), name="api-roster-edit"),
    path("rosters/<int:pk>/versions/", apis.RosterVersionListApi.as_view(), name="api-roster-versions"),
    path("rosters/<int:pk>/fairness/", apis.RosterFairnessApi.as_view(), name="api-roster-fairness"),
    path("rosters/<int:pk>/feed-token/", apis.RosterFeedTokenApi.as_view(), name="api-roster-feed-token"),
    path("shifts/", apis.ShiftListApi.as_view(), name="api-roster-shifts"),
    path("assignments/", apis.AssignmentListApi.as_view(), name="api-roster-assignments"),
    path("assignments/<int:pk>/", apis.AssignmentDetailApi.as_view(), name="api-roster-assignment"),
    path("members/", apis.MemberListApi.as_view(), name="api-roster-members"),
    path("on-duty/", apis.OnDutyApi.as_view(), name="api-roster-on-duty"),
    path("swaps/", apis.SwapListCreateApi.as_view(), name="api-roster-swaps"),
    path("swaps/<int:pk>/<str:action>/", apis.SwapActionApi.as_view(), name="api-roster-swap-action"),
    path("duty-logs/", apis.DutyLogListCreateApi.as_view(), name="api-roster-duty-logs"),
    path("duty-reports/", apis.DutyReportListCreateApi.as_view(), name="api-roster-duty-reports"),
    path("handovers/", apis.HandoverListCreateApi.as_view(), name="api-roster-handovers"),
    path("handovers/<int:pk>/sign/", apis.HandoverSignApi.as_view(), name="api-roster-handover-sign"),
]
