"""Automatic capture: every create, update (changed fields before → after), state change, delete and
many-to-many change of every model of the audited apps, and every login, logout, failed login and
lockout. Connected once from CoreConfig.ready(), so models that other apps add are covered as soon as
they are installed.

Cost per save: one INSERT. The "before" values come from a snapshot taken when the row was loaded
(`from_db`) or last saved, so an update needs no extra SELECT; only a save of an instance that was
never loaded (built by hand with a primary key) reads the row once.

Not captured: QuerySet.update() and bulk_create()/bulk_update() (Django sends no signal). Services that
change audited rows in bulk call `audit_record` themselves.
"""

from __future__ import annotations

import copy
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from core.models import AuditLog

from .context import client_ip
from .services import audit_record

DEFAULT_APPS = ("auth", "accounts", "core", "roster", "tickets", "changes", "routine", "monitoring", "reports")
# Monitoring's received data is its own record (raw bodies kept, receipts counted); what it does to
# tickets is on their timeline. Its integrations (settings, token rotation) are audited.
SKIPPED_MODELS = {"core.auditlog", "monitoring.alertbatch", "monitoring.alert", "monitoring.alertgroup"}
# Fields whose churn says nothing (last_login is written on every login, which is audited itself).
NOISY_FIELDS = {"last_login"}
SECRET_MARKERS = ("password", "secret", "token")
STATE_FIELDS = {"status", "state"}
MASK = "******"

_SNAPSHOT = "_audit_before"


def audited_apps() -> tuple[str, ...]:
    return tuple(getattr(settings, "OPSDESK_AUDIT_APPS", DEFAULT_APPS))


def audited_models() -> list[type[models.Model]]:
    result = []
    for label in audited_apps():
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            if model._meta.label_lower in SKIPPED_MODELS or model._meta.proxy or not model._meta.managed:
                continue
            result.append(model)
    return result


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    cached = model.__dict__.get("_audit_fields")
    if cached is None:
        cached = [
            f
            for f in model._meta.concrete_fields
            if f.name not in NOISY_FIELDS and not getattr(f, "auto_now", False)
        ]
        model._audit_fields = cached
    return cached


def _is_secret(field: models.Field) -> bool:
    return any(marker in field.name for marker in SECRET_MARKERS)


def _is_state(model: type[models.Model], field: models.Field) -> bool:
    names = getattr(model, "AUDIT_STATE_FIELDS", STATE_FIELDS)
    return field.name in names and bool(field.choices)


def _snapshot(instance: models.Model) -> dict[str, Any]:
    data = instance.__dict__
    snap = {}
    for f in _tracked_fields(type(instance)):
        if f.attname in data:  # deferred fields are not in __dict__
            value = data[f.attname]
            snap[f.attname] = copy.deepcopy(value) if isinstance(value, dict | list) else value
    return snap


class _Loaded(tuple):
    """(attnames, values) of a row as loaded from the database: the "before" of a later save."""

    __slots__ = ()

    def __new__(cls, names, values):
        return super().__new__(cls, (names, values))


def _before(instance: models.Model) -> dict[str, Any] | None:
    stored = instance.__dict__.get(_SNAPSHOT)
    if isinstance(stored, _Loaded):
        tracked = {f.attname for f in _tracked_fields(type(instance))}
        stored = {name: value for name, value in zip(stored[0], stored[1], strict=True) if name in tracked}
        instance.__dict__[_SNAPSHOT] = stored
    return stored


def _show(field: models.Field, value: Any) -> Any:
    return MASK if _is_secret(field) and value not in (None, "") else value


# Per model class (a subclass inherits the wrapped from_db, not its parent's answer): whether any column
# loads as a dict or a list. Only JSON and array columns do; a model without them (tickets, clocks, users)
# has nothing to copy and its rows are not scanned (a page of 25 tickets loads ~100 instances of up to 45
# columns, on every read).
_MUTABLE: dict[type[models.Model], bool] = {}


def _has_mutable_columns(model: type[models.Model]) -> bool:
    return any(isinstance(f, models.JSONField) or f.get_internal_type() in ("ArrayField", "HStoreField")
               for f in model._meta.concrete_fields)


def _patch_from_db(model: type[models.Model]) -> None:
    original = model.from_db.__func__
    if getattr(original, "_audit_wrapped", False):
        return

    def from_db(cls, db, field_names, values):
        instance = original(cls, db, field_names, values)
        # Keep the loaded row as it came (a tuple); it becomes a dict only if the instance is saved or
        # deleted. JSON values are copied now, since code may change them in place before saving.
        mutable = _MUTABLE.get(cls)
        if mutable is None:
            mutable = _MUTABLE[cls] = _has_mutable_columns(cls)
        if mutable and any(type(v) in (dict, list) for v in values):
            values = tuple(copy.deepcopy(v) if isinstance(v, dict | list) else v for v in values)
        instance.__dict__[_SNAPSHOT] = _Loaded(field_names, values)
        return instance

    from_db._audit_wrapped = True
    model.from_db = classmethod(from_db)


