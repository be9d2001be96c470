"""Writes to the audit trail: `audit_record` for explicit events, the retention purge.

Other apps call `audit_record` for what no model save shows — exports and downloads:

    from core.audit import audit_record
    audit_record(actor=request.user, action=AuditLog.Action.EXPORT, obj=report, detail="月报 PDF 2025-07")

Model creates, updates, state changes, deletes and relation changes, and logins, logouts, failed logins
and lockouts are recorded automatically (core/audit/capture.py).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import AuditLog

from .context import current_actor

# Clause 7.1: logs are kept at least six months. The setting may lengthen it, never shorten it.
MINIMUM_RETENTION_DAYS = 183
PURGE_FLAG = "opsdesk.audit_purge"


def audit_retention_days() -> int:
    """Clause 7.1: audit entries are kept at least six months (183 days), OPSDESK_AUDIT_RETENTION_DAYS."""
    return max(MINIMUM_RETENTION_DAYS, int(getattr(settings, "OPSDESK_AUDIT_RETENTION_DAYS", 190)))


def jsonable(value: Any) -> Any:
    """A value as it is kept in `AuditLog.changes` (JSON)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | dt.timedelta):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} bytes>"
    name = getattr(value, "name", None)  # FieldFile
    if isinstance(name, str):
        return name
    return str(value)


def object_label(obj: Model) -> tuple[str, str, str]:
    """(object_type, object_id, object_repr) of a model instance, without touching the database:
    a __str__ that would query (a related object's name) falls back to "<verbose name> #<pk>"."""
    meta = obj._meta.concrete_model._meta  # a proxy is recorded as the table it writes
    object_type = meta.label_lower
    object_id = "" if obj.pk is None else str(obj.pk)

    def refuse(*_args, **_kwargs):
        raise _ReprWouldQuery

    try:
        with connection.execute_wrapper(refuse):
            text = str(obj)
    except Exception:  # noqa: BLE001 - any failure of a __str__ must not break the save being audited
        text = f"{meta.verbose_name} #{object_id}"
    return object_type, object_id, text[:200]


class _ReprWouldQuery(Exception):
    pass


def audit_record(
    *,
    actor: Any = None,
    action: str,
    obj: Model | None = None,
    detail: str = "",
    changes: dict | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    actor_label: str = "",
    ip: str | None = None,
) -> AuditLog:
    """Clauses 6.2.4, 6.2.9 (nobody sees or changes the purchaser's data untraced): Append one audit entry (one
    INSERT, in the caller's transaction if there is one).

    `actor`: the acting user; None takes the user of the current request/task context (or the system).
    `obj`: the object acted on (its type, id and text are stored); or pass object_type/object_id/
    object_repr for something that is not a model row (a generated file, an attempted username).
    `ip`: defaults to the current request's client address.
    """
    context = current_actor()
    if actor is None:
        actor = context.resolve_user()
    if obj is not None:
        object_type, object_id, object_repr = object_label(obj)
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = actor_label or (f"{actor.real_name}（{actor.username}）" if getattr(actor, "real_name", "") else actor.username)
        actor_id = actor.pk
    else:
        label = actor_label or ("system" if context.request is None else "anonymous")
        actor_id = None
    return AuditLog.objects.create(
        at=timezone.now(),
        actor_id=actor_id,
        actor_label=label[:200],
        ip=ip or context.ip,
        source=context.source[:40],
        action=action,
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:200],
        changes=jsonable(changes or {}),
        detail=str(detail),
    )


def audit_purge_expired(*, now: dt.datetime | None = None, batch_size: int = 2000, max_batches: int = 50) -> int:
    """Clause 7.1: delete entries older than the retention period (never less than six months), oldest
    first, in bounded batches (one short transaction each, so the table is never locked for long).
    Idempotent: a second run finds nothing. Returns the number of entries removed; writes one PURGE entry when it removed any."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=audit_retention_days())
    removed = 0
    table = connection.ops.quote_name(AuditLog._meta.db_table)
    for _batch in range(max_batches):
        with transaction.atomic():
            ids = list(
                AuditLog.objects.filter(at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # Only this transaction may delete: the append-only trigger checks the flag.
                    cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_FLAG])
                placeholders = ", ".join(["%s"] * len(ids))
                cursor.execute(f"DELETE FROM {table} WHERE id IN ({placeholders}) AND at < %s", [*ids, cutoff])  # noqa: S608 - table name from the model, values bound
                removed += cursor.rowcount
        if len(ids) < batch_size:
            break
    if removed:
        audit_record(
            action=AuditLog.Action.PURGE,
            object_type=AuditLog._meta.label_lower,
            detail=f"清理保留期（{audit_retention_days()} 天）以前的审计日志 {removed} 条，截止 {cutoff.isoformat()}",
        )
    return removed


@transaction.atomic
def login_lockout_reset(*, actor, attempt_id: int) -> None:
    """Unlock one username+IP pair (the project manager, after checking with the person)."""
    from axes.models import AccessAttempt
    from axes.utils import reset

    from core.exceptions import NotFound, PermissionDenied

    from .selectors import user_may_reset_lockouts

    if not user_may_reset_lockouts(actor):
        raise PermissionDenied(_("仅项目经理可以解除登录锁定"))
    attempt = AccessAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        raise NotFound(_("该登录失败记录不存在或已解除"))
    reset(ip=attempt.ip_address, username=attempt.username)
    audit_record(
        actor=actor,
        action=AuditLog.Action.UPDATE,
        object_type=settings.AUTH_USER_MODEL.lower(),
        object_repr=attempt.username or "",
        detail=f"解除登录锁定：用户名“{attempt.username}”，IP {attempt.ip_address}",
    )
