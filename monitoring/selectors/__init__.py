"""Reads of the monitoring app, with the access rule applied once.

Integrations: provider staff and the provider's auditors read all; purchaser staff (auditors included) read their organisation's. Only the
project manager and duty leaders create or change them. Alerts follow their integration's organisation.
"""

from __future__ import annotations

import hashlib
import hmac

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.selectors import user_has_role, user_sees_all_tenants, user_tenant_id
from core.exceptions import NotFound
from core.querysets import filter_given
from tickets.selectors.tickets import ticket_get_for_user

from ..models import Alert, AlertBatch, Integration

MANAGER_ROLES = (Role.PROJECT_MANAGER, Role.DUTY_LEADER)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def integration_for_token(*, token: str, kind: str) -> Integration | None:
    """The integration whose secret URL this is, or None (wrong, rotated or of another kind). The
    stored digest is compared in constant time after the indexed lookup."""
    digest = token_hash(token)
    integration = Integration.objects.filter(token_hash=digest).first()
    if integration is None or not hmac.compare_digest(integration.token_hash, digest) or integration.kind != kind:
        return None
    return integration


def user_manages_integrations(user) -> bool:
    return user_has_role(user, *MANAGER_ROLES)


def _visible(user, qs: QuerySet, org_field: str) -> QuerySet:
    if user_sees_all_tenants(user):
        return qs
    tenant = user_tenant_id(user)
    if tenant is None or not user_has_role(user, Role.APPROVER, Role.REQUESTER, Role.AUDITOR):
        return qs.none()
    return qs.filter(**{org_field: tenant})


def integration_list_for_user(*, user) -> QuerySet[Integration]:
    """With `last_alert_at`, `batch_count`, `alert_count`, `firing_count`, `pending_batches` (subqueries:
    one query for the whole list)."""
    batches = AlertBatch.objects.filter(integration=OuterRef("pk"))
    alerts = Alert.objects.filter(integration=OuterRef("pk"))

    def counted(qs) -> Coalesce:
        return Coalesce(Subquery(qs.order_by().values("integration").annotate(n=Count("pk")).values("n")[:1],
                                 output_field=IntegerField()), Value(0))

    qs = Integration.objects.select_related("organization", "default_business_system").annotate(
        last_alert_at=Subquery(batches.order_by().values("integration").annotate(m=Max("received_at")).values("m")[:1]),
        batch_count=counted(batches),
        pending_batches=counted(batches.filter(status=AlertBatch.Status.PENDING)),
        failed_batches=counted(batches.filter(status=AlertBatch.Status.FAILED)),
        alert_count=counted(alerts),
        firing_count=counted(alerts.filter(status=Alert.Status.FIRING)),
        silenced_count=counted(alerts.filter(silenced_by_change__isnull=False)),
    )
    return _visible(user, qs, "organization_id")


def integration_get_for_user(*, user, integration_id: int) -> Integration:
    integration = integration_list_for_user(user=user).filter(pk=integration_id).first()
    if integration is None:
        raise NotFound(_("监控接入不存在"))
    return integration


def alert_list_for_user(
    *, user, integration_id: int | None = None, status: str | None = None, ticket_id: int | None = None,
) -> QuerySet[Alert]:
    qs = Alert.objects.select_related("business_system", "host", "ticket", "integration").order_by("-first_received_at", "-pk")
    qs = _visible(user, qs, "integration__organization_id")
    return filter_given(qs, integration_id=integration_id, status=status, ticket_id=ticket_id)


def alerts_for_ticket(*, user, ticket_id: int) -> QuerySet[Alert]:
    """The alerts attached to a ticket the user may read (NotFound otherwise)."""
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id, for_display=False)
    return alert_list_for_user(user=user, ticket_id=ticket.pk)


def alerts_silenced_by_change(*, user, change_id: int) -> QuerySet[Alert]:
    return alert_list_for_user(user=user).filter(silenced_by_change=change_id)


def alert_counts_by_status(*, user) -> dict:
    return alert_list_for_user(user=user).aggregate(
        firing=Count("pk", filter=Q(status=Alert.Status.FIRING)),
        resolved=Count("pk", filter=Q(status=Alert.Status.RESOLVED)),
    )
