"""Ticket use cases: create, update, the lifecycle moves, claim and assignment (major incidents and
regrades: tickets.services.exclusions and .regrade, as they may need the purchaser's consent).

Each service locks the ticket row, checks the transition table (tickets.services.transitions), changes
the row, moves the SLA clocks and writes the timeline, all in one transaction; notifications go to the
outbox in the same transaction and leave after commit.

`now` is for imports and the demo seeder, which replay history; the API and pages never pass it.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_has_role, user_is_auditor, user_is_provider_staff, user_tenant_id
from core.exceptions import PermissionDenied, ValidationFailed
from core.limits import (
    DESCRIPTION_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    text_lengths_check,
)
from roster.selectors.calendar import WorkingDays
from roster.selectors.duty import duty_contacts

from ..models import (
    NUMBER_PREFIX,
    BusinessSystem,
    DowntimeRecord,
    Host,
    ServiceItem,
    Severity,
    SlaClock,
    StopMilestone,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketNumberCounter,
)
from .events import ticket_event_record
from .notify import ticket_notifications_on, ticket_notify, ticket_notify_requester, ticket_url
from .sla import (
    heavy_protection_applies,
    sla_clocks_build,
    sla_clocks_next_due,
    sla_clocks_pause,
    sla_clocks_restart,
    sla_clocks_resume,
    sla_clocks_stop,
)
from .transitions import OPEN_STATUSES, ticket_action_check, ticket_assign_check

S = Ticket.Status


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def ticket_number_next(*, kind: str, day: dt.date) -> str:
    """GZ-20261128-0003: the next number of this kind and day. One atomic statement: the counter row is
    created at 1 or incremented, and the new value returned (INSERT … ON CONFLICT … RETURNING, which
    PostgreSQL and SQLite ≥ 3.35 both run under the row's lock: concurrent creators get distinct numbers).
    The counter is a sequence, not a record: it is not written to the audit log."""
    prefix = NUMBER_PREFIX[kind]
    table = TicketNumberCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, day, last) VALUES (%s, %s, 1) "  # noqa: S608 - table name from the model
            f"ON CONFLICT (prefix, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [prefix, day],
        )
        last = cursor.fetchone()[0]
    return f"{prefix}-{day:%Y%m%d}-{last:04d}"


def _lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock (the caller's copy may be stale)."""
    # No select_related: after waiting for the lock PostgreSQL re-reads the locked row but not the
    # joined ones, so a joined assignee could be stale (None while assignee_id is set).
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _save(ticket: Ticket, now: dt.datetime, *fields: str) -> None:
    ticket.updated_at = now
    ticket.save(update_fields=[*fields, "updated_at"])


def _validate_reported_at(
    *, actor: User, requester: User, channel: str, reported_at: dt.datetime | None, now: dt.datetime
) -> dt.datetime:
    """reported_at starts every clock. A web report is reported now; a monitoring alert when it was
    received (by provider staff, never in the future). A phone or e-mail
    report recorded by provider staff may be dated earlier, but never in the future and never before
    the caller's previous event — defined as the reported_at of that requester's latest earlier ticket
    (a caller cannot have phoned before the last report they made, so the clocks cannot be pushed
    back past an event already on record)."""
    if reported_at is None:
        return now
    if channel == Ticket.Channel.MONITORING and user_is_provider_staff(actor) and reported_at <= now:
        # The monitoring intake dates a ticket when OpsDesk received the group's first alert; the
        # "previous report" rule is about callers, not about alerts processed out of order.
        return reported_at
    if channel not in (Ticket.Channel.PHONE, Ticket.Channel.EMAIL) or not user_is_provider_staff(actor):
        raise ValidationFailed(fields={"reported_at": [_("只有服务商人员录入电话或邮件报障时可以填写报告时间")]})
    if reported_at > now:
        raise ValidationFailed(fields={"reported_at": [_("报告时间不能晚于当前时间")]})
    previous = (
        Ticket.objects.filter(requester=requester, reported_at__lte=now).order_by("-reported_at").values_list("reported_at", flat=True).first()
    )
    if previous is not None and reported_at < previous:
        shown = timezone.localtime(previous).strftime("%Y-%m-%d %H:%M")
        raise ValidationFailed(fields={"reported_at": [f"报告时间不能早于该报障人上一次报障时间（{shown}）"]})
    return reported_at


def _check_resource_fields(*, kind: str, resource: str, direction: str) -> None:
    errors = {}
    if kind == TicketKind.RESOURCE:
        if not resource:
            errors["resource"] = ["资源调整工单必须选择资源类型"]
        if not direction:
            errors["direction"] = ["资源调整工单必须选择扩容或缩容"]
    else:
        if resource:
            errors["resource"] = ["只有资源调整工单填写资源类型"]
        if direction:
            errors["direction"] = ["只有资源调整工单填写调整方向"]
    if errors:
        raise ValidationFailed(fields=errors)


def _check_hosts(*, hosts: list[Host], business_system: BusinessSystem) -> None:
    wrong = [h.name for h in hosts if h.business_system_id != business_system.pk]
    if wrong:
        raise ValidationFailed(fields={"hosts": [f"主机 {', '.join(wrong)} 不属于业务系统“{business_system.name}”"]})


@transaction.atomic
def ticket_create(
    *,
    actor: User,
    title: str,
    kind: str,
    severity: str,
    business_system: BusinessSystem,
    description: str = "",
    hosts: list[Host] | None = None,
    service_item: ServiceItem | None = None,
    channel: str = Ticket.Channel.WEB,
    reported_at: dt.datetime | None = None,
    requester: User | None = None,
    resource: str = "",
    direction: str = "",
    amount_before: Decimal | None = None,
    amount_after: Decimal | None = None,
    now: dt.datetime | None = None,
    days: WorkingDays | None = None,
) -> Ticket:
    """Clause 8.1.6 (every fault report taken, 7×24, with its real report time): Open a ticket and start its
    clocks at reported_at.

    Purchaser staff report for themselves on the web. Provider staff record phone / e-mail /
    monitoring reports for a requester of the system's organisation (default: themselves for
    monitoring alerts). Auditors change nothing.

    The ticket returned carries what `ticket_base_queryset` would have read with it (its clocks and
    hosts, no rating yet), so the caller can show it without reading it back. `days`: the caller's
    working-day calendar, when it has one for the same request."""
    now = now or timezone.now()
    text_lengths_check(title=(title, TITLE_MAX_LENGTH), description=(description, DESCRIPTION_MAX_LENGTH))
    hosts = list(hosts or [])
    if user_is_auditor(actor) and not user_is_provider_staff(actor):
        raise PermissionDenied(_("审计员只能查看"))
    staff = user_is_provider_staff(actor)
    tenant_id = business_system.organization.tenant_id
    if not staff:
        if not user_has_role(actor, Role.REQUESTER, Role.APPROVER):
            raise PermissionDenied(_("您没有提交工单的权限"))
        if user_tenant_id(actor) != tenant_id:
            raise ValidationFailed(fields={"business_system": [_("业务系统不存在")]})
        if requester is not None and requester.pk != actor.pk:
            raise ValidationFailed(fields={"requester": [_("报障人只能为本人提交")]})
        requester = actor
        if channel != Ticket.Channel.WEB:
            raise ValidationFailed(fields={"channel": [_("采购人通过网页提交工单")]})
    else:
        if requester is None:
            if channel in (Ticket.Channel.PHONE, Ticket.Channel.EMAIL):
                raise ValidationFailed(fields={"requester": [_("电话或邮件报障请选择报障人")]})
            requester = actor
        elif not user_is_provider_staff(requester) and user_tenant_id(requester) != tenant_id:
            raise ValidationFailed(fields={"requester": [_("报障人不属于该业务系统的单位")]})
    if kind not in TicketKind.values:
        raise ValidationFailed(fields={"kind": [_("工单类型无效")]})
    if severity not in Severity.values:
        raise ValidationFailed(fields={"severity": [_("级别无效")]})
    if not title.strip():
        raise ValidationFailed(fields={"title": [_("请填写标题")]})
    _check_resource_fields(kind=kind, resource=resource, direction=direction)
    _check_hosts(hosts=hosts, business_system=business_system)
    reported_at = _validate_reported_at(actor=actor, requester=requester, channel=channel, reported_at=reported_at, now=now)

    ticket = Ticket(
        title=title.strip(),
        description=description,
        kind=kind,
        severity=severity,
        business_system=business_system,
        service_item=service_item,
        requester=requester,
        organization_id=tenant_id,
        channel=channel,
        reported_at=reported_at,
        recorded_by=actor,
        resource=resource,
        direction=direction,
        amount_before=amount_before,
        amount_after=amount_after,
        created_at=now,
        updated_at=now,
    )
    # The clocks depend only on the ticket's fields: computed first, so next_due_at goes in with the
    # INSERT (no UPDATE and no second audit row), and the clocks are written after it.
    heavy = kind == TicketKind.RESOURCE and heavy_protection_applies(business_system=business_system, at=reported_at)
    clocks = sla_clocks_build(ticket=ticket, heavy_important=heavy, days=days)
    ticket.next_due_at = sla_clocks_next_due(clocks)
    ticket.number = ticket_number_next(kind=kind, day=_local_day(reported_at))
    ticket.save(force_insert=True)
    SlaClock.objects.bulk_create(clocks)
    if hosts:
        ticket.hosts.set(hosts)
    ticket.prefetched_clocks = clocks  # inserted in this order: ascending ids
    ticket.prefetched_hosts = hosts  # Ticket.host_list() puts them in order
    Ticket.satisfaction.related.set_cached_value(ticket, None)  # not rated yet (reading it would query)
    data = {
        "channel": channel,
        "reported_at": timezone.localtime(reported_at).isoformat(),
        "recorded_by": actor.pk,
        "requester": requester.pk,
        "heavy_protection": heavy,
        "clocks": {c.name: {"target_minutes": c.target_minutes, "calendar": c.calendar, "policy": c.policy_id,
                            "due_at": timezone.localtime(c.due_at).isoformat() if c.due_at else None,
                            "calendar_warning": c.calendar_warning} for c in clocks},
    }
    if kind in INCIDENT_KINDS:
        data["notified"] = [user.pk for user in _incident_announce(ticket=ticket, clocks=clocks, actor=actor, now=now)]
    ticket_event_record(
        ticket=ticket, kind=TicketEvent.Kind.CREATED, actor=actor, at=now, to_status=S.NEW,
        note=f"由 {actor.display_name} 录入（{ticket.get_channel_display()}）" if actor.pk != requester.pk else "",
        data=data,
    )
    if kind == TicketKind.FAULT and severity == Severity.P1:
        DowntimeRecord.objects.create(
            ticket=ticket, business_system=business_system, start=reported_at, end=None, created_at=now
        )
    return ticket


# Faults and security incidents: answered within 15 minutes, so the people on duty hear of one at once.
INCIDENT_KINDS = (TicketKind.FAULT, TicketKind.SECURITY)


def _incident_announce(*, ticket: Ticket, clocks: list, actor: User, now: dt.datetime) -> list[User]:
    """Tell the people on duty (the duty leaders when no published roster covers the moment) of a new
    fault or security incident as it is reported, instead of at 50 % of its response time; P1 and P2
    also go to the group robot, even when nobody else is left to tell. Not the person who recorded it.
    Written in the interface's first language whatever the recorder's, like every other notice.
    Returns who was told (the timeline keeps it); nobody while history is replayed."""
    if not ticket_notifications_on():
        return []
    people = duty_contacts(at=now, exclude={actor.pk})
    response = next((c for c in clocks if c.name == "response"), None)
    with translation.override(settings.LANGUAGE_CODE):
        title = f"【新{ticket.get_kind_display()} {ticket.severity}】{ticket.number} {ticket.title}"
        body = (f"{ticket.business_system.name} · {ticket.get_channel_display()} · 报告于 "
                f"{timezone.localtime(ticket.reported_at):%m-%d %H:%M}")
    if response is not None:
        due = timezone.localtime(response.due_at).strftime("%m-%d %H:%M") if response.due_at else "—"
        body += f"\n响应时限 {response.target_minutes} 分钟，到期 {due}。"
    ticket_notify(
        recipients=people, kind="ticket_new", title=title, body=body, url=ticket_url(ticket),
        # A new ticket is announced once, so the key only guards the inbox rows; without anybody to
        # write one for, it would also hold back the robot's post (core.services.notification_send).
        dedupe_key=f"ticket-new:{ticket.pk}" if people else None,
        webhook=ticket.severity in (Severity.P1, Severity.P2),
    )
    return people


def _downtime_set_end(records, *, end: dt.datetime | None, now: dt.datetime) -> None:
    """Set (or clear, on reopen) the end of the ticket's outage records. Whether any of their minutes
    were planned maintenance is computed when read (changes.selectors), never stored."""
    records.update(end=end)


EDITABLE_FIELDS = ("title", "description", "hosts", "service_item", "amount_before", "amount_after")


@transaction.atomic
def ticket_update(*, actor: User, ticket: Ticket, now: dt.datetime | None = None, **changes) -> Ticket:
    """Change the editable fields (title, description, hosts, service item, amounts). Kind, severity,
    business system and reported_at fix the SLA targets and cannot change after creation."""
    now = now or timezone.now()
    text_lengths_check(**{name: (changes[name], limit) for name, limit in (("title", TITLE_MAX_LENGTH), ("description", DESCRIPTION_MAX_LENGTH)) if isinstance(changes.get(name), str)})
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [_("创建后不能修改此字段")] for name in sorted(unknown)})
    ticket = _lock(ticket)
    ticket_action_check(action="update", user=actor, ticket=ticket)  # a requester edits only a new ticket
    old: dict = {}
    new: dict = {}
    fields: list[str] = []
    for name, value in changes.items():
        if name == "hosts":
            hosts = list(value or [])
            _check_hosts(hosts=hosts, business_system=ticket.business_system)
            before = sorted(ticket.hosts.values_list("pk", flat=True))
            after = sorted(h.pk for h in hosts)
            if before != after:
                ticket.hosts.set(hosts)
                old["hosts"], new["hosts"] = before, after
            continue
        if name == "title" and not str(value).strip():
            raise ValidationFailed(fields={"title": [_("请填写标题")]})
        current = getattr(ticket, name)
        if current != value:
            old[name] = current.pk if hasattr(current, "pk") else (str(current) if current is not None else None)
            new[name] = value.pk if hasattr(value, "pk") else (str(value) if value is not None else None)
            setattr(ticket, name, value)
            fields.append(name)
    if not old:
        return ticket
    if fields:
        _save(ticket, now, *fields)
    ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.UPDATED, actor=actor, at=now, data={"old": old, "new": new})
    return ticket


