"""API routes of the tickets app, mounted under /api/v1/."""

from django.urls import path

from . import apis
from . import apis_exclusions as exl
from . import apis_policies as pol
from . import apis_reference as ref
from . import apis_saved_views as saved
from .services.actions import ticket_action_url_slug

urlpatterns = [
    path("contracts/", ref.ContractListApi.as_view(), name="api-contracts"),
    path("service-items/", ref.ServiceItemListApi.as_view(), name="api-service-items"),
    path("business-systems/", ref.BusinessSystemListApi.as_view(), name="api-business-systems"),
    path("business-systems/<int:pk>/", ref.BusinessSystemDetailApi.as_view(), name="api-business-system"),
    path("hosts/", ref.HostListApi.as_view(), name="api-hosts"),
    path("hosts/<int:pk>/", ref.HostDetailApi.as_view(), name="api-host"),
    path("tickets/", apis.TicketListCreateApi.as_view(), name="api-tickets"),
    path("tickets/bulk/", apis.TicketBulkApi.as_view(), name="api-tickets-bulk"),
    path("tickets/export.<slug:fmt>", apis.TicketExportApi.as_view(), name="api-tickets-export"),
    path("tickets/<int:pk>/", apis.TicketDetailApi.as_view(), name="api-ticket"),
    *[
        path(f"tickets/<int:pk>/{slug}/", apis.ticket_action_view(action), name=f"api-ticket-{slug}")
        for action in apis.ACTION_INPUTS
        for slug in [ticket_action_url_slug(action)]
    ],
    path("tickets/<int:pk>/cancel/", apis.TicketCancelApi.as_view(), name="api-ticket-cancel"),
    path("tickets/<int:pk>/merge/", apis.TicketMergeApi.as_view(), name="api-ticket-merge"),
    path("tickets/<int:pk>/mark-major/", apis.TicketMarkMajorApi.as_view(), name="api-ticket-mark-major"),
    path("ticket-views/", saved.SavedViewListApi.as_view(), name="api-ticket-views"),
    path("ticket-views/<int:pk>/", saved.SavedViewDetailApi.as_view(), name="api-ticket-view"),
    path("exclusions/", exl.ExclusionListApi.as_view(), name="api-exclusions"),
    path("exclusions/<int:pk>/", exl.ExclusionDetailApi.as_view(), name="api-exclusion"),
    *[
        path(f"exclusions/<int:pk>/{action}/", exl.exclusion_action_view(action), name=f"api-exclusion-{action}")
        for action in exl.EXCLUSION_ACTIONS
    ],
    path("tickets/<int:pk>/comments/", apis.TicketCommentApi.as_view(), name="api-ticket-comments"),
    path("tickets/<int:pk>/attachments/", apis.TicketAttachmentApi.as_view(), name="api-ticket-attachments"),
    path(
        "tickets/<int:pk>/attachments/<int:attachment_id>/download/",
        apis.TicketAttachmentDownloadApi.as_view(),
        name="api-ticket-attachment-download",
    ),
    path("tickets/<int:pk>/events/", apis.TicketEventApi.as_view(), name="api-ticket-events"),
    path("tickets/<int:pk>/satisfaction/", apis.TicketSatisfactionApi.as_view(), name="api-ticket-satisfaction"),
    path("tickets/<int:pk>/downtime/", apis.TicketDowntimeApi.as_view(), name="api-ticket-downtime"),
    path(
        "tickets/<int:pk>/downtime/<int:record_id>/",
        apis.TicketDowntimeDetailApi.as_view(),
        name="api-ticket-downtime-detail",
    ),
    path("sla-policies/", apis.SlaPolicyListApi.as_view(), name="api-sla-policies"),
    path("sla-policies/<int:pk>/", apis.SlaPolicyDetailApi.as_view(), name="api-sla-policy"),
    path("sla-policies/<int:pk>/changes/", pol.SlaPolicyChangeProposeApi.as_view(), name="api-sla-policy-changes"),
    path("sla-policy-changes/", pol.SlaPolicyChangeListApi.as_view(), name="api-sla-policy-change-list"),
    *[
        path(f"sla-policy-changes/<int:pk>/{action}/", pol.sla_policy_change_action_view(action),
             name=f"api-sla-policy-change-{action}")
        for action in pol.SLA_POLICY_CHANGE_ACTIONS
    ],
    path("satisfaction-follow-ups/", apis.FollowUpListApi.as_view(), name="api-follow-ups"),
    path("satisfaction-follow-ups/<int:pk>/close/", apis.FollowUpCloseApi.as_view(), name="api-follow-up-close"),
]
