"""API routes of the tickets app, mounted under /api/v1/."""

from django.urls import path

from . import apis_reference as ref

urlpatterns = [
    path("contracts/", ref.ContractListApi.as_view(), name="api-contracts"),
    path("service-items/", ref.ServiceItemListApi.as_view(), name="api-service-items"),
    path("business-systems/", ref.BusinessSystemListApi.as_view(), name="api-business-systems"),
    path("business-systems/<int:pk>/", ref.BusinessSystemDetailApi.as_view(), name="api-business-system"),
    path("hosts/", ref.HostListApi.as_view(), name="api-hosts"),
    path("hosts/<int:pk>/", ref.HostDetailApi.as_view(), name="api-host"),
]