def _move(ticket: Ticket, *, action: str, actor: User, now: dt.datetime, note: str = "", kind: str, data: dict | None = None,
          extra_fields: tuple[str, ...] = (), to_status: str | None = None) -> None:
    spec = ticket_action_check(action=action, user=actor, ticket=ticket)
    from_status = ticket.status
    ticket.status = to_status or spec.target
    _save(ticket, now, "status", "next_due_at", *extra_fields)
    ticket_event_record(ticket=ticket, kind=kind, actor=actor, at=now, from_status=from_status, to_status=ticket.status,
                        note=note, data=data)


@transaction.atomic
def ticket_acknowledge(*, actor: User, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    """响应: stops the response clock. An unassigned ticket is taken by whoever acknowledges it."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    ticket_action_check(action="acknowledge", user=actor, ticket=ticket)
    ticket.acknowledged_at = now
    fields = ["acknowledged_at"]
    if ticket.assignee_id is None:
        ticket.assignee = actor
        fields.append("assignee")
    sla_clocks_stop(ticket=ticket, milestones={StopMilestone.ACKNOWLEDGE}, at=now, actor=actor)
    _move(ticket, action="acknowledge", actor=actor, now=now, kind=TicketEvent.Kind.ACKNOWLEDGED,
          extra_fields=tuple(fields), data={"assignee": ticket.assignee_id})
    ticket_notify_requester(ticket=ticket, kind="ticket_acknowledged", title=f"您的工单 {ticket.number} 已响应",
                            body=f"{actor.display_name} 已响应“{ticket.title}”，正在处理。")
    return ticket


@transaction.atomic
def ticket_claim(*, actor: User, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    """认领: set the assignee to the actor. Exactly one of many concurrent claimers wins (row lock);
    the others get Conflict. Changes no status and stops no clock."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    ticket_action_check(action="claim", user=actor, ticket=ticket)  # Conflict when someone holds it
    ticket.assignee = actor
    _save(ticket, now, "assignee")
    ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.CLAIMED, actor=actor, at=now, data={"assignee": actor.pk})
    return ticket


