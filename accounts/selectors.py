"""Reads about people, organisations and roles. The one place that knows how roles are stored."""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.functional import SimpleLazyObject, empty

from .models import Organization, User
from .roles import MANAGER_ROLES, PROVIDER_ROLES, PURCHASER_ROLES, Role

_CACHE_ATTR = "_opsdesk_roles"


def user_roles(user: User | AnonymousUser) -> frozenset[str]:
    """The user's role codes, read once per user object (one query) and cached on it."""
    if not user or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def concrete_user(user):
    """The user object behind `request.user`, which Django wraps in a SimpleLazyObject: every attribute
    read through the wrapper is two more Python calls, and a page of 25 rows asks the roles of the same
    user for each of ~20 actions of each row. Anything else is returned as it is."""
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user


def user_roles_loaded(user: User, names) -> None:
    """Keep role names read together with the user (accounts.authentication reads the user, their
    organisation and their roles in one query) as user_roles' cache: the request asks no second query."""
    setattr(user, _CACHE_ATTR, frozenset(name for name in names if name))


def user_has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def user_is_provider_staff(user: User | AnonymousUser) -> bool:
    return bool(user_roles(user) & PROVIDER_ROLES)


def user_is_manager(user: User | AnonymousUser) -> bool:
    """Duty leader or project manager: may assign, approve swaps, manage rosters."""
    return bool(user_roles(user) & MANAGER_ROLES)


def user_is_purchaser(user: User | AnonymousUser) -> bool:
    return bool(user_roles(user) & PURCHASER_ROLES) and not user_is_provider_staff(user)


def user_is_auditor(user: User | AnonymousUser) -> bool:
    return Role.AUDITOR in user_roles(user)


def user_is_provider_auditor(user: User | AnonymousUser) -> bool:
    """An auditor employed by the provider (its quality auditor), not by a purchaser."""
    if not user_is_auditor(user):
        return False
    org = user.organization
    return org is not None and org.kind == Organization.Kind.PROVIDER


def user_sees_all_tenants(user: User | AnonymousUser) -> bool:
    """Clauses 6.2.4, 6.2.9 (per-organisation access), the one rule every access selector applies:
    provider staff, the provider's own auditors and superusers read every purchaser's data; everyone of
    a purchaser — its auditors included — only that purchaser's (user_tenant_id). An auditor belongs
    to the organisation that employs it: a purchaser's 审计处 audits that purchaser, not the others."""
    return user_is_provider_staff(user) or user_is_provider_auditor(user) or bool(getattr(user, "is_superuser", False))


def user_tenant_id(user: User) -> int | None:
    org = user.organization
    return org.tenant_id if org else None


def purchaser_organization_list() -> QuerySet[Organization]:
    """The purchasers: top-level organisations of the purchaser kind (their departments are below them)."""
    return Organization.objects.filter(kind=Organization.Kind.PURCHASER, parent__isnull=True)


def organization_list_for_user(*, user: User) -> QuerySet[Organization]:
    qs = Organization.objects.select_related("parent")
    if user_sees_all_tenants(user):
        return qs
    tenant = user_tenant_id(user)
    return qs.filter(pk=tenant) | qs.filter(parent_id=tenant)


def users_with_role(*roles: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name__in=list(roles)).distinct().order_by("pk")


def user_list(*, ids: Iterable[int] | None = None) -> QuerySet[User]:
    qs = User.objects.select_related("organization").filter(is_active=True)
    return qs.filter(pk__in=list(ids)) if ids is not None else qs
