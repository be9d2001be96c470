"""Pages of the tickets app."""

from django.urls import path

from . import views_reference
from .views import bulk, detail, exclusions, policies, queues, saved_views, submit

urlpatterns = [
    path("systems/", views_reference.business_system_list, name="business-systems"),
    path("systems/<int:pk>/", views_reference.business_system_detail, name="business-system"),
    path("catalogue/", views_reference.service_catalogue, name="service-catalogue"),
    path("tickets/", queues.ticket_list, name="ticket-list"),
    path("tickets/bulk/", bulk.ticket_bulk, name="ticket-bulk"),
    path("tickets/views/", saved_views.saved_view_create_page, name="ticket-view-create"),
    path("tickets/views/<int:pk>/", saved_views.saved_view_update_page, name="ticket-view-update"),
    path("tickets/views/<int:pk>/delete/", saved_views.saved_view_delete_page, name="ticket-view-delete"),
    path("tickets/export.<slug:fmt>", queues.ticket_export, name="ticket-export"),
    path("tickets/new/", submit.ticket_submit, name="ticket-submit"),
    path("tickets/intake/", submit.ticket_intake, name="ticket-intake"),
    path("tickets/queue/", queues.ticket_queue_page, name="ticket-queue"),
    path("tickets/queue/<slug:queue>/", queues.ticket_queue_page, name="ticket-queue-named"),
    path("tickets/<int:pk>/", detail.ticket_detail, name="ticket-detail"),
    path("tickets/<int:pk>/do/<slug:action>/", detail.ticket_action, name="ticket-action"),
    path("sla-policies/", policies.sla_policies, name="sla-policies"),
    path("sla-policies/changes/<int:pk>/<slug:action>/", policies.sla_policy_change_action, name="sla-policy-change-action"),
    path("exclusions/", exclusions.exclusion_list, name="exclusion-list"),
    path("exclusions/inbox/", exclusions.exclusion_inbox, name="exclusion-inbox"),
    path("exclusions/<int:pk>/", exclusions.exclusion_detail, name="exclusion-detail"),
    path("exclusions/<int:pk>/<slug:action>/", exclusions.exclusion_action, name="exclusion-action"),
    path(
        "tickets/<int:pk>/attachments/<int:attachment_id>/download/",
        detail.ticket_attachment_download,
        name="ticket-attachment-download",
    ),
]
