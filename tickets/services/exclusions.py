"""The exclusion ledger's use cases (issue 15 item 1): open an exclusion, decide it, and carry out its
effect once the purchaser has consented.

Everything that would take a ticket, a clock or downtime minutes out of an acceptance figure is opened
here as an `Exclusion` through core.consent: asked by the provider it waits for an approver of the
owning purchaser; asked by the purchaser's own user (a requester cancelling its own report) it is
confirmed at once. Figures read exclusions only through tickets.selectors.exclusions, which counts
the confirmed ones.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import users_with_role
from core.consent import consent_actions_for, consent_decide, consent_open
from core.exceptions import Conflict, ValidationFailed
from core.limits import REASON_MAX_LENGTH, text_lengths_check
from core.models import ConsentState

from ..models import (
    TICKET_EXCLUSION_KINDS,
    TICKET_STATE_KINDS,
    BusinessSystem,
    Exclusion,
    ExclusionKind,
    Ticket,
    TicketEvent,
)
from .events import ticket_event_record
from .notify import ticket_notify, ticket_url
from .tickets import ticket_cancel_apply, ticket_lock
from .transitions import ticket_action_check

K = ExclusionKind


def _check_reason(reason: str, field: str = "reason") -> str:
    text_lengths_check(**{field: (reason, REASON_MAX_LENGTH)})
    if not (reason or "").strip():
        raise ValidationFailed(fields={field: [_("请填写理由")]})
    return reason.strip()


def exclusion_open(
    *, actor: User, kind: str, reason: str, business_system: BusinessSystem, effective_at: dt.datetime,
    ticket: Ticket | None = None, now: dt.datetime, **details,
) -> Exclusion:
    """Open an exclusion (caller holds the ticket's row lock when there is a ticket, and checked the
    actor may ask). Applied at once when it is the purchaser's own act; otherwise it waits."""
    if ticket is not None and kind in TICKET_EXCLUSION_KINDS:
        if Exclusion.objects.filter(ticket=ticket, kind__in=TICKET_EXCLUSION_KINDS, state="requested").exists():
            raise Conflict(_("该工单已有待采购人确认的取消或合并申请"), fields={"state": ["requested"]})
    if ticket is not None and kind in TICKET_STATE_KINDS:
        if Exclusion.objects.filter(ticket=ticket, kind=kind, state=ConsentState.REQUESTED).exists():
            raise Conflict(_("该工单已有同类申请待采购人确认"), fields={"state": ["requested"]})
    exclusion = Exclusion(
        organization_id=business_system.organization.tenant_id, kind=kind, ticket=ticket,
        business_system=business_system, effective_at=effective_at, **details,
    )
    exclusion = consent_open(exclusion, actor=actor, reason=reason)
    if ticket is not None:
        ticket_event_record(
            ticket=ticket, kind=TicketEvent.Kind.EXCLUSION_REQUESTED, actor=actor, at=now, note=exclusion.reason,
            data={"exclusion": exclusion.pk, "kind": kind, "state": exclusion.state},
        )
    _effect(exclusion, actor=actor, now=now, ticket=ticket)
    return exclusion


def _effect(exclusion: Exclusion, *, actor: User, now: dt.datetime, ticket: Ticket | None) -> None:
    """What the exclusion's state means for its ticket, after it was opened or decided. A severity
    downgrade and a major-incident mark follow the state both ways (a dispute undoes them); the others
    are carried out once, on the first confirmation."""
    if exclusion.kind == K.DOWNGRADE and ticket is not None:
        _severity_follow(exclusion, actor=actor, now=now, ticket=ticket)
    elif exclusion.kind == K.MAJOR_INCIDENT and ticket is not None:
        _major_follow(exclusion, actor=actor, now=now, ticket=ticket)
    elif exclusion.counts:
        _apply(exclusion, actor=actor, now=now, ticket=ticket)