@transaction.atomic
def ticket_assign(*, actor: User, ticket: Ticket, assignee: User, now: dt.datetime | None = None) -> Ticket:
    """指派 / 改派, to provider staff: by the duty leader or project manager any ticket; by an engineer
    to themselves, or their own or an unassigned ticket to a colleague (transitions.ticket_assign_check).
    The new assignee is told, and so is the one it was taken from (unless they did it themselves)."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    ticket_action_check(action="assign", user=actor, ticket=ticket)
    if not assignee.is_active or not user_is_provider_staff(assignee):
        raise ValidationFailed(fields={"assignee": [_("只能指派给服务商运维人员")]})
    ticket_assign_check(user=actor, ticket=ticket, assignee=assignee)
    previous = ticket.assignee_id
    if previous == assignee.pk:
        return ticket
    ticket.assignee = assignee
    _save(ticket, now, "assignee")
    ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.ASSIGNED, actor=actor, at=now,
                        data={"from": previous, "to": assignee.pk})
    if assignee.pk != actor.pk:
        ticket_notify(recipients=[assignee], kind="ticket_assigned", title=f"工单 {ticket.number} 已指派给您",
                      body=ticket.title, url=ticket_url(ticket))
    if previous is not None and previous != actor.pk:
        ticket_notify(recipients=[User.objects.get(pk=previous)], kind="ticket_assigned",
                      title=f"工单 {ticket.number} 已改派给 {assignee.display_name}",
                      body=f"{actor.display_name} 改派了“{ticket.title}”。", url=ticket_url(ticket))
    return ticket


@transaction.atomic
def ticket_start(*, actor: User, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    now = now or timezone.now()
    ticket = _lock(ticket)
    ticket_action_check(action="start", user=actor, ticket=ticket)
    ticket.started_at = ticket.started_at or now
    _move(ticket, action="start", actor=actor, now=now, kind=TicketEvent.Kind.STARTED, extra_fields=("started_at",))
    return ticket


@transaction.atomic
def ticket_pend(*, actor: User, ticket: Ticket, reason: str, now: dt.datetime | None = None) -> Ticket:
    """待用户反馈: pauses the clocks whose policy allows it (not faults by default), with the reason."""
    now = now or timezone.now()
    text_lengths_check(reason=(reason, REASON_MAX_LENGTH))
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("请说明需要用户反馈的内容")]})
    ticket = _lock(ticket)
    ticket_action_check(action="pend", user=actor, ticket=ticket)
    ticket.status_before_pending = ticket.status
    ticket.pending_since = now
    sla_clocks_pause(ticket=ticket, at=now, actor=actor, reason=reason)
    _move(ticket, action="pend", actor=actor, now=now, note=reason, kind=TicketEvent.Kind.PENDED,
          extra_fields=("status_before_pending", "pending_since"))
    ticket_notify_requester(ticket=ticket, kind="ticket_pending", title=f"工单 {ticket.number} 需要您的反馈",
                            body=reason)
    return ticket


@transaction.atomic
def ticket_resume(*, actor: User, ticket: Ticket, note: str = "", now: dt.datetime | None = None) -> Ticket:
    """Back from pending to the status it had; paused clocks run again and their due times move later."""
    now = now or timezone.now()
    text_lengths_check(note=(note, REASON_MAX_LENGTH))
    ticket = _lock(ticket)
    ticket_action_check(action="resume", user=actor, ticket=ticket)
    back_to = ticket.status_before_pending or S.IN_PROGRESS
    sla_clocks_resume(ticket=ticket, at=now, actor=actor, reason=note)
    ticket.pending_since = None
    ticket.status_before_pending = ""
    _move(ticket, action="resume", actor=actor, now=now, note=note, kind=TicketEvent.Kind.RESUMED,
          extra_fields=("pending_since", "status_before_pending"), to_status=back_to)
    return ticket


@transaction.atomic
def ticket_locate(*, actor: User, ticket: Ticket, note: str = "", now: dt.datetime | None = None) -> Ticket:
    """已定位: stops the clocks that stop at locate (a P1 fault's resolve clock)."""
    now = now or timezone.now()
    text_lengths_check(note=(note, NOTE_MAX_LENGTH))
    ticket = _lock(ticket)
    ticket_action_check(action="locate", user=actor, ticket=ticket)
    ticket.located_at = now
    ticket.started_at = ticket.started_at or now
    sla_clocks_stop(ticket=ticket, milestones={StopMilestone.LOCATE}, at=now, actor=actor)
    _move(ticket, action="locate", actor=actor, now=now, note=note, kind=TicketEvent.Kind.LOCATED,
          extra_fields=("located_at", "started_at"))
    return ticket


def _apply_resource_adjustment(*, ticket: Ticket, actor: User, now: dt.datetime) -> None:
    """A completed vCPU / memory / storage adjustment updates the figures of the hosts concerned."""
    field = {"vcpu": "vcpu", "memory": "memory_gb", "storage": "storage_gb"}.get(ticket.resource)
    if field is None or ticket.amount_after is None:
        return
    hosts = list(ticket.hosts.select_for_update().order_by("pk"))
    if not hosts:
        return
    value = int(ticket.amount_after)
    changed = {}
    for host in hosts:
        before = getattr(host, field)
        if before != value:
            setattr(host, field, value)
            host.save(update_fields=[field])
            changed[host.name] = [before, value]
    if changed:
        ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.HOSTS_UPDATED, actor=actor, at=now,
                            data={"field": field, "hosts": changed})


