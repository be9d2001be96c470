"""Reads of the SLA policies and of the proposals to loosen them (issue 15 item 5), the access rule
applied once: every signed-in user reads the policies (they are the contract's); the provider's people
(accounts.selectors.user_sees_all_tenants) read every proposal, a purchaser's people their purchaser's
(another purchaser's is a 404)."""

from django.db.models import QuerySet

from accounts.selectors import user_sees_all_tenants, user_tenant_id
from core.exceptions import NotFound

from ..models import SlaPolicy, SlaPolicyChange


def sla_policy_list() -> QuerySet[SlaPolicy]:
    return SlaPolicy.objects.order_by("kind", "clock", "severity", "pk")


def sla_policy_get(*, policy_id: int) -> SlaPolicy:
    policy = SlaPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise NotFound("SLA 策略不存在")
    return policy


def sla_policy_change_list_for_user(*, user) -> QuerySet[SlaPolicyChange]:
    qs = SlaPolicyChange.objects.select_related("policy", "organization", "requested_by", "decided_by").order_by(
        "-requested_at", "-pk")
    if user_sees_all_tenants(user):
        return qs
    tenant = user_tenant_id(user)
    return qs.filter(organization_id=tenant) if tenant is not None else qs.none()


def sla_policy_change_get_for_user(*, user, change_id: int) -> SlaPolicyChange:
    change = sla_policy_change_list_for_user(user=user).filter(pk=change_id).first()
    if change is None:
        raise NotFound("SLA 目标放宽申请不存在")
    return change
