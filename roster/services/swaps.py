"""Swaps and substitutes: request → counterpart accepts → duty leader or PM approves.

The hard rules are re-checked at every step, because the roster may have changed in between; every
step writes a SwapEvent and tells the next person through the outbox.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.selectors import users_with_role
from core.db import lock_one
from core.exceptions import Conflict, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from core.limits import text_lengths_check
from core.services import notification_send

from ..models import Assignment, DutyMember, Roster, RosterEvent, SwapEvent, SwapRequest
from .access import require_manager
from .rosters import apply_seat_changes, seat_violations
from .transitions import SWAP_TRANSITIONS

S = SwapRequest.Status
OPEN = (S.REQUESTED, S.ACCEPTED)


def _changes(swap: SwapRequest) -> dict[int, int]:
    changes = {swap.assignment_id: swap.counterpart_id}
    if swap.kind == SwapRequest.Kind.SWAP:
        changes[swap.counterpart_assignment_id] = swap.requester_id
    return changes


def _check_rules(roster: Roster, swap: SwapRequest) -> None:
    problems = seat_violations(roster=roster, changes=_changes(swap))
    if problems:
        raise ValidationFailed(_("换班后将违反值班规则"), fields={"rules": sorted(problems.values())})


def _describe(a: Assignment) -> str:
    return f"{a.shift.date:%m-%d} {a.shift.template.name}"


def _move(swap: SwapRequest, action: str, *, actor, note: str = "") -> None:
    """Check `action` against the swap table (who, state), then move and write the history row."""
    text_lengths_check(note=(note, SwapEvent._meta.get_field("note").max_length))
    new = SWAP_TRANSITIONS.check(action=action, user=actor, obj=swap).target
    old = swap.status
    swap.status = new
    fields = ["status"]
    if new not in OPEN:
        swap.decided_at = timezone.now()
        fields.append("decided_at")
    swap.save(update_fields=fields)
    SwapEvent.objects.create(swap=swap, old_status=old, new_status=new, actor=actor, at=timezone.now(), note=note[:300])


def _managers():
    return list(users_with_role(Role.DUTY_LEADER, Role.PROJECT_MANAGER))


def _seat(pk: int) -> Assignment:
    try:
        return Assignment.objects.select_related("shift__roster", "shift__template", "member__user").get(pk=pk)
    except Assignment.DoesNotExist as exc:
        raise NotFound(_("排班席位不存在")) from exc


def _lock(swap_id: int) -> tuple[Roster, SwapRequest]:
    """Lock the roster, then the request (always in this order)."""
    try:
        roster_id = SwapRequest.objects.values_list("assignment__shift__roster_id", flat=True).get(pk=swap_id)
    except SwapRequest.DoesNotExist as exc:
        raise NotFound(_("换班申请不存在")) from exc
    roster = lock_one(Roster.objects.all(), roster_id)
    swap = lock_one(SwapRequest.objects.select_related("requester__user", "counterpart__user"), swap_id)
    return roster, swap


@transaction.atomic
def shift_swap_request(
    *, actor, assignment_id: int, counterpart_id: int, counterpart_assignment_id: int | None = None, reason: str = ""
) -> SwapRequest:
    """The member holding `assignment_id` asks `counterpart_id` to take it (substitute), or to trade it
    for `counterpart_assignment_id` (swap)."""
    text_lengths_check(reason=(reason, SwapRequest._meta.get_field("reason").max_length))
    seat = _seat(assignment_id)
    roster = lock_one(Roster.objects.all(), seat.shift.roster_id)
    if seat.member is None or seat.member.user_id != actor.pk:
        raise PermissionDenied(_("只能为本人的班次申请换班"))
    if roster.status != Roster.Status.PUBLISHED:
        raise IllegalTransition(_("值班表尚未发布，请联系值班负责人直接调整"))
    if seat.shift.start <= timezone.now():
        raise ValidationFailed(fields={"assignment": [_("班次已开始，不能再换班")]})
    try:
        counterpart = DutyMember.objects.select_related("user").get(pk=counterpart_id)
    except DutyMember.DoesNotExist as exc:
        raise ValidationFailed(fields={"counterpart": [_("值班人员不存在")]}) from exc
    if counterpart.pk == seat.member_id:
        raise ValidationFailed(fields={"counterpart": [_("不能与自己换班")]})
    other = None
    if counterpart_assignment_id is not None:
        other = _seat(counterpart_assignment_id)
        if other.shift.roster_id != roster.pk or other.member_id != counterpart.pk:
            raise ValidationFailed(fields={"counterpart_assignment": [_("该班次不是对方在本值班表中的班次")]})
        if other.shift.start <= timezone.now():
            raise ValidationFailed(fields={"counterpart_assignment": [_("对方班次已开始")]})
    if SwapRequest.objects.filter(assignment=seat, status__in=OPEN).exists():
        raise Conflict(_("该班次已有进行中的换班申请"))
    swap = SwapRequest(
        kind=SwapRequest.Kind.SWAP if other else SwapRequest.Kind.SUBSTITUTE,
        requester=seat.member,
        assignment=seat,
        counterpart=counterpart,
        counterpart_assignment=other,
        reason=reason[:300],
        created_at=timezone.now(),
    )
    _check_rules(roster, swap)
    swap.save()
    SwapEvent.objects.create(swap=swap, old_status="", new_status=swap.status, actor=actor, at=swap.created_at, note=reason[:300])
    what = f"{_describe(seat)}" + (f"，换您的 {_describe(other)}" if other else "")
    notification_send(
        recipients=[counterpart.user], kind="swap_requested", title=f"{actor.display_name} 请您{swap.get_kind_display()}：{what}",
        body=reason, url="/roster/swaps/", dedupe_key=f"swap:{swap.pk}:requested",
    )
    return swap


@transaction.atomic
def shift_swap_accept(*, actor, swap_id: int, note: str = "") -> SwapRequest:
    roster, swap = _lock(swap_id)
    SWAP_TRANSITIONS.check(action="accept", user=actor, obj=swap)  # before the rules: who and state first
    _check_rules(roster, swap)
    _move(swap, "accept", actor=actor, note=note)
    notification_send(
        recipients=[swap.requester.user, *_managers()], kind="swap_accepted",
        title=f"换班待审批：{swap.requester.user.display_name} → {swap.counterpart.user.display_name}",
        url="/roster/swaps/", dedupe_key=f"swap:{swap.pk}:accepted",
    )
    return swap


@transaction.atomic
def shift_swap_decline(*, actor, swap_id: int, note: str = "") -> SwapRequest:
    _roster, swap = _lock(swap_id)
    _move(swap, "decline", actor=actor, note=note)
    notification_send(
        recipients=[swap.requester.user], kind="swap_declined", title=f"{actor.display_name} 拒绝了您的换班申请",
        body=note, url="/roster/swaps/", dedupe_key=f"swap:{swap.pk}:declined",
    )
    return swap


@transaction.atomic
def shift_swap_approve(*, actor, swap_id: int, note: str = "") -> SwapRequest:
    """Apply the swap: a new roster version with the diff, everyone affected told."""
    require_manager(actor)
    roster, swap = _lock(swap_id)
    SWAP_TRANSITIONS.check(action="approve", user=actor, obj=swap)
    seats = {a.pk: a.member_id for a in Assignment.objects.filter(pk__in=list(_changes(swap)))}
    if seats.get(swap.assignment_id) != swap.requester_id or (
        swap.counterpart_assignment_id and seats.get(swap.counterpart_assignment_id) != swap.counterpart_id
    ):
        raise Conflict(_("班次已被调整，申请已失效，请重新申请"))
    _check_rules(roster, swap)
    _move(swap, "approve", actor=actor, note=note)
    apply_seat_changes(actor=actor, roster=roster, changes=_changes(swap), reason=f"换班申请 #{swap.pk}", kind=RosterEvent.Kind.SWAPPED)
    notification_send(
        recipients=[swap.requester.user, swap.counterpart.user], kind="swap_approved", title="换班申请已批准",
        url="/roster/swaps/", dedupe_key=f"swap:{swap.pk}:approved",
    )
    return swap


@transaction.atomic
def shift_swap_reject(*, actor, swap_id: int, note: str = "") -> SwapRequest:
    require_manager(actor)
    _roster, swap = _lock(swap_id)
    _move(swap, "reject", actor=actor, note=note)
    notification_send(
        recipients=[swap.requester.user, swap.counterpart.user], kind="swap_rejected", title="换班申请被驳回",
        body=note, url="/roster/swaps/", dedupe_key=f"swap:{swap.pk}:rejected",
    )
    return swap


@transaction.atomic
def shift_swap_cancel(*, actor, swap_id: int, note: str = "") -> SwapRequest:
    _roster, swap = _lock(swap_id)
    _move(swap, "cancel", actor=actor, note=note)
    return swap


# action -> service: the one dispatcher the swap page and the API share (names as in SWAP_TRANSITIONS)
SWAP_ACTIONS = {
    "accept": shift_swap_accept,
    "decline": shift_swap_decline,
    "approve": shift_swap_approve,
    "reject": shift_swap_reject,
    "cancel": shift_swap_cancel,
}


def shift_swap_act(*, action: str, actor, swap_id: int, note: str = "") -> SwapRequest:
    """Run the swap action named `action` (NotFound for an unknown name)."""
    service = SWAP_ACTIONS.get(action)
    if service is None:
        raise NotFound(_("操作不存在"))
    return service(actor=actor, swap_id=swap_id, note=note)