def _severity_follow(exclusion: Exclusion, *, actor: User, now: dt.datetime, ticket: Ticket) -> None:
    """Issue 15 item 8: the ticket is measured at the lower severity only while the purchaser consents
    (caller holds the ticket's row lock). Confirmed: severity_to; disputed after that: back to
    severity_from. Each change is a 调整级别 event on the timeline."""
    if exclusion.counts and ticket.severity == exclusion.severity_from:
        before, after = exclusion.severity_from, exclusion.severity_to
    elif not exclusion.counts and exclusion.applied_at is not None and ticket.severity == exclusion.severity_to:
        before, after = exclusion.severity_to, exclusion.severity_from
    else:
        return
    ticket.severity = after
    ticket.updated_at = now
    ticket.save(update_fields=["severity", "updated_at"])
    ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.REGRADED, actor=actor, at=now, note=exclusion.reason,
                        data={"from": before, "to": after, "exclusion": exclusion.pk, "state": exclusion.state})
    if exclusion.counts and exclusion.applied_at is None:
        exclusion.applied_at = now
        exclusion.save(update_fields=["applied_at"])


def _major_follow(exclusion: Exclusion, *, actor: User, now: dt.datetime, ticket: Ticket) -> None:
    """Issue 15 item 9: the ticket's major-incident mark (shown on its pages, listed in the ledgers)
    follows the confirmed classifications; the figure reads the ledger itself
    (tickets.selectors.exclusions.major_incident_q). Caller holds the ticket's row lock."""
    counted = Exclusion.objects.filter(ticket=ticket, kind=K.MAJOR_INCIDENT, state=ConsentState.CONFIRMED).exists()
    if counted == ticket.major_incident:
        return
    ticket.major_incident = counted
    fields = ["major_incident", "updated_at"]
    if counted:
        ticket.major_incident_reason = exclusion.reason
        ticket.major_marked_by = exclusion.requested_by
        ticket.major_marked_at = now
        fields += ["major_incident_reason", "major_marked_by", "major_marked_at"]
    ticket.updated_at = now
    ticket.save(update_fields=fields)
    if counted:
        ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.MAJOR_MARKED, actor=actor, at=now, note=exclusion.reason,
                            data={"exclusion": exclusion.pk, "requested_by": exclusion.requested_by_id})
        ticket_notify(
            recipients=list(users_with_role(Role.PROJECT_MANAGER, Role.DUTY_LEADER)), kind="ticket_major",
            title=f"重大责任安全事件：{ticket.number}", body=f"{ticket.title}\n认定理由：{exclusion.reason}",
            url=ticket_url(ticket), webhook=True,
        )
        if exclusion.applied_at is None:
            exclusion.applied_at = now
            exclusion.save(update_fields=["applied_at"])


def _apply(exclusion: Exclusion, *, actor: User, now: dt.datetime, ticket: Ticket | None = None) -> None:
    """Carry out a confirmed exclusion's effect on its ticket, once (applied_at)."""
    if exclusion.applied_at is not None:
        return
    if exclusion.kind in TICKET_EXCLUSION_KINDS and exclusion.ticket_id is not None:
        ticket = ticket if ticket is not None else ticket_lock(exclusion.ticket)
        if exclusion.kind == K.DUPLICATE:
            target = exclusion.duplicate_of
            ticket_cancel_apply(
                actor=actor, ticket=ticket, now=now, kind=TicketEvent.Kind.MERGED,
                reason=f"与 {target.number} 重复：{exclusion.reason}",
                data={"duplicate_of": target.pk, "number": target.number, "exclusion": exclusion.pk},
            )
        else:
            ticket_cancel_apply(actor=actor, ticket=ticket, reason=exclusion.reason, now=now,
                                data={"exclusion": exclusion.pk})
    exclusion.applied_at = now
    exclusion.save(update_fields=["applied_at"])


@transaction.atomic
def ticket_cancel(*, actor: User, ticket: Ticket, reason: str, now: dt.datetime | None = None) -> Exclusion:
    """Cancel before acknowledgement, with a reason. The requester's organisation cancels its own report
    at once; provider staff (duty leader, PM) ask the purchaser: the ticket stays in the queues and on
    its clocks until an approver confirms, then it is cancelled. Returns the exclusion."""
    now = now or timezone.now()
    reason = _check_reason(reason)
    ticket = ticket_lock(ticket)
    ticket_action_check(action="cancel", user=actor, ticket=ticket)
    return exclusion_open(
        actor=actor, kind=K.CANCELLATION, reason=reason, ticket=ticket, business_system=ticket.business_system,
        effective_at=ticket.reported_at, now=now,
    )


