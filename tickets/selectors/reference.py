"""Reads of the reference data, with the tenant rule applied once."""

from django.db.models import QuerySet

from accounts.selectors import user_sees_all_tenants, user_tenant_id

from ..models import BusinessSystem, Contract, Host, ServiceItem


def business_system_list_for_user(*, user) -> QuerySet[BusinessSystem]:
    qs = BusinessSystem.objects.select_related("organization", "owner_department")
    if user_sees_all_tenants(user):
        return qs
    return qs.filter(organization_id=user_tenant_id(user))


def host_list_for_user(*, user) -> QuerySet[Host]:
    qs = Host.objects.select_related("business_system")
    if user_sees_all_tenants(user):
        return qs
    return qs.filter(business_system__organization_id=user_tenant_id(user))


def contract_list_for_user(*, user) -> QuerySet[Contract]:
    qs = Contract.objects.select_related("purchaser", "provider")
    if user_sees_all_tenants(user):
        return qs
    return qs.filter(purchaser_id=user_tenant_id(user))


def service_item_list_for_user(*, user) -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(contract__in=contract_list_for_user(user=user)).select_related("contract")