@transaction.atomic
def ticket_resolve(*, actor: User, ticket: Ticket, resolution: str, now: dt.datetime | None = None) -> Ticket:
    """已解决 / 已恢复. Stops the resolve and restore clocks; a P1 resolved without a locate step is
    taken as located at this moment. A P1 outage record ends here unless staff corrected its end."""
    now = now or timezone.now()
    text_lengths_check(resolution=(resolution, TEXT_MAX_LENGTH))
    if not resolution.strip():
        raise ValidationFailed(fields={"resolution": [_("请填写解决说明")]})
    ticket = _lock(ticket)
    ticket_action_check(action="resolve", user=actor, ticket=ticket)
    fields = ["resolved_at", "resolution"]
    if ticket.located_at is None:
        ticket.located_at = now
        fields.append("located_at")
    ticket.resolved_at = now
    ticket.resolution = resolution
    sla_clocks_stop(ticket=ticket, milestones={StopMilestone.LOCATE, StopMilestone.RESOLVE}, at=now, actor=actor)
    if ticket.kind == TicketKind.RESOURCE:
        _apply_resource_adjustment(ticket=ticket, actor=actor, now=now)
    _downtime_set_end(ticket.downtimes.filter(end__isnull=True, reason_corrected=""), end=now, now=now)
    _move(ticket, action="resolve", actor=actor, now=now, note=resolution, kind=TicketEvent.Kind.RESOLVED,
          extra_fields=tuple(fields))
    ticket_notify_requester(ticket=ticket, kind="ticket_resolved", title=f"您的工单 {ticket.number} 已解决",
                            body=f"{resolution}\n\n请确认关闭或重新打开，并为本次服务评分。")
    return ticket


