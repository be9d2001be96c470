"""The intake: receive fast, store raw, process after commit, exactly once.

1. `alert_batch_receive` (in the request): the token and the shape are checked, the body is stored as
   received, the answer is 202; the processing task is queued after commit.
2. `alert_batch_process` (task): locks the batch row (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL),
   deduplicates by fingerprint, groups, opens / attaches / reopens tickets, records recoveries, and
   marks the batch processed, all in one transaction: a processor that dies leaves the batch pending
   (nothing lost) and its partial work rolled back (nothing twice).
3. `alert_batches_pending` (periodic sweep): batches still pending after a while, oldest first.

Two processors on one group: the group row is locked before its ticket is decided, so the second sees
the first's ticket and attaches to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.db import after_commit, lock_rows
from core.exceptions import IllegalTransition
from core.services import notification_send
from roster.selectors.duty import duty_contacts
from roster.selectors.periods import period_active_at
from tickets.models.reference import BusinessSystem, Host
from tickets.services.alerts import (
    OPEN_STATUSES,
    Severity,
    Ticket,
    TicketKind,
    ticket_alerts_attach,
    ticket_monitor_recover,
)
from tickets.services.notify import ticket_notifications_suppressed
from tickets.services.tickets import ticket_create, ticket_reopen, ticket_update

from ..change_windows import change_window_covering
from ..hosts import hosts_by_name_or_ip, strip_port
from ..models import Alert, AlertBatch, AlertGroup, Integration
from ..payloads import FIRING, PARSERS, RESOLVED, VALIDATORS, IncomingAlert, decode_json
from .integrations import monitor_actor

logger = logging.getLogger(__name__)

SEVERITY_ORDER = ("P1", "P2", "P3", "P4")
MAX_ATTEMPTS = 5


# ---------------------------------------------------------------- 1. receive


def alert_batch_receive(*, integration: Integration, body: bytes, now: dt.datetime | None = None) -> AlertBatch:
    """Validate the shape (ValidationFailed: 400), store the body as received, queue its processing
    after commit. The caller checked the token and the size."""
    data = decode_json(body)
    count = VALIDATORS[integration.kind](data)
    now = now or timezone.now()
    with transaction.atomic():
        batch = AlertBatch.objects.create(
            integration=integration, received_at=now, body=body.decode("utf-8"), alert_count=count,
        )
        after_commit(lambda: _queue(batch.pk))
    return batch


def _queue(batch_id: int) -> None:
    from core.dispatch import enqueue

    from ..tasks import alert_batch_process_task

    enqueue(alert_batch_process_task, batch_id)


# ---------------------------------------------------------------- 2. process


@dataclass
class _Resolved:
    incoming: IncomingAlert
    business_system: BusinessSystem
    host: Host | None
    severity: str
    security: bool
    group_key: str
    group_labels: dict


class _Context:
    """What one batch needs read once: the organisation's systems and hosts, the heavy-protection flag."""

    def __init__(self, integration: Integration, incoming: list[IncomingAlert], at: dt.datetime) -> None:
        self.integration = integration
        self.systems = {s.pk: s for s in BusinessSystem.objects.filter(organization_id=integration.organization_id)}
        self.systems_by_name = {s.name: s for s in self.systems.values()}
        self.hosts = hosts_by_name_or_ip((a.labels.get(k, "") for a in incoming for k in ("instance", "host", "host_ip")),
                                         business_system_ids=self.systems)
        self.heavy = integration.raise_in_heavy_protection and period_active_at(at=at) is not None


def _resolve(ctx: _Context, alert: IncomingAlert) -> _Resolved:
    """Business system: the `business_system` label (a system's name or id, of the integration's
    organisation), else the matched host's system, else the integration's default. Host: `instance`
    / `host` / `host_ip` (port stripped) by name or IP, kept only when it belongs to that system."""
    labels = alert.labels
    integration = ctx.integration
    named = labels.get("business_system", "").strip()
    system = ctx.systems_by_name.get(named) or (ctx.systems.get(int(named)) if named.isdigit() else None)
    host = None
    for key in ("instance", "host", "host_ip"):
        host = ctx.hosts.get(strip_port(labels.get(key, "")))
        if host is not None:
            break
    if system is None:
        system = ctx.systems.get(host.business_system_id) if host is not None else None
    if system is None:
        system = ctx.systems.get(integration.default_business_system_id) or integration.default_business_system
    if host is not None and host.business_system_id != system.pk:
        host = None
    severity = _severity(ctx, labels)
    values = []
    shown = {}
    for label in integration.grouping_labels:
        if label == "business_system":
            values.append([label, system.pk])
            shown[label] = system.name
        else:
            values.append([label, labels.get(label, "")])
            shown[label] = labels.get(label, "")
    key = hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()
    return _Resolved(alert, system, host, severity, labels.get("opsdesk_kind", "").lower() == "security", key, shown)


