"""The audit trail in words, for the auditor's page (the API keeps the raw form).

An entry stores what happened as data: `object_type` "reports.monthlyreport", `changes`
{"task_state": ["queued", "running"], "contract": [3, 4], "at": ["2026-12-05T02:00:00+00:00", …]}.
A reader wants 月报 · 生成状态：排队中 → 生成中 · 合同：<the contract's name> · 时间：2026-12-05 10:00:00.
`audit_entries_readable` turns a page of entries into that:

- the model and field labels are their verbose names (in the active language);
- a value with choices is its label, a boolean 是/否, a foreign key the related object's text, a
  date-time in local time (Asia/Shanghai), a JSON value "key：value；…", a many-to-many change
  "新增：A、B";
- a model or field that no longer exists keeps its stored name.

Cost: one query per related model named on the page (the objects are read with `in_bulk`), none per
entry; an object's text that would need another query falls back to "<verbose name> #<id>".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role
from core.models import AuditLog

from .capture import MASK

TEXT_LIMIT = 300
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
RELATION_VERBS = {"added": gettext_lazy("新增"), "removed": gettext_lazy("移除"), "cleared": gettext_lazy("清空")}


@dataclass
class ReadableChange:
    label: str
    before: str | None = None
    after: str | None = None
    text: str | None = None  # a relation change or a value that is not a before → after pair


@dataclass
class ReadableEntry:
    entry: AuditLog
    model_label: str
    source_label: str
    changes: list[ReadableChange] = field(default_factory=list)


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist: a field renamed or removed since
        return None


def model_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def audit_object_type_choices() -> list[tuple[str, str]]:
    """(object_type, verbose name) of every audited model, by verbose name: the page's filter."""
    from .capture import audited_models

    seen = {m._meta.label_lower: str(m._meta.verbose_name) for m in audited_models()}
    return sorted(seen.items(), key=lambda item: (item[1], item[0]))


def source_label(source: str) -> str:
    if not source or source == "system":
        return ""  # the actor column says 系统 already
    kind, _sep, name = source.partition(":")
    words = {"web": _("网页"), "api": _("接口"), "task": _("后台任务"), "command": _("命令"), "system": _("系统")}
    label = words.get(kind, kind)
    return f"{label} {name}" if name else label


