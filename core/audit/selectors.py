"""Reads of the audit trail and of login attempts. Only auditors and project managers (and superusers)
may read them; everyone else gets PermissionDenied (403)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.roles import Role
from accounts.selectors import user_has_role
from core.exceptions import PermissionDenied
from core.models import AuditLog


def user_may_read_audit(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or user_has_role(user, Role.AUDITOR, Role.PROJECT_MANAGER)


def user_may_reset_lockouts(user) -> bool:
    """Auditors read only; the project manager unlocks an account."""
    return bool(getattr(user, "is_superuser", False)) or user_has_role(user, Role.PROJECT_MANAGER)


def _require_reader(user) -> None:
    if not user_may_read_audit(user):
        raise PermissionDenied("仅审计员和项目经理可以查看审计日志")


def audit_log_list(*, user) -> QuerySet[AuditLog]:
    """Every entry, newest first (filters are applied by core.audit.filters.AuditLogFilter)."""
    _require_reader(user)
    return AuditLog.objects.order_by("-at", "-pk")


def login_attempt_list(*, user) -> QuerySet:
    """Current failure counters by username and IP (django-axes AccessAttempt), newest first."""
    from axes.models import AccessAttempt

    _require_reader(user)
    return AccessAttempt.objects.order_by("-attempt_time", "-pk")


def login_attempt_is_locked(attempt, *, now=None) -> bool:
    """Whether this username+IP pair is locked out right now."""
    now = now or timezone.now()
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if attempt.failures_since_start < settings.AXES_FAILURE_LIMIT:
        return False
    if cooloff is None:
        return True
    if not isinstance(cooloff, timedelta):
        cooloff = timedelta(hours=float(cooloff))
    return attempt.attempt_time + cooloff > now
