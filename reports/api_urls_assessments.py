"""API routes of the purchaser's assessments and remediation items, included by reports/api_urls.py
(under /api/v1/reports/)."""

from django.urls import path

from . import apis_assessments as apis

urlpatterns = [
    path("assessments/", apis.AssessmentListApi.as_view(), name="api-reports-assessments"),
    path("assessments/<int:pk>/", apis.AssessmentDetailApi.as_view(), name="api-reports-assessment-detail"),
    path("assessments/<int:pk>/assess/", apis.AssessmentAssessApi.as_view(), name="api-reports-assessment-assess"),
    path("assessments/<int:pk>/opinion.pdf", apis.AssessmentOpinionApi.as_view(), name="api-reports-assessment-opinion"),
    path("remediation-items/", apis.RemediationItemListApi.as_view(), name="api-reports-remediation-items"),
    path("remediation-items/<int:pk>/", apis.RemediationItemDetailApi.as_view(), name="api-reports-remediation-item"),
    path("remediation-items/<int:pk>/answer/", apis.RemediationItemAnswerApi.as_view(), name="api-reports-remediation-answer"),
    path("remediation-items/<int:pk>/close/", apis.RemediationItemCloseApi.as_view(), name="api-reports-remediation-close"),
    path("remediation-items/<int:pk>/return/", apis.RemediationItemReturnApi.as_view(), name="api-reports-remediation-return"),
    path("remediation-items/<int:pk>/attachments/<int:attachment_id>/", apis.RemediationAttachmentDownloadApi.as_view(),
         name="api-reports-remediation-attachment"),
]
