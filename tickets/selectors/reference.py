"""Reads of the reference data, with the tenant rule applied once."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import CharField, F, IntegerField, QuerySet, Value

from accounts.models import Organization, User
from accounts.roles import PROVIDER_ROLES
from accounts.selectors import purchaser_organization_list, user_sees_all_tenants, user_tenant_id, users_with_role

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


# ---------------------------------------------------------------- the drop-downs' (id, name) pairs
#
# The list and queue pages' filter form and the ticket page's assign form list the business systems a
# user may see, the purchaser organisations and the provider's staff: some 130 options, read on every
# page view, changed a few times a year. With a cache every process shares (settings.SHARED_CACHE:
# Redis in production), each list is kept under its own key and forgotten when one of its rows is saved
# or deleted or a user's roles change (reference_choices_connect, TicketsConfig.ready); a bulk update
# without signals shows within CHOICES_TIMEOUT. A per-process cache could not be told by another
# process, so without a shared one the lists are read every time. Only what a drop-down shows is kept:
# a submitted value is still checked against the database (the form fields keep their querysets). A
# cache that fails is a miss: the lists are read from the database.

CHOICES_TIMEOUT = 300
_CHOICES_PREFIX = "opsdesk:choices:"
CHOICE_SYSTEMS, CHOICE_ORGANIZATIONS, CHOICE_STAFF = "systems", "organizations", "staff"

logger = logging.getLogger(__name__)


def _choices_key(part: str, user=None) -> str:
    if part != CHOICE_SYSTEMS:
        return _CHOICES_PREFIX + part
    return f"{_CHOICES_PREFIX}{part}:{'all' if user_sees_all_tenants(user) else user_tenant_id(user)}"


def provider_staff_list() -> QuerySet[User]:
    return users_with_role(*PROVIDER_ROLES)


def _choice_pairs_read(*, user, parts: list[str]) -> dict[str, list[tuple[int, str]]]:
    """The pairs of `parts` from the database in one query (UNION ALL, each part in its own order)."""
    sources = {
        CHOICE_SYSTEMS: (lambda: business_system_list_for_user(user=user), "name", None),
        CHOICE_ORGANIZATIONS: (purchaser_organization_list, "name", None),
        CHOICE_STAFF: (provider_staff_list, "real_name", "username"),
    }
    queries = []
    for index, part in enumerate(parts):
        queryset, shown, fallback = sources[part]
        queries.append(
            queryset().order_by()
            .annotate(choice_source=Value(index, IntegerField()), choice_label=F(shown),
                      choice_tie=F(fallback) if fallback else Value("", CharField()))
            .values_list("choice_source", "pk", "choice_label", "choice_tie")
        )
    rows = queries[0].union(*queries[1:], all=True).order_by("choice_source", "choice_label", "choice_tie")
    read: dict[str, list] = {part: [] for part in parts}
    for index, pk, label, tie in rows:
        read[parts[index]].append((pk, label or tie))
    return read


def reference_choices(*, user, parts: tuple[str, ...]) -> dict[str, list[tuple[int, str]]]:
    """{part: [(id, name), ...]} for `parts` (CHOICE_SYSTEMS: the business systems `user` may see, by
    name; CHOICE_ORGANIZATIONS: the purchasers, by name; CHOICE_STAFF: the provider's active staff, by
    real name, the username where it is empty): from the shared cache where it has them, the rest read
    in one query and kept."""
    if not settings.SHARED_CACHE:
        return _choice_pairs_read(user=user, parts=list(parts))
    keys = {part: _choices_key(part, user) for part in parts}
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:  # noqa: BLE001 - a failing cache is a miss
        logger.warning("cache unavailable: the drop-downs are read from the database", exc_info=True)
        return _choice_pairs_read(user=user, parts=list(parts))
    out = {part: found[key] for part, key in keys.items() if key in found}
    missing = [part for part in parts if part not in out]
    if missing:
        read = _choice_pairs_read(user=user, parts=missing)
        try:
            cache.set_many({keys[part]: pairs for part, pairs in read.items()}, CHOICES_TIMEOUT)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable: the drop-downs are not kept", exc_info=True)
        out.update(read)
    return out


def reference_choices_forget(*, parts: tuple[str, ...]) -> None:
    """Forget the cached pairs of `parts` (every tenant's business systems for CHOICE_SYSTEMS): at once,
    and again when the change is committed (a reader may have kept the old rows meanwhile)."""
    if not settings.SHARED_CACHE:
        return

    def forget() -> None:
        keys = [_CHOICES_PREFIX + part for part in parts if part != CHOICE_SYSTEMS]
        if CHOICE_SYSTEMS in parts:
            tenants = ["all", "None", *Organization.objects.order_by().values_list("pk", flat=True)]
            keys += [f"{_CHOICES_PREFIX}{CHOICE_SYSTEMS}:{tenant}" for tenant in tenants]
        try:
            cache.delete_many(keys)
        except Exception:  # noqa: BLE001 - the lists then show within CHOICES_TIMEOUT
            logger.warning("cache unavailable: cached drop-downs expire within %s s", CHOICES_TIMEOUT, exc_info=True)

    forget()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(forget)


def _forgetting(*parts: str, ignore_fields: frozenset = frozenset()):
    def receiver(sender, update_fields=None, raw=False, action=None, **kwargs) -> None:
        if raw or (action is not None and action not in ("post_add", "post_remove", "post_clear")):
            return
        if update_fields and set(update_fields) <= ignore_fields:
            return  # e.g. a login writes last_login only: nothing a drop-down shows
        reference_choices_forget(parts=parts)
    return receiver


def reference_choices_connect() -> None:
    """Forget the cached drop-down pairs when a business system, purchaser organisation or user is
    saved or deleted, or a user's roles change (TicketsConfig.ready)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from ..models import BusinessSystem

    watched = (
        (BusinessSystem, _forgetting(CHOICE_SYSTEMS)),
        (Organization, _forgetting(CHOICE_ORGANIZATIONS)),
        (User, _forgetting(CHOICE_STAFF, ignore_fields=frozenset({"last_login", "password"}))),
    )
    for model, receiver in watched:
        label = model._meta.label_lower
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"choices-save:{label}")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"choices-delete:{label}")
    m2m_changed.connect(_forgetting(CHOICE_STAFF), sender=User.groups.through, weak=False, dispatch_uid="choices-roles")