def _severity(ctx: _Context, labels: dict) -> str:
    """An explicit `opsdesk_severity` P1–P4 wins; else the integration's mapping of `severity` (default
    critical→P2, warning→P3, info→P4; unknown → the warning level), raised one level during a
    heavy-protection period when the integration says so."""
    explicit = labels.get("opsdesk_severity", "").strip().upper()
    if explicit in SEVERITY_ORDER:
        return explicit
    mapping = {str(k).lower(): v for k, v in ctx.integration.severity_mapping.items()}
    raw = labels.get("severity", "").strip().lower()
    mapped = mapping.get(raw) or mapping.get(labels.get("zabbix_severity", "")) or mapping.get("warning") or Severity.P3
    if ctx.heavy:
        mapped = SEVERITY_ORDER[max(0, SEVERITY_ORDER.index(mapped) - 1)]
    return mapped


def _groups_locked(ctx: _Context, resolved: list[_Resolved], now: dt.datetime) -> dict[str, AlertGroup]:
    """The batch's groups, created where missing and locked in primary-key order. Created in key order
    with ON CONFLICT DO NOTHING, so two batches creating the same groups wait for each other in the same
    order instead of deadlocking."""
    first: dict[str, _Resolved] = {}
    for r in resolved:
        first.setdefault(r.group_key, r)
    AlertGroup.objects.bulk_create(
        [AlertGroup(integration=ctx.integration, key=key, labels=r.group_labels, business_system=r.business_system,
                    created_at=now) for key, r in sorted(first.items())],
        ignore_conflicts=True,
    )
    groups = lock_rows(AlertGroup.objects.filter(integration=ctx.integration, key__in=list(first)))
    return {g.key: g for g in groups}


@transaction.atomic
def alert_batch_process(*, batch_id: int, now: dt.datetime | None = None) -> int:
    """Process one pending batch; returns the number of alerts read (0: already processed, or being
    processed by another worker right now)."""
    now = now or timezone.now()
    batch = (
        AlertBatch.objects.select_for_update(skip_locked=True, of=("self",)).select_related("integration")
        .filter(pk=batch_id, status=AlertBatch.Status.PENDING).first()
    )
    if batch is None:
        return 0
    integration = batch.integration
    incoming = PARSERS[integration.kind](json.loads(batch.body))
    ctx = _Context(integration, incoming, batch.received_at)
    resolved = [_resolve(ctx, a) for a in incoming]
    if resolved:
        actor = monitor_actor()
        groups = _groups_locked(ctx, resolved, now)
        for group in sorted(groups.values(), key=lambda g: g.pk):
            _process_group(group=group, alerts=[r for r in resolved if r.group_key == group.key], batch=batch,
                           actor=actor, now=now)
    batch.status = AlertBatch.Status.PROCESSED
    batch.processed_at = now
    batch.attempts += 1
    batch.save(update_fields=["status", "processed_at", "attempts"])
    return len(incoming)


def alert_batch_failed(*, batch_id: int, error: str) -> None:
    """After a processing error (rolled back): count the attempt; after MAX_ATTEMPTS the batch is marked
    failed (shown on the page, body kept) instead of being retried for ever."""
    with transaction.atomic():
        batch = AlertBatch.objects.select_for_update().filter(pk=batch_id, status=AlertBatch.Status.PENDING).first()
        if batch is None:
            return
        batch.attempts += 1
        batch.error = error[:2000]
        if batch.attempts >= MAX_ATTEMPTS:
            batch.status = AlertBatch.Status.FAILED
        batch.save(update_fields=["attempts", "error", "status"])


def _same_firing(latest: Alert, alert: IncomingAlert) -> bool:
    """Whether `alert` is a re-send of `latest` rather than a new firing of the fingerprint."""
    if latest.status == Alert.Status.FIRING or alert.status == RESOLVED:
        return True
    return alert.starts_at is not None and alert.starts_at == latest.starts_at  # a late copy of the old firing


