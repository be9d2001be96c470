"""Integrations as data: create, change, rotate the secret URL."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.roles import Role
from accounts.services import user_create
from core.db import lock_one
from core.exceptions import PermissionDenied, ValidationFailed
from tickets.models.reference import BusinessSystem
from tickets.services.alerts import Severity

from ..models import Integration
from ..selectors import token_hash, user_manages_integrations

MONITOR_USERNAME = "opsdesk-monitor"
SEVERITY_KEYS = ("critical", "warning", "info")


def integration_url(*, integration: Integration, token: str) -> str:
    """The absolute secret URL (OPSDESK_SITE_URL + /api/v1/integrations/<token>/<kind>/)."""
    from django.urls import reverse

    path = reverse("api-integration-intake", kwargs={"token": token, "kind": integration.kind})
    return settings.OPSDESK_SITE_URL.rstrip("/") + path


def integration_url_shown(*, integration: Integration) -> str:
    """The URL with the token left out (pages show it in the set-up snippets once the token is gone)."""
    marker = "TOKEN-PLACEHOLDER"
    return integration_url(integration=integration, token=marker).replace(marker, _("<密钥>"))


def _new_token() -> str:
    return secrets.token_urlsafe(32)  # 32 random bytes


def _require_manager(actor: User) -> None:
    if not user_manages_integrations(actor):
        raise PermissionDenied(_("只有项目经理或值班负责人可以管理监控接入"))


def _clean(*, organization: Organization, default_business_system: BusinessSystem, severity_mapping: dict,
           grouping_labels: list, flap_window_minutes: int, kind: str, name: str) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("请填写名称")]
    if kind not in Integration.Kind.values:
        errors["kind"] = [_("类型无效")]
    if organization.kind != Organization.Kind.PURCHASER or organization.parent_id is not None:
        errors["organization"] = [_("请选择采购人单位")]
    elif default_business_system.organization_id != organization.pk:
        errors["default_business_system"] = [_("默认业务系统不属于该采购人")]
    if not isinstance(severity_mapping, dict) or any(
        not isinstance(k, str) or v not in Severity.values for k, v in severity_mapping.items()
    ):
        errors["severity_mapping"] = [_("级别映射应为 {告警级别: P1–P4}")]
    if not isinstance(grouping_labels, list) or not grouping_labels or any(
        not isinstance(x, str) or not x.strip() for x in grouping_labels
    ):
        errors["grouping_labels"] = [_("请至少填写一个分组标签")]
    if not 0 <= flap_window_minutes <= 24 * 60:
        errors["flap_window_minutes"] = [_("抖动窗口应在 0–1440 分钟之间")]
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def integration_create(
    *, actor: User, name: str, kind: str, organization: Organization, default_business_system: BusinessSystem,
    severity_mapping: dict | None = None, grouping_labels: list | None = None, flap_window_minutes: int = 30,
    raise_in_heavy_protection: bool = False, enabled: bool = True, now: dt.datetime | None = None,
) -> tuple[Integration, str]:
    """Create an integration; returns it and its token (shown once: only the digest is kept)."""
    _require_manager(actor)
    now = now or timezone.now()
    severity_mapping = dict(severity_mapping) if severity_mapping is not None else {"critical": "P2", "warning": "P3", "info": "P4"}
    grouping_labels = list(grouping_labels) if grouping_labels is not None else ["business_system", "alertname"]
    _clean(organization=organization, default_business_system=default_business_system, severity_mapping=severity_mapping,
           grouping_labels=grouping_labels, flap_window_minutes=flap_window_minutes, kind=kind, name=name)
    if Integration.objects.filter(name=name.strip()).exists():
        raise ValidationFailed(fields={"name": [_("已有同名的监控接入")]})
    token = _new_token()
    integration = Integration.objects.create(
        name=name.strip(), kind=kind, organization=organization, default_business_system=default_business_system,
        severity_mapping=severity_mapping, grouping_labels=[x.strip() for x in grouping_labels],
        flap_window_minutes=flap_window_minutes, raise_in_heavy_protection=raise_in_heavy_protection, enabled=enabled,
        token_hash=token_hash(token), token_rotated_at=now, created_by=actor, created_at=now, updated_at=now,
    )
    return integration, token


UPDATABLE = ("name", "default_business_system", "severity_mapping", "grouping_labels", "flap_window_minutes",
             "raise_in_heavy_protection", "enabled")


@transaction.atomic
def integration_update(*, actor: User, integration: Integration, now: dt.datetime | None = None, **changes) -> Integration:
    """Change the settings (not the kind, the organisation or the token: see integration_rotate_token)."""
    _require_manager(actor)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValidationFailed(fields={name: [_("不能修改此字段")] for name in sorted(unknown)})
    now = now or timezone.now()
    integration = lock_one(Integration.objects.select_related("organization"), integration.pk)
    for name, value in changes.items():
        setattr(integration, name, value)
    _clean(organization=integration.organization, default_business_system=integration.default_business_system,
           severity_mapping=integration.severity_mapping, grouping_labels=integration.grouping_labels,
           flap_window_minutes=integration.flap_window_minutes, kind=integration.kind, name=integration.name)
    if "name" in changes and Integration.objects.filter(name=integration.name).exclude(pk=integration.pk).exists():
        raise ValidationFailed(fields={"name": [_("已有同名的监控接入")]})
    integration.updated_at = now
    integration.save(update_fields=[*changes, "updated_at"])
    return integration


@transaction.atomic
def integration_rotate_token(*, actor: User, integration: Integration, now: dt.datetime | None = None) -> tuple[Integration, str]:
    """A new secret URL; the old one stops at once (its digest is gone)."""
    _require_manager(actor)
    now = now or timezone.now()
    integration = lock_one(Integration.objects.all(), integration.pk)
    token = _new_token()
    integration.token_hash = token_hash(token)
    integration.token_rotated_at = now
    integration.updated_at = now
    integration.save(update_fields=["token_hash", "token_rotated_at", "updated_at"])
    return integration, token


def monitor_actor() -> User:
    """The account monitoring tickets are recorded by (录入人 and 报障人 "监控告警接入"): a provider
    engineer that cannot sign in (inactive, no password) and so is never told of its own tickets."""
    user = User.objects.filter(username=MONITOR_USERNAME).first()
    if user is not None:
        return user
    provider = Organization.objects.filter(kind=Organization.Kind.PROVIDER, parent__isnull=True).order_by("pk").first()
    if provider is None:
        raise ValidationFailed(_("没有服务商单位，无法创建监控接入账号"))
    try:
        with transaction.atomic():
            user = user_create(username=MONITOR_USERNAME, real_name="监控告警接入", organization=provider,
                               roles=[Role.ENGINEER], password=None, title="系统账号")
            user.is_active = False
            user.save(update_fields=["is_active"])
    except IntegrityError:  # created meanwhile by a concurrent processor
        user = User.objects.get(username=MONITOR_USERNAME)
    return user

