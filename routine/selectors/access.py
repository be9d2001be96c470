"""The one access rule of the routine records (accounts.selectors.user_sees_all_tenants): provider staff
and the provider's auditors read everything; purchaser staff, auditors included, read the records of
their own organisation's business systems (anything else is 404)."""

from django.db.models import QuerySet

from accounts.selectors import user_sees_all_tenants, user_tenant_id
from core.exceptions import NotFound


def visible(qs: QuerySet, *, user, system_path: str = "", org_path: str = "", organization_id: int | None = None) -> QuerySet:
    """`qs` narrowed to what `user` may read; `system_path` leads from the model to its BusinessSystem
    (or `org_path` straight to the purchaser). With `organization_id` (and no user) the rows of that
    purchaser: the monthly report and the acceptance package, whose caller decided who may read them."""
    if organization_id is not None:
        return qs.filter(**{f"{org_path or system_path + '__organization'}_id": organization_id})
    if user_sees_all_tenants(user):
        return qs
    tenant = user_tenant_id(user)
    if tenant is None:
        return qs.none()
    return qs.filter(**{f"{org_path or system_path + '__organization'}_id": tenant})


def get_visible(qs: QuerySet, *, user, pk: int, system_path: str = "", org_path: str = ""):
    obj = visible(qs, user=user, system_path=system_path, org_path=org_path).filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj
