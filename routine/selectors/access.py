"""The one access rule of the routine records: provider staff and auditors read everything; purchaser
staff read the records of their own organisation's business systems (anything else is 404)."""

from django.db.models import QuerySet

from accounts.selectors import user_sees_all_tenants, user_tenant_id
from core.exceptions import NotFound


def visible(qs: QuerySet, *, user, system_path: str) -> QuerySet:
    """`qs` narrowed to what `user` may read; `system_path` leads from the model to its BusinessSystem."""
    if user_sees_all_tenants(user):
        return qs
    tenant = user_tenant_id(user)
    if tenant is None:
        return qs.none()
    return qs.filter(**{f"{system_path}__organization_id": tenant})


def get_visible(qs: QuerySet, *, user, system_path: str, pk: int):
    obj = visible(qs, user=user, system_path=system_path).filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj
