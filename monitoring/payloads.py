"""The three payload kinds, read into one shape (`IncomingAlert`). Pure functions: no database.

`validate_*` run in the request (the shape must be right before anything is stored: 400 otherwise);
`parse_*` run in the processor on the stored body and never fail on a body that validated.

- alertmanager: the Alertmanager webhook, version 4 (`alerts[]` with status, labels, annotations,
  startsAt, endsAt, fingerprint).
- zabbix: what the media type in monitoring/zabbix/ sends (one event per request).
- generic: one event, or a list of events, shaped like PagerDuty Events v2: `dedup_key`,
  `event_action` (trigger / resolve), `severity`, `summary`, `source`, `timestamp`, `custom_details`
  (top level or inside `payload`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.exceptions import ValidationFailed

FIRING, RESOLVED = "firing", "resolved"


@dataclass
class IncomingAlert:
    fingerprint: str
    status: str  # firing / resolved
    labels: dict[str, str]
    annotations: dict[str, str] = field(default_factory=dict)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None

    @property
    def alertname(self) -> str:
        return self.labels.get("alertname", "")

    @property
    def summary(self) -> str:
        return self.annotations.get("summary") or self.annotations.get("description") or self.alertname


def _bad(message: str, field_name: str = "body") -> ValidationFailed:
    return ValidationFailed(message, fields={field_name: [message]})


def decode_json(body: bytes):
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _bad(_("请求内容不是 UTF-8 编码")) from exc
    except json.JSONDecodeError as exc:
        raise _bad(f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}") from exc


def _str_dict(value) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in value.items()}


def _when(value) -> dt.datetime | None:
    """An RFC 3339 time; Alertmanager's zero time (0001-01-01…) and anything unreadable are None."""
    if not isinstance(value, str) or not value or value.startswith("0001-01-01"):
        return None
    try:
        parsed = parse_datetime(value.replace(" ", "T", 1) if "T" not in value else value)
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)  # Zabbix sends the server's local time
    return parsed


# ---------------------------------------------------------------- alertmanager

def validate_alertmanager(data) -> int:
    if not isinstance(data, dict) or not isinstance(data.get("alerts"), list):
        raise _bad(_("缺少 alerts 列表（Alertmanager webhook 第 4 版）"), "alerts")
    for i, alert in enumerate(data["alerts"]):
        if not isinstance(alert, dict) or not isinstance(alert.get("labels"), dict):
            raise _bad(f"alerts[{i}] 缺少 labels", "alerts")
        if alert.get("status") not in (FIRING, RESOLVED):
            raise _bad(f"alerts[{i}].status 应为 firing 或 resolved", "alerts")
    return len(data["alerts"])


def _label_fingerprint(labels: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(labels.items()), ensure_ascii=False).encode()).hexdigest()[:16]


def parse_alertmanager(data) -> list[IncomingAlert]:
    result = []
    for alert in data["alerts"]:
        labels = _str_dict(alert["labels"])
        result.append(IncomingAlert(
            fingerprint=str(alert.get("fingerprint") or _label_fingerprint(labels))[:200],
            status=alert["status"],
            labels=labels,
            annotations=_str_dict(alert.get("annotations")),
            starts_at=_when(alert.get("startsAt")),
            ends_at=_when(alert.get("endsAt")) if alert["status"] == RESOLVED else None,
        ))
    return result


# ---------------------------------------------------------------- zabbix

# Zabbix severities by name, as {EVENT.SEVERITY} gives them, to the mapping's three levels.
ZABBIX_SEVERITY = {
    "disaster": "critical", "high": "critical", "average": "warning", "warning": "warning",
    "information": "info", "not classified": "info",
}


def validate_zabbix(data) -> int:
    if not isinstance(data, dict):
        raise _bad(_("应为一个 JSON 对象（见 monitoring/zabbix/ 中的媒介类型）"))
    missing = [name for name in ("event_id", "status") if not str(data.get(name) or "").strip()]
    if missing:
        raise _bad(f"缺少字段：{', '.join(missing)}", missing[0])
    if data["status"] not in (FIRING, RESOLVED):
        raise _bad(_("status 应为 firing 或 resolved"), "status")
    return 1


def parse_zabbix(data) -> list[IncomingAlert]:
    labels = _str_dict(data.get("tags"))
    severity = str(data.get("severity") or "").strip().lower()
    labels.update({
        "alertname": str(data.get("trigger_name") or data.get("subject") or "Zabbix 告警"),
        "severity": ZABBIX_SEVERITY.get(severity, severity),
        "zabbix_severity": severity,
    })
    for name in ("host", "host_ip", "business_system", "opsdesk_severity", "opsdesk_kind"):
        if data.get(name):
            labels[name] = str(data[name])
    status = data["status"]
    return [IncomingAlert(
        fingerprint=f"zabbix-{data['event_id']}"[:200],
        status=status,
        labels=labels,
        annotations={"summary": str(data.get("subject") or labels["alertname"]), "description": str(data.get("message") or "")},
        starts_at=_when(data.get("event_time")),
        ends_at=_when(data.get("recovery_time")) if status == RESOLVED else None,
    )]


# ---------------------------------------------------------------- generic (PagerDuty Events v2 shape)

def _generic_events(data) -> list:
    return data if isinstance(data, list) else [data]


def validate_generic(data) -> int:
    events = _generic_events(data)
    if not events:
        raise _bad(_("没有事件"))
    for i, event in enumerate(events):
        where = f"[{i}] " if isinstance(data, list) else ""
        if not isinstance(event, dict):
            raise _bad(f"{where}事件应为 JSON 对象")
        if not str(event.get("dedup_key") or "").strip():
            raise _bad(f"{where}缺少 dedup_key", "dedup_key")
        if event.get("event_action") not in ("trigger", "resolve"):
            raise _bad(f"{where}event_action 应为 trigger 或 resolve", "event_action")
        body = event.get("payload") if isinstance(event.get("payload"), dict) else event
        if event["event_action"] == "trigger" and not str(body.get("summary") or "").strip():
            raise _bad(f"{where}触发事件缺少 summary", "summary")
    return len(events)


def parse_generic(data) -> list[IncomingAlert]:
    result = []
    for event in _generic_events(data):
        body = event.get("payload") if isinstance(event.get("payload"), dict) else event
        labels = _str_dict(body.get("custom_details"))
        summary = str(body.get("summary") or "")
        labels.setdefault("alertname", str(body.get("class") or summary or event["dedup_key"])[:200])
        if body.get("source"):
            labels.setdefault("host", str(body["source"]))
        if body.get("severity"):
            labels["severity"] = str(body["severity"]).lower()
        resolved = event["event_action"] == "resolve"
        at = _when(body.get("timestamp"))
        result.append(IncomingAlert(
            fingerprint=str(event["dedup_key"])[:200],
            status=RESOLVED if resolved else FIRING,
            labels=labels,
            annotations={"summary": summary} if summary else {},
            starts_at=None if resolved else at,
            ends_at=at if resolved else None,
        ))
    return result


VALIDATORS = {"alertmanager": validate_alertmanager, "zabbix": validate_zabbix, "generic": validate_generic}
PARSERS = {"alertmanager": parse_alertmanager, "zabbix": parse_zabbix, "generic": parse_generic}