def _process_group(*, group: AlertGroup, alerts: list[_Resolved], batch: AlertBatch, actor: User, now: dt.datetime) -> None:
    """Caller holds the group's row lock."""
    received = batch.received_at
    new_firing: list[Alert] = []
    resolved_any = False
    for r in alerts:
        a = r.incoming
        latest = (Alert.objects.filter(integration_id=group.integration_id, fingerprint=a.fingerprint)
                  .order_by("-starts_at", "-pk").first())
        if latest is not None and _same_firing(latest, a):
            latest.receipts += 1
            latest.last_received_at = max(latest.last_received_at, received)
            fields = ["receipts", "last_received_at"]
            if a.status == RESOLVED and latest.status == Alert.Status.FIRING:
                latest.status = Alert.Status.RESOLVED
                latest.ends_at = a.ends_at or received
                fields += ["status", "ends_at"]
                resolved_any = True
            latest.save(update_fields=fields)
            continue
        starts_at = a.starts_at or received
        silence = change_window_covering(business_system_id=r.business_system.pk, at=starts_at) if a.status == FIRING else None
        alert = Alert.objects.create(
            integration_id=group.integration_id, group=group, fingerprint=a.fingerprint, status=a.status,
            alertname=a.alertname[:200], summary=a.summary[:500], severity=r.severity, security=r.security,
            labels=a.labels, annotations=a.annotations, business_system=r.business_system, host=r.host,
            starts_at=starts_at, ends_at=(a.ends_at or received) if a.status == RESOLVED else None,
            first_received_at=received, last_received_at=received, batch=batch,
            silenced_by_change=silence[0] if silence else None, silenced_by_change_number=silence[1] if silence else "",
        )
        if a.status == FIRING and silence is None:
            new_firing.append(alert)
    if new_firing:
        _ticket_for(group=group, alerts=new_firing, received=received, actor=actor, now=now)
    elif resolved_any:
        _recovery_check(group=group, actor=actor, now=now)


def _ticket_for(*, group: AlertGroup, alerts: list[Alert], received: dt.datetime, actor: User, now: dt.datetime) -> None:
    """Attach new firing alerts to the group's open ticket, reopen it within the flap window, or open
    a ticket (linked to the previous one, if any)."""
    ticket = group.ticket
    previous = None
    if ticket is not None and ticket.status in OPEN_STATUSES:
        _attach(ticket=ticket, alerts=alerts, actor=actor, now=now, note=f"新增 {len(alerts)} 条告警")
    elif ticket is not None and ticket.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED) and _within_flap(group, ticket, received):
        minutes = group.integration.flap_window_minutes
        try:
            # The SLA's reopen rules apply (tickets.services.tickets.ticket_reopen decides them).
            ticket = ticket_reopen(actor=actor, ticket=ticket, reason=f"监控告警在解决后 {minutes} 分钟内再次触发（抖动）", now=now)
        except IllegalTransition:
            ticket.refresh_from_db()
        _attach(ticket=ticket, alerts=alerts, actor=actor, now=now, note=f"告警再次触发，重新打开工单；新增 {len(alerts)} 条告警")
    else:
        previous = ticket if ticket is not None and ticket.status != Ticket.Status.CANCELLED else None
        ticket = _open_ticket(group=group, alerts=alerts, received=received, previous=previous, actor=actor, now=now)
        group.ticket = ticket
        group.opened_at = now
    Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(ticket=ticket)
    group.recovered_at = None
    group.save(update_fields=["ticket", "opened_at", "recovered_at"])


def _within_flap(group: AlertGroup, ticket: Ticket, at: dt.datetime) -> bool:
    resolved_at = ticket.resolved_at
    window = dt.timedelta(minutes=group.integration.flap_window_minutes)
    return resolved_at is not None and at - resolved_at <= window


def _attach(*, ticket: Ticket, alerts: list[Alert], actor: User, now: dt.datetime, note: str) -> None:
    ticket_alerts_attach(actor=actor, ticket=ticket, note=note + "\n" + _alert_lines(alerts), now=now,
                         data={"alerts": [a.pk for a in alerts]})
    hosts = {h.pk: h for h in ticket.hosts.all()}
    added = {a.host.pk: a.host for a in alerts if a.host is not None and a.host.pk not in hosts}
    if added:  # hosts the new alerts name join the ticket (its own timeline records the change)
        try:
            ticket_update(actor=actor, ticket=ticket, hosts=[*hosts.values(), *added.values()], now=now)
        except IllegalTransition:
            logger.info("ticket %s no longer open: hosts of new alerts not added", ticket.pk)


def _alert_lines(alerts: list[Alert]) -> str:
    lines = []
    for a in alerts:
        where = a.host.name if a.host else (a.labels.get("instance") or a.labels.get("host") or "")
        start = timezone.localtime(a.starts_at).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f"- [{a.severity}] {a.alertname or a.fingerprint}{' · ' + where if where else ''}：{a.summary}（开始 {start}）")
    return "\n".join(lines)