def _clip(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _safe_str(obj: models.Model) -> str:
    """str(obj) without a query (a __str__ naming a related object falls back to "<verbose> #<pk>").
    A role is a group named by its code: shown by the role's label."""
    if obj._meta.label_lower == "auth.group" and obj.name in Role.values:
        return str(Role(obj.name).label)

    def refuse(*_args, **_kwargs):
        raise _WouldQuery

    try:
        with connection.execute_wrapper(refuse):
            return str(obj)
    except Exception:  # noqa: BLE001 - any failure of a __str__ must not break the page
        return f"{obj._meta.verbose_name} #{obj.pk}"


class _WouldQuery(Exception):
    pass


def _json_words(value: Any) -> str:
    if isinstance(value, dict):
        return "；".join(f"{k}：{_json_words(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        if value and all(isinstance(v, list) for v in value):  # rows: one per "；", their cells by spaces
            return "；".join(" ".join(_json_words(c) for c in row) for row in value)
        return "、".join(_json_words(v) for v in value) or "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        moment = parse_datetime(value)
        if moment is not None and not timezone.is_naive(moment):
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


class _Objects:
    """Related objects named on the page, read once per model."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set] = {}
        self.found: dict[type[models.Model], dict] = {}

    def want(self, model: type[models.Model], value: Any) -> None:
        if value not in (None, "") and not isinstance(value, (dict, list)):
            self.wanted.setdefault(model, set()).add(value)

    def load(self) -> None:
        for model, ids in self.wanted.items():
            clean = set()
            for value in ids:
                try:
                    clean.add(model._meta.pk.to_python(value))
                except Exception:  # noqa: BLE001, S112 - a stored id that no longer parses
                    continue
            self.found[model] = model._default_manager.in_bulk(clean) if clean else {}

    def text(self, model: type[models.Model], value: Any) -> str:
        if value in (None, ""):
            return "—"
        try:
            key = model._meta.pk.to_python(value)
        except Exception:  # noqa: BLE001
            key = value
        obj = self.found.get(model, {}).get(key)
        if obj is None:
            return _("%(model)s #%(id)s（已删除）") % {"model": model._meta.verbose_name, "id": value}
        return _safe_str(obj)


def _value_text(fld, value: Any, objects: _Objects) -> str:
    if value is None or value == "":
        return "—"
    if value == MASK:
        return MASK
    if fld is None:
        return _clip(_json_words(value))
    if (fld.is_relation and fld.many_to_one) or (fld.is_relation and fld.one_to_one and fld.concrete):
        return objects.text(fld.related_model, value)
    if fld.choices:
        labels = {str(k): v for k, v in fld.flatchoices}
        return str(labels.get(str(value), value))
    if isinstance(fld, models.BooleanField):
        return _("是") if value else _("否")
    if isinstance(fld, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, dt.UTC)
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    return _clip(_json_words(value))


def _relation_field(model, name: str):
    """The field a relation change names: a many-to-many of the model, or a reverse accessor."""
    fld = _field(model, name)
    if fld is not None:
        return fld
    if model is None:
        return None
    for candidate in model._meta.get_fields():
        if candidate.is_relation and getattr(candidate, "get_accessor_name", None) and candidate.get_accessor_name() == name:
            return candidate
    return None


def audit_entries_readable(entries: list[AuditLog]) -> list[ReadableEntry]:
    """A page of entries in words (see the module's docstring). One query per related model named."""
    objects = _Objects()
    plan: list[tuple[AuditLog, type[models.Model] | None]] = []
    for entry in entries:
        model = _model(entry.object_type)
        plan.append((entry, model))
        for name, value in (entry.changes or {}).items():
            if entry.action == AuditLog.Action.RELATION and isinstance(value, dict):
                fld = _relation_field(model, name)
                if fld is not None and fld.related_model is not None:
                    for ids in value.values():
                        for one in ids or []:
                            objects.want(fld.related_model, one)
                continue
            fld = _field(model, name)
            if fld is not None and fld.is_relation and fld.concrete and (fld.many_to_one or fld.one_to_one):
                pair = value if isinstance(value, list) and len(value) == 2 else [None, value]
                for one in pair:
                    objects.want(fld.related_model, one)
    objects.load()

    out: list[ReadableEntry] = []
    for entry, model in plan:
        readable = ReadableEntry(entry=entry, model_label=model_label(entry.object_type) if entry.object_type else "",
                                 source_label=source_label(entry.source))
        for name, value in (entry.changes or {}).items():
            if entry.action == AuditLog.Action.RELATION and isinstance(value, dict):
                fld = _relation_field(model, name)
                label = str(getattr(fld, "verbose_name", "") or (fld.related_model._meta.verbose_name_plural if fld is not None and fld.related_model else name))
                parts = []
                for verb, ids in value.items():
                    names = "、".join(objects.text(fld.related_model, one) for one in ids or []) if fld is not None and fld.related_model else "、".join(map(str, ids or []))
                    parts.append(f"{RELATION_VERBS.get(verb, verb)}：{names or '—'}")
                readable.changes.append(ReadableChange(label=label, text="；".join(parts)))
                continue
            fld = _field(model, name)
            if fld is not None and getattr(fld, "primary_key", False) and entry.action != AuditLog.Action.UPDATE:
                continue  # the id of a created or deleted row is the entry's object id already
            label = str(fld.verbose_name) if fld is not None and hasattr(fld, "verbose_name") else name
            if isinstance(value, list) and len(value) == 2:
                readable.changes.append(ReadableChange(label=label, before=_value_text(fld, value[0], objects),
                                                       after=_value_text(fld, value[1], objects)))
            else:
                readable.changes.append(ReadableChange(label=label, text=_value_text(fld, value, objects)))
        out.append(readable)
    return out
