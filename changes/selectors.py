"""Reads of change requests: the access rule, who may do what, conflicts, the freeze and the
planned-maintenance windows that availability excludes (8.2.8)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from accounts.selectors import (
    user_has_role,
    user_is_auditor,
    user_is_provider_staff,
    user_is_purchaser,
    user_roles,
    user_sees_all_tenants,
    user_tenant_id,
)
from core.exceptions import DomainError, IllegalTransition, NotFound, PermissionDenied
from core.transitions import Transition, TransitionTable
from roster.selectors.periods import periods_touching
from tickets.selectors.downtime import Interval, PlannedPart, downtime_intervals_by_system, intervals_minutes
from tickets.selectors.tickets import ticket_list_for_user

from .models import ApprovalChain, ChangeApproval, ChangeRequest

Status = ChangeRequest.Status

# Changes whose window is booked: another change overlapping them on a shared system or host conflicts.
BOOKED_STATUSES = (Status.APPROVED, Status.IN_PROGRESS)
# Changes whose window became planned maintenance once done (and approved: approved_at set).
MAINTENANCE_STATUSES = (Status.COMPLETED, Status.REVIEWED)
# Where a pending approval step can still be decided (the latter two: retrospective approval).
DECIDABLE_STATUSES = (Status.SUBMITTED, Status.IN_APPROVAL, Status.IN_PROGRESS, Status.COMPLETED)

# The one table of legal moves. Services check it before every status change; anything else is 409.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.CANCELLED}),
    Status.SUBMITTED: frozenset({Status.IN_APPROVAL, Status.APPROVED, Status.REJECTED, Status.CANCELLED}),
    Status.IN_APPROVAL: frozenset({Status.APPROVED, Status.REJECTED, Status.CANCELLED, Status.IN_PROGRESS}),
    Status.APPROVED: frozenset({Status.IN_PROGRESS, Status.CANCELLED}),
    # An emergency change started before its last approvals can still be rejected retrospectively.
    Status.IN_PROGRESS: frozenset({Status.COMPLETED, Status.REJECTED}),
    Status.COMPLETED: frozenset({Status.REVIEWED, Status.REJECTED}),
    Status.REVIEWED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.CANCELLED: frozenset(),
}

def transition_allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


# --- access ---------------------------------------------------------------------------------------

def change_list_for_user(*, user) -> QuerySet[ChangeRequest]:
    """Changes the user may read. Provider staff and the provider's auditors: all (user_sees_all_tenants). Purchaser users: changes touching a
    business system of their organisation, and their own drafts."""
    qs = ChangeRequest.objects.select_related("requester", "template")
    if user_sees_all_tenants(user):
        return qs
    tenant = user_tenant_id(user)
    touches = ChangeRequest.business_systems.through.objects.filter(
        changerequest_id=OuterRef("pk"), businesssystem__organization_id=tenant
    )
    return qs.filter(Q(Exists(touches)) | Q(requester_id=user.pk))


def change_detail_queryset(*, user) -> QuerySet[ChangeRequest]:
    return change_list_for_user(user=user).prefetch_related(
        "business_systems",
        "hosts",
        "implementers",
        "linked_tickets",
        Prefetch("approvals", queryset=ChangeApproval.objects.select_related("decided_by", "organization").order_by("position")),
    )


def change_get_for_user(*, user, change_id: int) -> ChangeRequest:
    """The one way pages and APIs load a change: 404 when it does not exist or is not the user's to see."""
    try:
        return change_detail_queryset(user=user).get(pk=change_id)
    except (ChangeRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def ticket_visible_for_user(*, user) -> QuerySet:
    """Tickets a change may be linked to by this user: the tickets app's own access rule."""
    return ticket_list_for_user(user=user, for_display=False)


def change_events(*, change: ChangeRequest):
    return change.events.select_related("actor").order_by("at", "pk")


# --- who may do what -------------------------------------------------------------------------------

def approval_current(change: ChangeRequest) -> ChangeApproval | None:
    """The first undecided step (steps are decided strictly in order). Uses prefetched approvals."""
    pending = [a for a in change.approvals.all() if a.status == ChangeApproval.Status.PENDING]
    return min(pending, key=lambda a: a.position) if pending else None


def approval_holder_matches(*, user, approval: ChangeApproval) -> bool:
    """Does the user hold the step's role (and, for a purchaser step, belong to that purchaser)?"""
    if not user.is_active or not user_has_role(user, approval.role):
        return False
    if approval.organization_id is not None:
        return user_tenant_id(user) == approval.organization_id
    return True


def _may_implement(user, change: ChangeRequest) -> bool:
    if not user_is_provider_staff(user):
        return False
    if user.pk == change.requester_id or user_has_role(user, Role.TECH_LEAD, Role.PROJECT_MANAGER):
        return True
    return any(u.pk == user.pk for u in change.implementers.all())


def _pre_start_approved(change: ChangeRequest) -> bool:
    return all(a.status == ChangeApproval.Status.APPROVED for a in change.approvals.all() if a.required_before_start)


def _auditor_only(user, change: ChangeRequest) -> DomainError | None:
    if user_is_auditor(user) and not (user_roles(user) - {Role.AUDITOR}):
        return PermissionDenied(message=_("审计员只能查看，不能操作变更"))
    return None


def _is_requester(user, change: ChangeRequest) -> bool:
    return user.pk == change.requester_id


def _requester_or(*roles: str):
    return lambda user, change: _is_requester(user, change) or user_has_role(user, *roles)


def _decision_refusal(user, change: ChangeRequest) -> DomainError | None:
    """Approve and reject: the current step exists (after the start only a retrospective one), the
    requester never decides their own change, and the step's role (and purchaser) decides it."""
    current = approval_current(change)
    if current is None or (change.status in (Status.IN_PROGRESS, Status.COMPLETED) and not current.retrospective):
        return IllegalTransition(message=_("该变更当前没有待审批的步骤"))
    if _is_requester(user, change):
        return PermissionDenied(message=_("不能审批自己申请的变更"), code="self_approval")
    if not approval_holder_matches(user=user, approval=current):
        return PermissionDenied(message=_("当前步骤「%(step)s」须由%(role)s审批") % {
            "step": current.label, "role": current.get_role_display()})
    return None


def _start_refusal(user, change: ChangeRequest) -> DomainError | None:
    """An emergency change may start while in approval once its pre-start steps are approved, and at
    any time; any other change not before its approved window opens (issue 19 item 4)."""
    emergency = change.category == ChangeRequest.Category.EMERGENCY
    if change.status == Status.IN_APPROVAL and not (emergency and _pre_start_approved(change)):
        return IllegalTransition(message=_("变更尚未获批，不能开始实施"))
    if not emergency and change.window_start is not None and timezone.now() < change.window_start:
        start = timezone.localtime(change.window_start).strftime("%Y-%m-%d %H:%M")
        end = timezone.localtime(change.window_end).strftime("%Y-%m-%d %H:%M") if change.window_end else ""
        window = f"{start} — {end}"
        return IllegalTransition(
            message=_("计划时间窗口（%(window)s）尚未开始，不能开始实施") % {"window": window},
            code="window_not_open", fields={"window_start": [window]})
    return None


def change_overrun(change: ChangeRequest, *, now: dt.datetime) -> bool:
    """A change still in implementation after its approved window closed: flagged on its page, in the
    list and in the API (`overrun`), since every minute of an outage past the window counts (8.2.8)."""
    return change.status == Status.IN_PROGRESS and change.window_end is not None and now > change.window_end


def _review_refusal(user, change: ChangeRequest) -> DomainError | None:
    if approval_current(change) is not None:
        return IllegalTransition(message=_("事后补批尚未完成，暂不能复盘"), code="approval_pending")
    return None


# The one table of who may do what to a change, when (core.transitions). The state comes first: "only a
# draft can be submitted" tells more than "only the requester may". Guards read the prefetched approvals
# and implementers (change_get_for_user) or a locked, freshly read change. `target` is where the status
# goes (None: the service decides, e.g. submit → in approval or approved).
CHANGE_TRANSITIONS = TransitionTable(
    [
        Transition("update", frozenset({Status.DRAFT}), None, _is_requester, _("修改"),
                   denied=_("只有申请人可以修改或提交草稿"), wrong_state=_("只有草稿状态的变更可以修改或提交")),
        Transition("submit", frozenset({Status.DRAFT}), None, _is_requester, _("提交"),
                   denied=_("只有申请人可以修改或提交草稿"), wrong_state=_("只有草稿状态的变更可以修改或提交")),
        Transition("approve", frozenset(DECIDABLE_STATUSES), None, lambda user, change: True, _("批准"),
                   guard=_decision_refusal, wrong_state=_("该变更当前没有待审批的步骤")),
        Transition("reject", frozenset(DECIDABLE_STATUSES), Status.REJECTED, lambda user, change: True, _("驳回"),
                   guard=_decision_refusal, wrong_state=_("该变更当前没有待审批的步骤")),
        Transition("start", frozenset({Status.APPROVED, Status.IN_APPROVAL}), Status.IN_PROGRESS,
                   lambda user, change: _may_implement(user, change), _("开始实施"), guard=_start_refusal,
                   denied=_("只有服务商的实施人、申请人、技术负责人或项目经理可以开始实施"), wrong_state=_("变更尚未获批，不能开始实施")),
        Transition("complete", frozenset({Status.IN_PROGRESS}), Status.COMPLETED,
                   lambda user, change: _may_implement(user, change), _("登记完成"),
                   denied=_("只有服务商的实施人、申请人、技术负责人或项目经理可以登记完成"), wrong_state=_("只有实施中的变更可以登记完成")),
        Transition("review", frozenset({Status.COMPLETED}), Status.REVIEWED,
                   _requester_or(Role.TECH_LEAD, Role.PROJECT_MANAGER), _("复盘"), guard=_review_refusal,
                   denied=_("只有申请人、技术负责人或项目经理可以复盘"), wrong_state=_("只有已完成的变更可以复盘")),
        Transition("cancel", frozenset(s for s, targets in TRANSITIONS.items() if Status.CANCELLED in targets),
                   Status.CANCELLED, _requester_or(Role.PROJECT_MANAGER), _("取消"),
                   denied=_("只有申请人或项目经理可以取消变更"), wrong_state=_("该状态的变更不能取消")),
    ],
    state_label=lambda status: str(Status(status).label),
    precheck=_auditor_only,
    state_first=True,
    state_field="status",
)
ACTIONS = tuple(t.action for t in CHANGE_TRANSITIONS)


def change_action_denial(*, change: ChangeRequest, user, action: str) -> DomainError | None:
    """Why `user` may not take `action` on `change` now, or None when they may (CHANGE_TRANSITIONS).
    The services raise what this returns; pages and the API offer only the actions it lets through."""
    if action not in CHANGE_TRANSITIONS:
        raise ValueError(f"unknown change action {action!r}")
    return CHANGE_TRANSITIONS.refusal(action=action, user=user, obj=change)


def change_actions_for_user(*, change: ChangeRequest, user) -> frozenset[str]:
    return frozenset(CHANGE_TRANSITIONS.actions_for(user=user, obj=change))


def change_start_wait(*, change: ChangeRequest, user) -> str | None:
    """Why a user who will be able to start this change cannot yet: its approved window has not opened
    (the refusal's words, with the window), so the page can say when instead of hiding the action."""
    if not CHANGE_TRANSITIONS["start"].who(user, change) or "start" in change_actions_for_user(change=change, user=user):
        return None
    refusal = CHANGE_TRANSITIONS.refusal(action="start", user=user, obj=change)
    if refusal is not None and refusal.code == "window_not_open":
        return str(refusal.message)
    return None


def user_may_draft_changes(user) -> bool:
    """Provider staff and purchaser requesters draft changes."""
    return user_is_provider_staff(user) or (user_is_purchaser(user) and user_has_role(user, Role.REQUESTER))


def change_awaiting_approval_for_user(*, user) -> QuerySet[ChangeRequest]:
    """Changes whose current step (the first pending one) the user may decide — the approval inbox."""
    roles = user_roles(user)
    if not roles or (roles == {Role.AUDITOR}):
        return ChangeRequest.objects.none()
    earlier_pending = ChangeApproval.objects.filter(
        change_id=OuterRef("change_id"), status=ChangeApproval.Status.PENDING, position__lt=OuterRef("position")
    )
    steps = ChangeApproval.objects.filter(status=ChangeApproval.Status.PENDING, role__in=list(roles)).exclude(
        Exists(earlier_pending)
    )
    tenant = user_tenant_id(user)
    steps = steps.filter(Q(organization__isnull=True) | Q(organization_id=tenant))
    steps = steps.filter(
        Q(change__status__in=(Status.SUBMITTED, Status.IN_APPROVAL))
        | Q(change__status__in=(Status.IN_PROGRESS, Status.COMPLETED), retrospective=True)
    )
    return (
        change_list_for_user(user=user)
        .filter(Exists(steps.filter(change_id=OuterRef("pk"))))
        .exclude(requester_id=user.pk)
    )


# --- rules -----------------------------------------------------------------------------------------

def approval_chain_for(*, category: str, risk: str) -> ApprovalChain | None:
    """The active chain for the change: the one for its exact risk, else the category's general one."""
    chains = list(
        ApprovalChain.objects.filter(active=True, category=category, risk__in=[risk, ""]).prefetch_related("steps")
    )
    chains.sort(key=lambda c: c.risk == "")
    return chains[0] if chains else None


def change_freeze_periods(*, window_start: dt.datetime | None, window_end: dt.datetime | None) -> list:
    """Heavy-protection periods (roster.selectors.periods) the window touches: overlap with [start 00:00,
    day after end 00:00). 8.2.13: no internet remote operations in key periods."""
    if window_start is None or window_end is None or window_end <= window_start:
        return []
    return list(periods_touching(start=window_start, end=window_end))


def change_conflicts(
    *, change: ChangeRequest, system_ids: list[int] | None = None, host_ids: list[int] | None = None
) -> list[ChangeRequest]:
    """Approved or running changes whose window overlaps this one's on a shared system or host."""
    if change.window_start is None or change.window_end is None:
        return []
    if system_ids is None:
        system_ids = [s.pk for s in change.business_systems.all()]
    if host_ids is None:
        host_ids = [h.pk for h in change.hosts.all()]
    through_s = ChangeRequest.business_systems.through.objects.filter(
        changerequest_id=OuterRef("pk"), businesssystem_id__in=system_ids
    )
    through_h = ChangeRequest.hosts.through.objects.filter(changerequest_id=OuterRef("pk"), host_id__in=host_ids)
    return list(
        ChangeRequest.objects.filter(
            status__in=BOOKED_STATUSES,
            window_start__lt=change.window_end,
            window_end__gt=change.window_start,
        )
        .exclude(pk=change.pk)
        .filter(Exists(through_s) | Exists(through_h))
        .order_by("window_start", "pk")
    )


def conflicts_blocking(change: ChangeRequest, conflicts: list[ChangeRequest]) -> bool:
    """An overlap blocks when either change is high risk; otherwise approvers are only told."""
    high = ChangeRequest.Risk.HIGH
    return bool(conflicts) and (change.risk == high or any(c.risk == high for c in conflicts))


# --- planned maintenance (availability, 8.2.8, 1.2.9) ---------------------------------------------

@dataclass(frozen=True)
class MaintenanceWindow:
    change_id: int
    number: str
    title: str
    business_system_id: int
    start: dt.datetime
    end: dt.datetime
    expected_interruption_minutes: int


def maintenance_windows(
    *, business_system_ids: Iterable[int] | None, start: dt.datetime, end: dt.datetime
) -> list[MaintenanceWindow]:
    """Clause 8.2.8 (planned maintenance excluded from availability): approved maintenance windows
    overlapping [start, end): one per (change, affected business system) for every change that is APPROVED
    (its whole approval chain passed, retrospective steps included: `approved_at` is set) and COMPLETED (or
    reviewed since), with expected interruption. Bounds are the change's approved window, not clipped to
    [start, end). A change rejected retrospectively or cancelled is in neither state, so it has no window.
    `business_system_ids=None` means every system. One query."""
    Through = ChangeRequest.business_systems.through
    rows = Through.objects.filter(
        changerequest__status__in=MAINTENANCE_STATUSES,
        changerequest__approved_at__isnull=False,
        changerequest__expected_interruption_minutes__gt=0,
        changerequest__window_start__lt=end,
        changerequest__window_end__gt=start,
    )
    if business_system_ids is not None:
        rows = rows.filter(businesssystem_id__in=list(business_system_ids))
    return [
        MaintenanceWindow(
            change_id=r["changerequest_id"],
            number=r["changerequest__number"],
            title=r["changerequest__title"],
            business_system_id=r["businesssystem_id"],
            start=r["changerequest__window_start"],
            end=r["changerequest__window_end"],
            expected_interruption_minutes=r["changerequest__expected_interruption_minutes"],
        )
        for r in rows.order_by("changerequest__window_start", "changerequest_id", "businesssystem_id").values(
            "changerequest_id",
            "changerequest__number",
            "changerequest__title",
            "businesssystem_id",
            "changerequest__window_start",
            "changerequest__window_end",
            "changerequest__expected_interruption_minutes",
        )
    ]


@dataclass(frozen=True)
class PlannedSpan:
    """A stretch of one system's downtime that counts as planned maintenance under one change."""

    business_system_id: int
    start: dt.datetime
    end: dt.datetime
    change_id: int
    number: str


def _take_earliest(spans: list[Interval], limit: dt.timedelta) -> list[Interval]:
    """The first `limit` of time covered by the (sorted, disjoint) spans."""
    taken: list[Interval] = []
    for s, e in spans:
        if limit <= dt.timedelta(0):
            break
        end = min(e, s + limit)
        taken.append((s, end))
        limit -= end - s
    return taken


def _intersect(spans: list[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    return [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]


def _subtract(spans: list[Interval], cut: list[Interval]) -> list[Interval]:
    result = spans
    for c_start, c_end in cut:
        nxt: list[Interval] = []
        for s, e in result:
            if e <= c_start or s >= c_end:
                nxt.append((s, e))
                continue
            if s < c_start:
                nxt.append((s, c_start))
            if e > c_end:
                nxt.append((c_end, e))
        result = nxt
    return result


def planned_spans_by_system(
    *, business_system_ids: Iterable[int] | None, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[int, list[PlannedSpan]]:
    """THE rule for planned maintenance (8.2.8: 计划内维护 excluded from availability; 1.2.9: the
    availability target of every business system). Downtime is planned only

    - inside the approved window (planned start..end) of a change of that system that is approved
      (every approval step passed, retrospective ones included) and completed (maintenance_windows);
    - and only up to the change's expected interruption minutes, the earliest minutes first.

    Everything else counts as unplanned: minutes before or after the window, and an overrun past the
    expected interruption, even by one minute. Nothing is stored: a change rejected retrospectively or
    cancelled gives its minutes back the moment its status says so, and a downtime record's own
    `claimed_planned` (a claim awaiting the purchaser's confirmation, issue 15) never counts here.
    A minute of downtime is planned under at most one change (overlapping windows: the earlier
    window's change first). The cap applies to the whole window, also where it crosses `start` or
    `end`; the spans returned are clipped to [start, min(end, now)). Two queries at most (windows;
    the outages of the systems that have one)."""
    windows = maintenance_windows(business_system_ids=business_system_ids, start=start, end=min(end, now))
    if not windows:
        return {}
    by_system: dict[int, list[MaintenanceWindow]] = {}
    for w in windows:
        by_system.setdefault(w.business_system_id, []).append(w)
    downtime = downtime_intervals_by_system(
        business_system_ids=list(by_system),
        start=min(w.start for w in windows),
        end=max(w.end for w in windows),
        now=now,
    )
    until = min(end, now)
    result: dict[int, list[PlannedSpan]] = {}
    for system_id, system_windows in by_system.items():
        left = downtime.get(system_id, [])
        for w in sorted(system_windows, key=lambda w: (w.start, w.change_id)):
            taken = _take_earliest(_intersect(left, w.start, w.end), dt.timedelta(minutes=w.expected_interruption_minutes))
            left = _subtract(left, taken)
            for s, e in _intersect(taken, start, until):
                result.setdefault(system_id, []).append(PlannedSpan(system_id, s, e, w.change_id, w.number))
    return result


def planned_minutes_by_system(
    *, start: dt.datetime, end: dt.datetime, now: dt.datetime, business_system_ids: Iterable[int] | None = None
) -> dict[int, float]:
    """Planned-maintenance minutes per business system in [start, end) (up to `now`): {system_id:
    minutes}, systems without any left out. The one figure KPIs, pages and PDFs subtract (8.2.8, 1.2.9);
    see planned_spans_by_system for the rule."""
    spans = planned_spans_by_system(business_system_ids=business_system_ids, start=start, end=end, now=now)
    return {system_id: intervals_minutes((p.start, p.end) for p in found) for system_id, found in spans.items()}


def planned_parts_for_records(*, records: Iterable, now: dt.datetime) -> dict[int, PlannedPart]:
    """Per outage record, its planned-maintenance minutes and the changes behind them (8.2.8): the
    overlap of the record with the planned spans of its system. For the ticket page, the downtime API
    and the downtime report; registered with tickets (ChangesConfig.ready). Two queries at most."""
    records = [r for r in records if r.start < now]
    if not records:
        return {}
    spans = planned_spans_by_system(
        business_system_ids={r.business_system_id for r in records},
        start=min(r.start for r in records),
        end=max((r.end or now) for r in records),
        now=now,
    )
    parts: dict[int, PlannedPart] = {}
    for record in records:
        r_end = record.end or now
        minutes, numbers = 0.0, []
        for p in spans.get(record.business_system_id, []):
            overlap = (min(p.end, r_end) - max(p.start, record.start)).total_seconds()
            if overlap > 0:
                minutes += overlap / 60
                if p.number not in numbers:
                    numbers.append(p.number)
        if minutes > 0:
            parts[record.pk] = PlannedPart(minutes=minutes, change_numbers=tuple(numbers))
    return parts


def change_summary_in(*, start: dt.datetime, end: dt.datetime, organization_id: int | None) -> dict:
    """Change requests (8.1.3) whose planned window starts in [start, end) (drafts left out: nothing was
    asked yet), for the monthly report: the rows with their status and outcome labels, and how many
    were approved (passed the approval chain, whatever happened next), completed successfully, failed
    (rolled back or rejected, as the report's sentence says), rolled back, rejected. One query."""
    qs = ChangeRequest.objects.filter(window_start__gte=start, window_start__lt=end).exclude(status=Status.DRAFT)
    if organization_id is not None:
        qs = qs.filter(pk__in=ChangeRequest.objects.filter(business_systems__organization_id=organization_id).values("pk"))
    rows = list(
        qs.order_by("window_start", "pk").values(
            "pk", "number", "title", "status", "outcome", "window_start", "window_end", "expected_interruption_minutes"
        )
    )
    labels = dict(Status.choices)
    outcome_labels = dict(ChangeRequest.Outcome.choices)
    failed = ChangeRequest.Outcome.FAILED_ROLLED_BACK
    approved = (Status.APPROVED, Status.IN_PROGRESS, *MAINTENANCE_STATUSES)
    for row in rows:
        row["status_label"] = labels.get(row["status"], row["status"])
        row["outcome_label"] = outcome_labels.get(row["outcome"] or "", "")
    return {
        "rows": rows,
        "approved": sum(1 for r in rows if r["status"] in approved),
        "completed": sum(1 for r in rows if r["status"] in MAINTENANCE_STATUSES and r["outcome"] == ChangeRequest.Outcome.SUCCESSFUL),
        "failed": sum(1 for r in rows if r["outcome"] == failed or r["status"] == Status.REJECTED),
        "rolled_back": sum(1 for r in rows if r["outcome"] == failed),
        "rejected": sum(1 for r in rows if r["status"] == Status.REJECTED),
    }


# Changes whose approved window silences monitoring alerts of their systems (issue 16): approved work,
# whether it has started, finished or been reviewed since.
SILENCING_STATUSES = (Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED, Status.REVIEWED)


def change_window_covering(*, business_system_id: int, at: dt.datetime) -> tuple[int, str] | None:
    """(id, number) of an approved change whose window [start, end) covers `at` on this system, or None."""
    row = (
        ChangeRequest.objects.filter(
            status__in=SILENCING_STATUSES, business_systems=business_system_id, window_start__lte=at, window_end__gt=at,
        )
        .order_by("window_start", "pk")
        .values_list("pk", "number")
        .first()
    )
    return tuple(row) if row else None