def _open_ticket(*, group: AlertGroup, alerts: list[Alert], received: dt.datetime, previous: Ticket | None,
                 actor: User, now: dt.datetime) -> Ticket:
    severity = min((a.severity for a in alerts), key=SEVERITY_ORDER.index)
    security = any(a.security for a in alerts)
    first = alerts[0]
    onset = min(a.starts_at for a in alerts)
    title = f"【监控】{first.summary or first.alertname}"[:200]
    description = "\n".join([
        f"监控接入“{group.integration.name}”自动开单。",
        f"业务系统：{group.business_system.name}",
        f"告警开始：{timezone.localtime(onset):%Y-%m-%d %H:%M:%S}",
        f"首个告警接收：{timezone.localtime(received):%Y-%m-%d %H:%M:%S}",
        *([f"前序工单：{previous.number}（同一告警组再次触发）"] if previous else []),
        "告警：",
        _alert_lines(alerts),
    ])
    hosts = sorted({a.host for a in alerts if a.host is not None}, key=lambda h: h.pk)
    storm = _storm(now=now)
    kwargs = dict(actor=actor, title=title, kind=TicketKind.SECURITY if security else TicketKind.FAULT, severity=severity,
                  business_system=group.business_system, description=description, hosts=hosts,
                  channel=Ticket.Channel.MONITORING, reported_at=min(received, now), now=now)
    if storm:
        with ticket_notifications_suppressed():  # the storm notice below tells the people on duty once
            ticket = ticket_create(**kwargs)
        _storm_notice(now=now, actor=actor, count=storm)
    else:
        ticket = ticket_create(**kwargs)
    return ticket


def _storm(*, now: dt.datetime) -> int:
    """More than MONITORING_STORM_GROUPS groups opened within the last minute: the count (with this one),
    else 0."""
    recent = AlertGroup.objects.filter(opened_at__gt=now - dt.timedelta(minutes=1), opened_at__lte=now).count()
    return recent + 1 if recent >= settings.MONITORING_STORM_GROUPS else 0


def _storm_notice(*, now: dt.datetime, actor: User, count: int) -> None:
    """One 告警风暴 notice per minute to the people on duty, instead of one per new group."""
    minute = timezone.localtime(now).replace(second=0, microsecond=0)
    recent = list(AlertGroup.objects.filter(opened_at__gt=now - dt.timedelta(minutes=1))
                  .select_related("ticket", "business_system").order_by("opened_at", "pk")[:20])
    lines = [f"- {g.ticket.number if g.ticket else ''} {g.business_system.name} {g.labels.get('alertname', '')}" for g in recent]
    notification_send(
        recipients=duty_contacts(at=now, exclude={actor.pk}), kind="alert_storm",
        title=f"【告警风暴】1 分钟内新增 {count} 个告警组（{minute:%H:%M}）",
        body="告警风暴期间不再逐条通知新告警组，请在监控接入页面和工单队列查看。\n" + "\n".join(lines),
        url=reverse("monitoring-integrations"), dedupe_key=f"alert-storm:{minute:%Y%m%d%H%M}", webhook=True,
    )


def _recovery_check(*, group: AlertGroup, actor: User, now: dt.datetime) -> None:
    """When every alert of the group's ticket is resolved: a 监控恢复 event at the latest end."""
    ticket = group.ticket
    if ticket is None or group.recovered_at is not None or ticket.status == Ticket.Status.CANCELLED:
        return
    alerts = Alert.objects.filter(group=group, ticket=ticket)
    if alerts.filter(status=Alert.Status.FIRING).exists():
        return
    ends = [e for e in alerts.values_list("ends_at", flat=True) if e is not None]
    if not ends:
        return
    recovered_at = max(ends)
    ticket_monitor_recover(actor=actor, ticket=ticket, recovered_at=recovered_at, now=now,
                           note=f"监控显示全部告警已恢复（{timezone.localtime(recovered_at):%Y-%m-%d %H:%M:%S}）",
                           data={"alerts": alerts.count()})
    group.recovered_at = recovered_at
    group.save(update_fields=["recovered_at"])


# ---------------------------------------------------------------- 3. sweep


def alert_batches_pending(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Pending batches received more than MONITORING_SWEEP_AFTER_SECONDS ago, oldest first (a bounded
    batch): those whose task never ran or whose processor died."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.MONITORING_SWEEP_AFTER_SECONDS)
    return list(AlertBatch.objects.filter(status=AlertBatch.Status.PENDING, received_at__lte=cutoff)
                .order_by("received_at", "pk").values_list("pk", flat=True)[:limit])
