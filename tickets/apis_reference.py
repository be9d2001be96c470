"""Read-only API of the contract's reference data."""

from rest_framework import generics, serializers

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


class ContractListApi(generics.ListAPIView):
    queryset = Contract.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = ContractSerializer
    filterset_fields = ["purchaser", "provider"]
    ordering_fields = ["start_date", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Contract.objects.none()
        return contract_list_for_user(user=self.request.user).order_by("start_date", "pk")


class ServiceItemListApi(generics.ListAPIView):
    queryset = ServiceItem.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = ServiceItemSerializer
    filterset_fields = ["contract", "category"]
    ordering_fields = ["seq", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return ServiceItem.objects.none()
        return service_item_list_for_user(user=self.request.user).order_by("contract_id", "seq")


class BusinessSystemListApi(generics.ListAPIView):
    queryset = BusinessSystem.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = BusinessSystemSerializer
    filterset_fields = ["organization", "importance", "onboarding_status"]
    ordering_fields = ["name", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return BusinessSystem.objects.none()
        return business_system_list_for_user(user=self.request.user).order_by("pk")


class BusinessSystemDetailApi(generics.RetrieveAPIView):
    queryset = BusinessSystem.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = BusinessSystemSerializer

    def get_queryset(self):
        return business_system_list_for_user(user=self.request.user)


class HostListApi(generics.ListAPIView):
    queryset = Host.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = HostSerializer
    filterset_fields = ["business_system", "os_family", "monitored"]
    ordering_fields = ["name", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Host.objects.none()
        return host_list_for_user(user=self.request.user).order_by("pk")


class HostDetailApi(generics.RetrieveAPIView):
    queryset = Host.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = HostSerializer

    def get_queryset(self):
        return host_list_for_user(user=self.request.user)
