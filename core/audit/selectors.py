"""Reads of the audit trail and of login attempts. Only auditors and project managers (and superusers)
may read them; everyone else gets PermissionDenied (403).

What a reader sees follows the one tenant rule (accounts.selectors.user_sees_all_tenants): the provider's
people read every entry; a purchaser's auditor reads the entries about that purchaser — the acts of its
own people, and the acts on its records. Which records are a purchaser's is said by the app that owns
them: each registers its models with the path to the owning organisation (AUDIT_SUBJECTS, filled in
AppConfig.ready()); core knows none of them. An entry about a model nobody registered is the provider's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import CharField, Model, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.roles import Role
from accounts.selectors import user_has_role, user_sees_all_tenants, user_tenant_id
from core.exceptions import PermissionDenied
from core.models import AuditLog
from core.registry import Registry


@dataclass(frozen=True)
class AuditSubject:
    """Entries about `model` belong to the organisation reached by `org_path` (a lookup to its id)."""

    model: type[Model]
    org_path: str


AUDIT_SUBJECTS: Registry[AuditSubject] = Registry("audit subjects")


def audit_subjects_register(owner: str, *subjects: AuditSubject) -> None:
    AUDIT_SUBJECTS.register(owner, *subjects)


def _tenant_orgs(tenant_id: int) -> QuerySet[Organization]:
    return Organization.objects.filter(Q(pk=tenant_id) | Q(parent_id=tenant_id))


def audit_about_tenant_q(tenant_id: int) -> Q:
    """Entries about one purchaser: acts of its people (logins included), acts on its people's accounts,
    and acts on the records its apps registered (one subquery per model, no query here)."""
    people = User.objects.filter(organization__in=_tenant_orgs(tenant_id))
    q = Q(actor_id__in=people.values("pk"))
    subjects = [
        AuditSubject(User, "organization__parent_id"), AuditSubject(User, "organization_id"),
        AuditSubject(Organization, "parent_id"), AuditSubject(Organization, "id"),
        *AUDIT_SUBJECTS.entries(),
    ]
    for subject in subjects:
        ids = (subject.model._default_manager.filter(**{subject.org_path: tenant_id})
               .annotate(_audit_id=Cast("pk", CharField())).values("_audit_id"))
        q |= Q(object_type=subject.model._meta.label_lower, object_id__in=ids)
    return q


@dataclass(frozen=True)
class AuditProgress:
    """Updates of `model` that change nothing but `fields` are a machine reporting progress (a report
    generation's task_state / progress / progress_at): kept in the trail, hidden from the reader's page
    unless asked for."""

    model: type[Model]
    fields: frozenset[str]


AUDIT_PROGRESS: Registry[AuditProgress] = Registry("audit progress fields")


def audit_progress_register(owner: str, *entries: AuditProgress) -> None:
    AUDIT_PROGRESS.register(owner, *entries)


def audit_progress_q() -> Q | None:
    """Entries that are system progress only (see AuditProgress), as one condition without a query: an
    update of a registered model that names none of its other fields. None when nothing is registered."""
    q: Q | None = None
    for entry in AUDIT_PROGRESS.entries():
        others = [f.name for f in entry.model._meta.concrete_fields if f.name not in entry.fields]
        one = Q(object_type=entry.model._meta.label_lower, action=AuditLog.Action.UPDATE) & ~Q(changes__has_any_keys=others)
        q = one if q is None else q | one
    return q


def audit_log_for_reading(*, user, show_progress: bool = False) -> QuerySet[AuditLog]:
    """The reader's page: audit_log_list without the system progress entries unless `show_progress`."""
    qs = audit_log_list(user=user)
    progress = audit_progress_q()
    return qs if show_progress or progress is None else qs.exclude(progress)


def user_may_read_audit(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or user_has_role(user, Role.AUDITOR, Role.PROJECT_MANAGER)


def user_may_reset_lockouts(user) -> bool:
    """Auditors read only; the project manager unlocks an account."""
    return bool(getattr(user, "is_superuser", False)) or user_has_role(user, Role.PROJECT_MANAGER)


def _require_reader(user) -> None:
    if not user_may_read_audit(user):
        raise PermissionDenied(_("仅审计员和项目经理可以查看审计日志"))


def audit_log_list(*, user) -> QuerySet[AuditLog]:
    """Every entry the user may read (6.2.4, 6.2.9: a purchaser's auditor, the entries about its purchaser),
    newest first (filters are applied by core.audit.filters.AuditLogFilter)."""
    _require_reader(user)
    qs = AuditLog.objects.order_by("-at", "-pk")
    if user_sees_all_tenants(user):
        return qs
    tenant = user_tenant_id(user)
    return qs.filter(audit_about_tenant_q(tenant)) if tenant is not None else qs.none()


def login_attempt_list(*, user) -> QuerySet:
    """Current failure counters by username and IP (django-axes AccessAttempt), newest first."""
    from axes.models import AccessAttempt

    _require_reader(user)
    qs = AccessAttempt.objects.order_by("-attempt_time", "-pk")
    if user_sees_all_tenants(user):
        return qs
    tenant = user_tenant_id(user)
    if tenant is None:
        return qs.none()
    return qs.filter(username__in=User.objects.filter(organization__in=_tenant_orgs(tenant)).values("username"))


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
