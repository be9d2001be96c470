"""API routes of change requests, mounted under /api/v1/ (paths unchanged)."""

from django.urls import path

from . import apis as chg

urlpatterns = [
    path("changes/", chg.ChangeListCreateApi.as_view(), name="api-changes"),
    path("changes/<int:pk>/", chg.ChangeDetailApi.as_view(), name="api-change"),
    path("changes/<int:pk>/submit/", chg.ChangeSubmitApi.as_view(), name="api-change-submit"),
    path("changes/<int:pk>/approve/", chg.ChangeApproveApi.as_view(), name="api-change-approve"),
    path("changes/<int:pk>/reject/", chg.ChangeRejectApi.as_view(), name="api-change-reject"),
    path("changes/<int:pk>/start/", chg.ChangeStartApi.as_view(), name="api-change-start"),
    path("changes/<int:pk>/complete/", chg.ChangeCompleteApi.as_view(), name="api-change-complete"),
    path("changes/<int:pk>/review/", chg.ChangeReviewApi.as_view(), name="api-change-review"),
    path("changes/<int:pk>/cancel/", chg.ChangeCancelApi.as_view(), name="api-change-cancel"),
    path("change-templates/", chg.ChangeTemplateListApi.as_view(), name="api-change-templates"),
    path("change-templates/<int:pk>/", chg.ChangeTemplateDetailApi.as_view(), name="api-change-template"),
]
