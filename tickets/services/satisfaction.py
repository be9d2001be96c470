"""Satisfaction ratings and the project manager's follow-up of a low score."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_has_role, users_with_role
from core.exceptions import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.limits import NOTE_MAX_LENGTH, REASON_MAX_LENGTH, text_lengths_check

from ..models import SatisfactionFollowUp, SatisfactionRating, Ticket, TicketEvent
from .events import ticket_event_record
from .notify import ticket_notify, ticket_url
from .tickets import _lock
from .transitions import ticket_action_check

LOW_SCORE = 2


@transaction.atomic
def ticket_rate(
    *, actor: User, ticket: Ticket, score: int, comment: str = "", now: dt.datetime | None = None
) -> SatisfactionRating:
    """验收 1(7) (satisfaction ≥ 95 %): Once, after resolution, by the requester's organisation: 1–5 and a comment.
    A score of 2 or less opens a follow-up (回访) for the project managers, who are notified."""
    now = now or timezone.now()
    text_lengths_check(comment=(comment, REASON_MAX_LENGTH))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed(fields={"score": [_("评分应为 1 到 5 的整数")]})
    ticket = _lock(ticket)
    ticket_action_check(action="rate", user=actor, ticket=ticket)  # Conflict when already rated
    try:
        with transaction.atomic():
            rating = SatisfactionRating.objects.create(ticket=ticket, score=score, comment=comment, rated_by=actor, rated_at=now)
    except IntegrityError as exc:
        raise Conflict(_("该工单已评价过")) from exc
    ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.RATED, actor=actor, at=now, note=comment,
                        data={"score": score})
    if score <= LOW_SCORE:
        follow_up = SatisfactionFollowUp.objects.create(rating=rating, ticket=ticket, created_at=now)
        ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.FOLLOW_UP_OPENED, actor=None, at=now,
                            note=f"满意度 {score} 分，转项目经理回访", data={"follow_up": follow_up.pk})
        ticket_notify(
            recipients=list(users_with_role(Role.PROJECT_MANAGER)), kind="satisfaction_follow_up",
            title=f"差评回访：工单 {ticket.number}（{score} 分）", body=comment or ticket.title, url=ticket_url(ticket),
            dedupe_key=f"follow-up:{follow_up.pk}",
        )
    return rating


@transaction.atomic
def satisfaction_follow_up_close(
    *, actor: User, follow_up: SatisfactionFollowUp, note: str, now: dt.datetime | None = None
) -> SatisfactionFollowUp:
    """The project manager records the follow-up call and closes it."""
    now = now or timezone.now()
    text_lengths_check(note=(note, NOTE_MAX_LENGTH))
    if not user_has_role(actor, Role.PROJECT_MANAGER):
        raise PermissionDenied(_("只有项目经理可以完成回访"))
    if not note.strip():
        raise ValidationFailed(fields={"note": [_("请填写回访记录")]})
    follow_up = SatisfactionFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status != SatisfactionFollowUp.Status.OPEN:
        raise IllegalTransition(_("该回访已完成"))
    follow_up.status = SatisfactionFollowUp.Status.DONE
    follow_up.note = note
    follow_up.closed_at = now
    follow_up.closed_by = actor
    follow_up.save(update_fields=["status", "note", "closed_at", "closed_by"])
    ticket_event_record(ticket=follow_up.ticket, kind=TicketEvent.Kind.FOLLOW_UP_CLOSED, actor=actor, at=now,
                        note=note, data={"follow_up": follow_up.pk})
    return follow_up
