"""Outage (downtime) records of business systems; the reports app computes availability from them."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.db import lock_one
from core.exceptions import NotFound, ValidationFailed
from core.limits import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, text_lengths_check

from ..models import DOWNTIME_EXCLUSION_KINDS, DowntimeRecord, ExclusionKind, Ticket, TicketEvent
from .events import ticket_event_record
from .exclusions import exclusion_open
from .transitions import ticket_action_check


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


@transaction.atomic
def downtime_record_create(
    *, actor: User, ticket: Ticket, start: dt.datetime | None = None, end: dt.datetime | None = None,
    planned: bool = False, reason: str = "", claim_kind: str = ExclusionKind.PLANNED, now: dt.datetime | None = None,
) -> DowntimeRecord:
    """Clauses 8.2.12 and 1.2.9 (system down; availability): record an outage for a ticket (a P1 gets one
    automatically at creation). Default: from the ticket's reported_at to its resolve time (open while
    unresolved).

    `planned=True` no longer takes any minute out of availability (8.2.8): only an approved, completed
    change's window does, computed when read (changes.selectors.planned_spans_by_system). The claim
    is kept as `claimed_planned` with its reason and opens an exclusion of `claim_kind` (planned
    maintenance or force majeure) for the purchaser to confirm or reject (issue 15 item 3); until
    it is confirmed, and again after a rejection, dispute or withdrawal, the minutes count as
    unplanned. The exclusion keeps the times claimed (the record's end when it is still open)."""
    now = now or timezone.now()
    text_lengths_check(reason=(reason, REASON_MAX_LENGTH))
    ticket_action_check(action="downtime", user=actor, ticket=ticket)
    start = start or ticket.reported_at
    end = end if end is not None else ticket.resolved_at
    _check(start=start, end=end, now=now)
    custom = start != ticket.reported_at or end != ticket.resolved_at
    if custom and not reason.strip():
        raise ValidationFailed(fields={"reason": [_("停机时间与工单报告/解决时间不同，请说明原因")]})
    if planned and not reason.strip():
        raise ValidationFailed(fields={"reason": [_("申报计划内停机须说明原因（待采购人确认）")]})
    if planned and claim_kind not in DOWNTIME_EXCLUSION_KINDS:
        raise ValidationFailed(fields={"claim_kind": [_("申报类型无效")]})
    record = DowntimeRecord.objects.create(
        ticket=ticket, business_system=ticket.business_system, start=start, end=end, claimed_planned=planned,
        claim_reason=reason.strip() if planned else "", reason_corrected=reason if custom else "", created_at=now,
    )
    ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.DOWNTIME_RECORDED, actor=actor, at=now, note=reason,
                        data={"downtime": record.pk, "start": _iso(start), "end": _iso(end), "claimed_planned": planned})
    if planned:
        exclusion_open(
            actor=actor, kind=claim_kind, reason=reason, business_system=record.business_system, ticket=ticket,
            downtime=record, start=start, end=end, effective_at=start, now=now,
        )
    return record


def _check(*, start: dt.datetime, end: dt.datetime | None, now: dt.datetime) -> None:
    if start > now:
        raise ValidationFailed(fields={"start": [_("停机开始时间不能晚于当前时间")]})
    if end is not None and end > now:
        raise ValidationFailed(fields={"end": [_("停机结束时间不能晚于当前时间")]})
    if end is not None and end < start:
        raise ValidationFailed(fields={"end": [_("停机结束时间不能早于开始时间")]})


@transaction.atomic
def downtime_record_correct(
    *, actor: User, record: DowntimeRecord, reason: str, start: dt.datetime | None = None,
    end: dt.datetime | None = None, now: dt.datetime | None = None,
) -> DowntimeRecord:
    """Staff correct either end of an outage with a reason; old and new times stay on the timeline."""
    now = now or timezone.now()
    text_lengths_check(reason=(reason, REASON_MAX_LENGTH))
    if record.ticket is None:
        raise NotFound(_("停机记录不存在"))
    ticket_action_check(action="downtime", user=actor, ticket=record.ticket)
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("请填写更正原因")]})
    if start is None and end is None:
        raise ValidationFailed(fields={"start": [_("请填写要更正的开始或结束时间")]})
    record = DowntimeRecord.objects.select_for_update().get(pk=record.pk)
    old = {"start": _iso(record.start), "end": _iso(record.end)}
    new_start = start or record.start
    new_end = end if end is not None else record.end
    _check(start=new_start, end=new_end, now=now)
    record.start, record.end, record.reason_corrected = new_start, new_end, reason
    record.save(update_fields=["start", "end", "reason_corrected"])
    ticket_event_record(ticket=record.ticket, kind=TicketEvent.Kind.DOWNTIME_CORRECTED, actor=actor, at=now, note=reason,
                        data={"downtime": record.pk, "old": old, "new": {"start": _iso(new_start), "end": _iso(new_end)}})
    return record


DOWNTIME_REPORT_FIELDS = ("outage_impact", "root_cause", "actions_taken", "prevention")


@transaction.atomic
def ticket_downtime_report_update(*, actor: User, ticket: Ticket, now: dt.datetime | None = None, **fields: str) -> Ticket:
    """Provider staff write the downtime report's narrative: impact (影响范围), root cause (故障原因),
    actions taken (处置措施), prevention (预防措施). Old and new texts go on the timeline."""
    now = now or timezone.now()
    text_lengths_check(**{name: (value, TEXT_MAX_LENGTH) for name, value in fields.items() if isinstance(value, str)})
    unknown = sorted(set(fields) - set(DOWNTIME_REPORT_FIELDS))
    if unknown:
        raise ValidationFailed(fields={name: [_("不是宕机报告的字段")] for name in unknown})
    ticket_action_check(action="downtime", user=actor, ticket=ticket)
    ticket = lock_one(Ticket.objects.all(), ticket.pk)
    old, new = {}, {}
    for name, value in fields.items():
        value = (value or "").strip()
        if getattr(ticket, name) != value:
            old[name], new[name] = getattr(ticket, name), value
            setattr(ticket, name, value)
    if not new:
        return ticket
    ticket.updated_at = now
    ticket.save(update_fields=[*new, "updated_at"])
    labels = {name: str(Ticket._meta.get_field(name).verbose_name) for name in new}
    ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.DOWNTIME_REPORT_UPDATED, actor=actor, at=now,
                        note="更新：" + "、".join(labels.values()), data={"old": old, "new": new})
    return ticket