def _on_pre_save(sender, instance, raw=False, using=None, **kwargs):
    if raw or _SNAPSHOT in instance.__dict__:
        return
    if instance._state.adding and (instance.pk is None or instance._meta.pk.has_default()):
        return  # a plain INSERT: nothing stored before it
    # Saved without having been loaded (built by hand with a pk): read the stored row once.
    stored = sender._base_manager.using(using).filter(pk=instance.pk).first()
    instance.__dict__[_SNAPSHOT] = _before(stored) if stored is not None else None


def _on_post_save(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    after = _snapshot(instance)
    before = _before(instance)
    fields = _tracked_fields(sender)
    if update_fields is not None:
        fields = [f for f in fields if f.name in update_fields or f.attname in update_fields]
    if created or before is None:
        changes = {f.name: [None, _show(f, after[f.attname])] for f in fields if after.get(f.attname) not in (None, "")}
        audit_record(action=AuditLog.Action.CREATE, obj=instance, changes=changes)
    else:
        changed = [f for f in fields if f.attname in after and f.attname in before and before[f.attname] != after[f.attname]]
        if changed:
            state = any(_is_state(sender, f) for f in changed)
            audit_record(
                action=AuditLog.Action.STATE_CHANGE if state else AuditLog.Action.UPDATE,
                obj=instance,
                changes={f.name: [_show(f, before[f.attname]), _show(f, after[f.attname])] for f in changed},
            )
    merged = dict(before or {})
    merged.update(after)
    instance.__dict__[_SNAPSHOT] = merged


def _on_post_delete(sender, instance, **kwargs):
    values = _snapshot(instance)
    changes = {
        f.name: [_show(f, values[f.attname]), None]
        for f in _tracked_fields(sender)
        if values.get(f.attname) not in (None, "")
    }
    audit_record(action=AuditLog.Action.DELETE, obj=instance, changes=changes)


def _on_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    field = _M2M_FIELDS.get((sender, reverse), model._meta.model_name)
    audit_record(
        action=AuditLog.Action.RELATION,
        obj=instance,
        changes={field: {verb: sorted(pk_set) if pk_set else []}},
        detail=f"{field}: {verb} {model._meta.label_lower}",
    )


_M2M_FIELDS: dict[tuple[type, bool], str] = {}


def _credentials_username(credentials: dict) -> str:
    for key in ("username", "email"):
        if credentials.get(key):
            return str(credentials[key])[:150]
    return ""


def _on_logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditLog.Action.LOGIN, obj=user, ip=client_ip(request) if request else None)


def _on_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    audit_record(actor=user, action=AuditLog.Action.LOGOUT, obj=user, ip=client_ip(request) if request else None)


def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = _credentials_username(credentials)
    audit_record(
        action=AuditLog.Action.LOGIN_FAILED,
        actor_label=username or "anonymous",
        object_type=settings.AUTH_USER_MODEL.lower(),
        object_repr=username,
        ip=client_ip(request) if request is not None else None,
        detail=f"用户名“{username}”登录失败",
    )


def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    audit_record(
        action=AuditLog.Action.LOCKOUT,
        actor_label=username or "anonymous",
        object_type=settings.AUTH_USER_MODEL.lower(),
        object_repr=username or "",
        ip=ip_address,
        detail=f"用户名“{username}”自 {ip_address} 多次登录失败，已临时锁定",
    )


def connect() -> None:
    """Connect every receiver (idempotent: dispatch_uid)."""
    for model in audited_models():
        label = model._meta.label_lower
        _patch_from_db(model)
        pre_save.connect(_on_pre_save, sender=model, dispatch_uid=f"audit-pre-save:{label}")
        post_save.connect(_on_post_save, sender=model, dispatch_uid=f"audit-post-save:{label}")
        post_delete.connect(_on_post_delete, sender=model, dispatch_uid=f"audit-post-delete:{label}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            _M2M_FIELDS[(through, False)] = field.name
            _M2M_FIELDS.setdefault((through, True), field.remote_field.get_accessor_name() or field.name)
            m2m_changed.connect(_on_m2m_changed, sender=through, dispatch_uid=f"audit-m2m:{through._meta.label_lower}")
    user_logged_in.connect(_on_logged_in, dispatch_uid="audit-logged-in")
    user_logged_out.connect(_on_logged_out, dispatch_uid="audit-logged-out")
    user_login_failed.connect(_on_login_failed, dispatch_uid="audit-login-failed")
    from axes.signals import user_locked_out

    user_locked_out.connect(_on_locked_out, dispatch_uid="audit-locked-out")
