"""Pages of the purchaser's assessments and remediation items, included by reports/urls.py (under /reports/)."""

from django.urls import path

from . import views_assessments as views

urlpatterns = [
    path("packages/<int:pk>/receive/", views.package_receive, name="reports-package-receive"),
    path("assessments/", views.assessment_list, name="reports-assessments"),
    path("assessments/final/", views.assessment_final_open, name="reports-assessment-final"),
    path("assessments/<int:pk>/", views.assessment_detail, name="reports-assessment-detail"),
    path("assessments/<int:pk>/opinion.pdf", views.assessment_opinion, name="reports-assessment-opinion"),
    path("remediation/", views.remediation_list, name="reports-remediation"),
    path("remediation/<int:pk>/", views.remediation_item_detail, name="reports-remediation-detail"),
    path("remediation/<int:pk>/answer/", views.remediation_answer, name="reports-remediation-answer"),
    path("remediation/<int:pk>/close/", views.remediation_close, name="reports-remediation-close"),
    path("remediation/<int:pk>/return/", views.remediation_return, name="reports-remediation-return"),
    path("remediation/<int:pk>/attachments/<int:attachment_id>/", views.remediation_attachment,
         name="reports-remediation-attachment"),
]