@transaction.atomic
def ticket_close(*, actor: User | None, ticket: Ticket, now: dt.datetime | None = None, auto: bool = False) -> Ticket:
    """The requester confirms the resolution (or a manager closes; `auto` for the periodic auto-close,
    which has no actor)."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    if auto:
        if ticket.status != S.RESOLVED:
            return ticket  # confirmed, reopened or closed meanwhile: nothing to do
        from_status = ticket.status
        ticket.status = S.CLOSED
        ticket.closed_at = now
        _save(ticket, now, "status", "closed_at")
        days = settings.OPSDESK_AUTO_CLOSE_DAYS
        ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.AUTO_CLOSED, actor=None, at=now, from_status=from_status,
                            to_status=S.CLOSED, note=f"解决后 {days} 天未确认，系统自动关闭")
        return ticket
    ticket_action_check(action="close", user=actor, ticket=ticket)
    ticket.closed_at = now
    _move(ticket, action="close", actor=actor, now=now, kind=TicketEvent.Kind.CLOSED, extra_fields=("closed_at",))
    return ticket


def ticket_auto_close_due(*, now: dt.datetime, limit: int = 200) -> list[int]:
    """Resolved tickets older than OPSDESK_AUTO_CLOSE_DAYS (a bounded batch)."""
    cutoff = now - dt.timedelta(days=settings.OPSDESK_AUTO_CLOSE_DAYS)
    return list(
        Ticket.objects.filter(status=S.RESOLVED, resolved_at__lte=cutoff).order_by("resolved_at", "pk").values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def ticket_reopen(*, actor: User, ticket: Ticket, reason: str, now: dt.datetime | None = None) -> Ticket:
    """Back to in progress from resolved or closed, with a reason. The clocks that stopped at resolve run
    again (the time with the requester counts as paused); a P1 outage record is open again."""
    now = now or timezone.now()
    text_lengths_check(reason=(reason, REASON_MAX_LENGTH))
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("请说明重新打开的原因")]})
    ticket = _lock(ticket)
    ticket_action_check(action="reopen", user=actor, ticket=ticket)
    previous_resolved = ticket.resolved_at
    sla_clocks_restart(ticket=ticket, at=now, actor=actor, reason=reason)
    if previous_resolved is not None:
        _downtime_set_end(ticket.downtimes.filter(end=previous_resolved, reason_corrected=""), end=None, now=now)
    ticket.resolved_at = None
    ticket.closed_at = None
    _move(ticket, action="reopen", actor=actor, now=now, note=reason, kind=TicketEvent.Kind.REOPENED,
          extra_fields=("resolved_at", "closed_at"), data={"resolved_at": timezone.localtime(previous_resolved).isoformat() if previous_resolved else None})
    if ticket.assignee_id:
            ticket_notify(recipients=[ticket.assignee], kind="ticket_reopened", title=f"工单 {ticket.number} 被重新打开",
                          body=reason, url=ticket_url(ticket))
    return ticket


def ticket_cancel_apply(*, actor: User, ticket: Ticket, reason: str, now: dt.datetime,
                        kind: str = TicketEvent.Kind.CANCELLED, data: dict | None = None) -> Ticket:
    """Carry out a cancellation the purchaser consented to (tickets.services.exclusions decides that):
    status cancelled, all running clocks stop, an open outage ends. Caller holds the ticket row lock
    (`ticket` is the locked copy). A ticket already closed or cancelled keeps its status: the
    exclusion alone takes it out of the figures."""
    if ticket.status not in OPEN_STATUSES and ticket.status != S.RESOLVED:
        return ticket
    from_status = ticket.status
    ticket.cancelled_at = now
    ticket.cancel_reason = reason
    sla_clocks_stop(ticket=ticket, milestones=set(StopMilestone.values), at=now, actor=actor, event_kind_note="工单取消")
    _downtime_set_end(ticket.downtimes.filter(end__isnull=True), end=now, now=now)
    ticket.status = S.CANCELLED
    _save(ticket, now, "status", "next_due_at", "cancelled_at", "cancel_reason")
    ticket_event_record(ticket=ticket, kind=kind, actor=actor, at=now, from_status=from_status, to_status=ticket.status,
                        note=reason, data=data)
    return ticket


def ticket_lock(ticket: Ticket) -> Ticket:
    """The ticket re-read under its row lock (for services of this app beside this module)."""
    return _lock(ticket)
