"""Writes about people and roles."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Organization, User


@transaction.atomic
def user_create(
    *,
    username: str,
    real_name: str,
    organization: Organization,
    roles: list[str],
    password: str | None,
    email: str = "",
    mobile: str = "",
    title: str = "",
    is_staff: bool = False,
) -> User:
    user = User(
        username=username,
        real_name=real_name,
        organization=organization,
        email=email,
        mobile=mobile,
        title=title,
        is_staff=is_staff,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user_set_roles(user=user, roles=roles)
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: list[str]) -> None:
    groups = list(Group.objects.filter(name__in=roles))
    missing = set(roles) - {g.name for g in groups}
    if missing:
        raise ValueError(f"unknown roles: {sorted(missing)}")
    user.groups.set(groups)
    if hasattr(user, "_opsdesk_roles"):
        del user._opsdesk_roles