@transaction.atomic
def ticket_merge(*, actor: User, ticket: Ticket, duplicate_of: Ticket, reason: str,
                 now: dt.datetime | None = None) -> Exclusion:
    """"Merge into ticket X": the ticket is a duplicate of X (same purchaser, X reported no later). A
    duplicate exclusion on the cancellation's rule: it counts once the purchaser confirms (at once when
    the purchaser merges its own)."""
    now = now or timezone.now()
    reason = _check_reason(reason)
    ticket = ticket_lock(ticket)
    ticket_action_check(action="merge", user=actor, ticket=ticket)
    errors = []
    if duplicate_of.pk == ticket.pk:
        errors.append("不能合并到工单本身")
    elif duplicate_of.organization_id != ticket.organization_id:
        errors.append("只能合并到同一采购人的工单")
    elif duplicate_of.reported_at > ticket.reported_at:
        errors.append("只能合并到更早（或同时）报告的工单")
    elif duplicate_of.status == Ticket.Status.CANCELLED:
        errors.append("不能合并到已取消的工单")
    if errors:
        raise ValidationFailed(fields={"duplicate_of": errors})
    return exclusion_open(
        actor=actor, kind=K.DUPLICATE, reason=reason, ticket=ticket, business_system=ticket.business_system,
        effective_at=ticket.reported_at, duplicate_of=duplicate_of, now=now,
    )


@transaction.atomic
def exclusion_decide(*, actor: User, exclusion: Exclusion, action: str, note: str = "",
                     now: dt.datetime | None = None) -> Exclusion:
    """Confirm, reject, dispute (an approver of the owning purchaser) or withdraw (who asked). The state
    table, the 403/404/409 refusals, the history row and the notices are core.consent's; here the
    ticket's timeline records the decision and a first confirmation carries out the effect. A dispute
    after the effect leaves the ticket as it is: the figures count it again (the selector reads only
    confirmed exclusions)."""
    now = now or timezone.now()
    exclusion = consent_decide(exclusion, actor=actor, action=action, note=note)
    ticket = ticket_lock(exclusion.ticket) if exclusion.ticket_id else None
    if ticket is not None:
        ticket_event_record(
            ticket=ticket, kind=TicketEvent.Kind.EXCLUSION_DECIDED, actor=actor, at=now, note=exclusion.decision_note,
            data={"exclusion": exclusion.pk, "kind": exclusion.kind, "action": action, "state": exclusion.state},
        )
    _effect(exclusion, actor=actor, now=now, ticket=ticket)
    return exclusion


@transaction.atomic
def ticket_mark_major(*, actor: User, ticket: Ticket, reason: str, now: dt.datetime | None = None) -> Exclusion:
    """验收 1(3) (major liability security incidents, 重大责任安全事件: 0 a year): classify a fault or
    security incident as major, with the reason. An approver of the owning purchaser classifies at
    once (its own act); the project manager's proposal is a consent request that counts only once
    that approver confirms it (issue 15 item 9); the approver classifying a ticket the project manager
    proposed confirms the proposal. Returns the request."""
    now = now or timezone.now()
    # A consent request's reason (core.consent): the shorter limit of the two, so the page says it first.
    text_lengths_check(reason=(reason, REASON_MAX_LENGTH))
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("请填写认定理由")]})
    ticket = ticket_lock(ticket)
    ticket_action_check(action="mark_major", user=actor, ticket=ticket)  # a fault or security incident, not yet major
    waiting = Exclusion.objects.filter(ticket=ticket, kind=K.MAJOR_INCIDENT, state=ConsentState.REQUESTED).first()
    if waiting is not None and "confirm" in consent_actions_for(user=actor, consent=waiting):
        # The approver classifies what the project manager proposed: that is confirming the proposal.
        return exclusion_decide(actor=actor, exclusion=waiting, action="confirm", note=reason.strip(), now=now)
    return exclusion_open(
        actor=actor, kind=K.MAJOR_INCIDENT, reason=reason.strip(), ticket=ticket, business_system=ticket.business_system,
        effective_at=ticket.reported_at, now=now,
    )


__all__ = ["exclusion_decide", "exclusion_open", "ticket_cancel", "ticket_mark_major", "ticket_merge"]
