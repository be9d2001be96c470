"""Read-only API of the contract's reference data."""

from rest_framework import generics, serializers

from core.api_lists import SelectorRowsMixin

from .models import BusinessSystem, Contract, Host, ServiceItem
from .selectors.reference import (
    business_system_list_for_user,
    contract_list_for_user,
    host_list_for_user,
    service_item_list_for_user,
)


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contract
        fields = ["id", "name", "code", "purchaser", "provider", "start_date", "end_date", "previous"]


class ServiceItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceItem
        fields = ["id", "contract", "seq", "category", "sub_category", "item", "unit", "quantity", "months"]


class BusinessSystemSerializer(serializers.ModelSerializer):
    class Meta:
        model = BusinessSystem
        fields = ["id", "name", "organization", "owner_department", "importance", "onboarding_status", "description"]


class HostSerializer(serializers.ModelSerializer):
    class Meta:
        model = Host
        fields = ["id", "name", "business_system", "vcpu", "memory_gb", "storage_gb", "os_family", "ip_address", "monitored"]


class ContractListApi(SelectorRowsMixin, generics.ListAPIView):
    queryset = Contract.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = ContractSerializer
    filterset_fields = ["purchaser", "provider"]
    ordering_fields = ["start_date", "id"]

    def rows(self, request, kwargs):
        return contract_list_for_user(user=request.user).order_by("start_date", "pk")


class ServiceItemListApi(SelectorRowsMixin, generics.ListAPIView):
    queryset = ServiceItem.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = ServiceItemSerializer
    filterset_fields = ["contract", "category"]
    ordering_fields = ["seq", "id"]

    def rows(self, request, kwargs):
        return service_item_list_for_user(user=request.user).order_by("contract_id", "seq")


class BusinessSystemListApi(SelectorRowsMixin, generics.ListAPIView):
    queryset = BusinessSystem.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = BusinessSystemSerializer
    filterset_fields = ["organization", "importance", "onboarding_status"]
    ordering_fields = ["name", "id"]

    def rows(self, request, kwargs):
        return business_system_list_for_user(user=request.user).order_by("pk")


class BusinessSystemDetailApi(SelectorRowsMixin, generics.RetrieveAPIView):
    queryset = BusinessSystem.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = BusinessSystemSerializer

    def rows(self, request, kwargs):
        return business_system_list_for_user(user=request.user)


class HostListApi(SelectorRowsMixin, generics.ListAPIView):
    queryset = Host.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = HostSerializer
    filterset_fields = ["business_system", "os_family", "monitored"]
    ordering_fields = ["name", "id"]

    def rows(self, request, kwargs):
        return host_list_for_user(user=request.user).order_by("pk")


class HostDetailApi(SelectorRowsMixin, generics.RetrieveAPIView):
    queryset = Host.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = HostSerializer

    def rows(self, request, kwargs):
        return host_list_for_user(user=request.user)
