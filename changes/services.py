"""Use cases of change requests (clause 8.1.3): draft, submit, approve or reject step by step,
implement, complete, review, cancel. Every state change checks the transition table, writes a
ChangeEvent in the same transaction and tells people through the outbox."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import PROVIDER_ROLES, Role
from accounts.selectors import user_sees_all_tenants, user_tenant_id, users_with_role
from core.db import lock_one, lock_rows
from core.exceptions import Conflict, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from core.limits import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, text_lengths_check
from core.services import notification_send
from tickets.models.reference import BusinessSystem, Host

from .models import (
    ApprovalStep,
    ChangeApproval,
    ChangeEvent,
    ChangeNumberCounter,
    ChangeRequest,
    ChangeTemplate,
)
from .selectors import (
    approval_chain_for,
    approval_current,
    change_action_denial,
    change_conflicts,
    change_freeze_periods,
    conflicts_blocking,
    ticket_visible_for_user,
    transition_allowed,
    user_may_draft_changes,
)

Status = ChangeRequest.Status
Category = ChangeRequest.Category
Kind = ChangeEvent.Kind

REQUIRED_MESSAGE = gettext_lazy("提交前必须填写此项")
EDITABLE_FIELDS = (
    "title",
    "category",
    "risk",
    "reason",
    "plan",
    "rollback_plan",
    "verification_plan",
    "expected_interruption_minutes",
    "window_start",
    "window_end",
    "internet_remote_access",
)
RELATION_FIELDS = ("business_systems", "hosts", "implementers", "linked_tickets")


# --- helpers ---------------------------------------------------------------------------------------

def change_template_fill(template: ChangeTemplate) -> dict:
    """The standard-change rule: a standard change is its template's pre-approved work, so its category
    and risk are the template's, and its title and plans start from the template's (the service keeps
    what the requester filled; the draft page pre-fills the form with the same values)."""
    return {
        "category": Category.STANDARD, "risk": template.risk, "title": template.name, "plan": template.plan,
        "rollback_plan": template.rollback_plan, "verification_plan": template.verification_plan,
    }


def _take_number(*, now: dt.datetime) -> str:
    """BG-YYYYMMDD-NNNN, unique under concurrency: the day's counter row is locked while it is bumped."""
    day = timezone.localdate(now)
    ChangeNumberCounter.objects.bulk_create([ChangeNumberCounter(day=day, last=0)], ignore_conflicts=True)
    counter = ChangeNumberCounter.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"BG-{day:%Y%m%d}-{counter.last:04d}"


def _event(
    change: ChangeRequest,
    *,
    kind: str,
    actor: User | None,
    at: dt.datetime,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict | None = None,
) -> ChangeEvent:
    return ChangeEvent.objects.create(
        change=change, kind=kind, actor=actor, at=at, from_status=from_status, to_status=to_status, note=note, data=data or {}
    )


def _move(change: ChangeRequest, to_status: str) -> str:
    """Check the transition table and set the new status; returns the old one."""
    if not transition_allowed(change.status, to_status):
        raise IllegalTransition(
            message=_("变更不能从「%(from)s」变为「%(to)s」") % {"from": change.get_status_display(), "to": Status(to_status).label}
        )
    old = change.status
    change.status = to_status
    return old


def _advance(change: ChangeRequest, to_status: str, *, actor: User | None, now: dt.datetime, kind: str,
             stamp: str, values: dict | None = None, note: str = "", data: dict | None = None) -> str:
    """Move `change` to `to_status` (the status table checked), set its `stamp` time and `values`,
    save those fields and write the timeline event. Returns the status it left."""
    old = _move(change, to_status)
    for name, value in {stamp: now, "updated_at": now, **(values or {})}.items():
        setattr(change, name, value)
    change.save(update_fields=["status", stamp, "updated_at", *(values or {})])
    _event(change, kind=kind, actor=actor, at=now, from_status=old, to_status=change.status, note=note, data=data)
    return old


def _locked(change_id: int) -> ChangeRequest:
    """Lock the change row and read it fresh with what the access rules need. Caller is atomic."""
    try:
        lock_one(ChangeRequest.objects.all(), change_id)
    except ChangeRequest.DoesNotExist:
        raise NotFound() from None
    return ChangeRequest.objects.select_related("template", "chain", "requester").prefetch_related(
        "business_systems__organization", "hosts", "linked_tickets", "implementers", "approvals").get(pk=change_id)


def _deny(change: ChangeRequest, actor: User, action: str) -> None:
    denial = change_action_denial(change=change, user=actor, action=action)
    if denial is not None:
        raise denial


def _url(change: ChangeRequest) -> str:
    return reverse("change-detail", args=[change.pk])


def _holders(approval: ChangeApproval, *, exclude: int | None = None) -> list[User]:
    qs = users_with_role(approval.role).select_related("organization")
    if approval.organization_id is not None:
        qs = qs.filter(Q(organization_id=approval.organization_id) | Q(organization__parent_id=approval.organization_id))
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs)


def _notify(recipients: Iterable[User], *, change: ChangeRequest, kind: str, title: str, body: str, key: str) -> None:
    notification_send(
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        url=_url(change),
        dedupe_key=f"change:{change.pk}:{key}",
    )


def _notify_current_step(change: ChangeRequest, *, conflicts: list[ChangeRequest] | None = None) -> None:
    current = approval_current(change)
    if current is None:
        return
    body = f"{change.number} {change.title}\n审批步骤：{current.position}. {current.label}"
    if current.retrospective and current.due_at:
        body += f"\n紧急变更已先行实施，请于 {timezone.localtime(current.due_at):%Y-%m-%d %H:%M} 前补批。"
    if conflicts:
        body += "\n注意：时间窗口与已批准变更重叠：" + "、".join(c.number for c in conflicts)
    _notify(
        _holders(current, exclude=change.requester_id),
        change=change,
        kind="change_approval",
        title=f"变更待审批：{change.number}",
        body=body,
        key=f"step:{current.pk}",
    )


def _stakeholders(change: ChangeRequest) -> list[User]:
    return [change.requester, *change.implementers.all()]


# --- drafting --------------------------------------------------------------------------------------

def _clean_relations(*, actor: User, change: ChangeRequest, data: dict) -> dict:
    """Resolve and check business systems, hosts and implementers given as ids."""
    errors: dict[str, list[str]] = {}
    resolved: dict = {}
    if "business_systems" in data:
        ids = {int(i) for i in data["business_systems"] or []}
        systems = BusinessSystem.objects.filter(pk__in=ids)
        if not user_sees_all_tenants(actor):
            systems = systems.filter(organization_id=user_tenant_id(actor))
        systems = list(systems)
        if len(systems) != len(ids):
            errors["business_systems"] = [_("包含不存在或无权操作的业务系统")]
        resolved["business_systems"] = systems
    system_ids = (
        {s.pk for s in resolved["business_systems"]}
        if "business_systems" in resolved
        else set(change.business_systems.values_list("pk", flat=True)) if change.pk else set()
    )
    if "hosts" in data or "business_systems" in data:
        ids = {int(i) for i in (data["hosts"] if "hosts" in data else change.hosts.values_list("pk", flat=True) if change.pk else []) or []}
        hosts = list(Host.objects.filter(pk__in=ids, business_system_id__in=system_ids))
        if len(hosts) != len(ids):
            errors["hosts"] = [_("云主机必须属于所选业务系统")]
        resolved["hosts"] = hosts
    if "implementers" in data:
        ids = {int(i) for i in data["implementers"] or []}
        people = list(users_with_role(*PROVIDER_ROLES).filter(pk__in=ids))
        if len(people) != len(ids):
            errors["implementers"] = [_("实施人必须是服务商在岗人员")]
        resolved["implementers"] = people
    if "linked_tickets" in data:
        ids = {int(i) for i in data["linked_tickets"] or []}
        tickets = list(ticket_visible_for_user(user=actor).filter(pk__in=ids))
        if len(tickets) != len(ids):
            errors["linked_tickets"] = [_("包含不存在或无权查看的工单")]
        resolved["linked_tickets"] = tickets
    if errors:
        raise ValidationFailed(fields=errors)
    return resolved


# The free text of a change and its limit (core.limits): the title a line, the rest a plan's length.
_TEXT_FIELDS = ("title", "reason", "plan", "rollback_plan", "verification_plan")


def _apply(*, actor: User, change: ChangeRequest, data: dict) -> dict:
    """Copy editable fields onto the (unsaved or locked) change and check what can be checked on a draft."""
    unknown = set(data) - set(EDITABLE_FIELDS) - set(RELATION_FIELDS) - {"template"}
    if unknown:
        raise ValidationFailed(fields={name: [_("未知字段")] for name in sorted(unknown)})
    text_lengths_check(**{
        name: (data[name], TITLE_MAX_LENGTH if name == "title" else TEXT_MAX_LENGTH)
        for name in _TEXT_FIELDS if isinstance(data.get(name), str)
    })
    for name in EDITABLE_FIELDS:
        if name in data:
            value = data[name]
            if name in ("title", "reason", "plan", "rollback_plan", "verification_plan"):
                value = (value or "").strip()
            setattr(change, name, value)
    errors: dict[str, list[str]] = {}
    if "template" in data:
        template = data["template"]
        if template is not None and not isinstance(template, ChangeTemplate):
            template = ChangeTemplate.objects.filter(pk=template, active=True).first()
            if template is None:
                errors["template"] = [_("标准变更模板不存在或已停用")]
        change.template = template
    if change.template is not None:
        for name, value in change_template_fill(change.template).items():
            if name in ("category", "risk") or not getattr(change, name):
                setattr(change, name, value)
    elif change.category == Category.STANDARD:
        errors["template"] = [_("标准变更必须选用预先批准的模板")]
    if change.category not in Category.values:
        errors["category"] = [_("变更类别无效")]
    if change.risk not in ChangeRequest.Risk.values:
        errors["risk"] = [_("风险等级无效")]
    if change.window_start and change.window_end and change.window_end <= change.window_start:
        errors["window_end"] = [_("计划结束时间必须晚于开始时间")]
    if change.expected_interruption_minutes is not None and change.expected_interruption_minutes < 0:
        errors["expected_interruption_minutes"] = [_("预计中断时长不能为负数")]
    if errors:
        raise ValidationFailed(fields=errors)
    return _clean_relations(actor=actor, change=change, data=data)


def _save_relations(change: ChangeRequest, relations: dict) -> None:
    for name, values in relations.items():
        getattr(change, name).set(values)


@transaction.atomic
def change_create(*, actor: User, data: dict) -> ChangeRequest:
    """Save a new draft. Only title-level checks here; completeness is checked on submit."""
    if not user_may_draft_changes(actor):
        raise PermissionDenied(message=_("只有服务商人员和采购人报障人可以起草变更"))
    now = timezone.now()
    change = ChangeRequest(requester=actor, created_at=now, updated_at=now, status=Status.DRAFT)
    relations = _apply(actor=actor, change=change, data=data)
    change.number = _take_number(now=now)
    change.save()
    _save_relations(change, relations)
    _event(change, kind=Kind.CREATED, actor=actor, at=now, to_status=Status.DRAFT)
    return change


@transaction.atomic
def change_update(*, actor: User, change_id: int, data: dict) -> ChangeRequest:
    """Edit a draft (drafter only)."""
    change = _locked(change_id)
    _deny(change, actor, "update")
    now = timezone.now()
    relations = _apply(actor=actor, change=change, data=data)
    change.updated_at = now
    change.save()
    _save_relations(change, relations)
    _event(change, kind=Kind.UPDATED, actor=actor, at=now, note="、".join(sorted(data)))
    return change


# --- submission and the approval chain ------------------------------------------------------------

def _required_errors(change: ChangeRequest) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("title", "reason", "plan", "rollback_plan", "verification_plan", "window_start", "window_end"):
        if not getattr(change, name):
            errors[name] = [REQUIRED_MESSAGE]
    if not change.category:
        errors["category"] = [REQUIRED_MESSAGE]
    if not change.risk:
        errors["risk"] = [REQUIRED_MESSAGE]
    if not change.business_systems.all():
        errors["business_systems"] = [_("至少选择一个业务系统")]
    if change.window_start and change.window_end and change.window_end <= change.window_start:
        errors["window_end"] = [_("计划结束时间必须晚于开始时间")]
    return errors


def _check_freeze(change: ChangeRequest) -> None:
    """Heavy-protection rules (3.2.11, 8.1.7): no normal change and no internet remote access in a period."""
    periods = change_freeze_periods(window_start=change.window_start, window_end=change.window_end)
    if not periods:
        return
    names = _("、").join(str(p) for p in periods)
    data_fields = {"window_start": [_("时间窗口触及重保时期：%(periods)s") % {"periods": names}]}
    if change.internet_remote_access:
        raise Conflict(
            message=_("重保时期禁止经互联网远程操作：%(periods)s") % {"periods": names},
            code="change_remote_access_frozen",
            fields={"internet_remote_access": [_("重保时期（%(periods)s）禁止经互联网远程操作") % {"periods": names}]},
        )
    if change.category == Category.NORMAL:
        raise Conflict(
            message=_("时间窗口触及重保时期，一般变更暂停（封网）：%(periods)s。可保存为草稿，或改期后再提交。") % {"periods": names},
            code="change_freeze",
            fields=data_fields,
        )


def _check_conflicts(change: ChangeRequest) -> list[ChangeRequest]:
    """Lock the affected systems (so two approvals cannot both book the same slot), then find overlaps.
    Raises 409 change_conflict when either side is high risk; returns the overlaps otherwise."""
    system_ids = [s.pk for s in change.business_systems.all()]
    lock_rows(BusinessSystem.objects.filter(pk__in=system_ids))
    conflicts = change_conflicts(change=change, system_ids=system_ids, host_ids=[h.pk for h in change.hosts.all()])
    if conflicts_blocking(change, conflicts):
        numbers = _("、").join(c.number for c in conflicts)
        raise Conflict(
            message=_("时间窗口与已批准的变更重叠且涉及高风险变更：%(numbers)s") % {"numbers": numbers},
            code="change_conflict",
            fields={"window_start": [_("与 %(numbers)s 的时间窗口重叠") % {"numbers": numbers}]},
        )
    return conflicts


def _build_approvals(change: ChangeRequest, *, in_period: bool) -> list[ChangeApproval]:
    chain = approval_chain_for(category=change.category, risk=change.risk)
    if chain is None:
        raise Conflict(message=_("没有适用于该类别与风险等级的审批链，请联系管理员配置"), code="no_approval_chain")
    change.chain = chain
    steps: list[dict] = []
    owners = sorted({s.organization.tenant_id for s in change.business_systems.all()})
    for step in chain.steps.all():
        targets = owners if step.scope == ApprovalStep.Scope.OWNER else [None]
        for org_id in targets:
            steps.append({"label": step.label, "role": step.role, "organization_id": org_id, "note": ""})
    before_start = chain.start_after_steps if change.category == Category.EMERGENCY else None
    if before_start is None:
        before_start = len(steps)
    if change.category == Category.EMERGENCY and in_period:
        # An emergency change in a heavy-protection period needs the PM's approval before it starts.
        pm = next((s for s in steps if s["role"] == Role.PROJECT_MANAGER), None)
        if pm is not None:
            steps.remove(pm)
        else:
            pm = {"label": "项目经理审批（重保时期紧急变更）", "role": Role.PROJECT_MANAGER, "organization_id": None}
        pm["note"] = "重保时期紧急变更须项目经理加签"
        at = min(before_start, len(steps))
        steps.insert(at, pm)
        before_start = at + 1
    approvals = []
    for position, spec in enumerate(steps, start=1):
        approval = ChangeApproval(
            change=change,
            position=position,
            label=spec["label"],
            role=spec["role"],
            organization_id=spec["organization_id"],
            note=spec.get("note", ""),
            required_before_start=position <= before_start,
        )
        _delegate_if_sole_holder(change, approval)
        approvals.append(approval)
    return ChangeApproval.objects.bulk_create(approvals)


def _delegate_if_sole_holder(change: ChangeRequest, approval: ChangeApproval) -> None:
    """Where the drafter is the only holder of the step's role, the project manager decides it (as when
    nobody holds it at all: a step nobody may decide would stall the change)."""
    holders = _holders(approval) if approval.role != Role.PROJECT_MANAGER else None
    if holders is not None and all(u.pk == change.requester_id for u in holders):
        why = "申请人为该角色唯一持有人" if holders else "无人持有该角色"
        approval.delegated_from_role = approval.role
        approval.role = Role.PROJECT_MANAGER
        approval.organization_id = None
        approval.note = (approval.note + "；" if approval.note else "") + f"{why}，改由项目经理审批"
    if approval.role == Role.PROJECT_MANAGER and not _holders(approval, exclude=change.requester_id):
        raise Conflict(message=_("步骤「%(step)s」没有可审批的人员（申请人不能审批自己的变更）") % {"step": approval.label}, code="no_approver")


@transaction.atomic
def change_submit(*, actor: User, change_id: int) -> ChangeRequest:
    """Clause 8.1.3 (change request and approval): draft → submitted (→ approved at once for a pre-approved
    standard change)."""
    change = _locked(change_id)
    _deny(change, actor, "submit")
    errors = _required_errors(change)
    if errors:
        raise ValidationFailed(message=_("变更信息不完整，不能提交"), fields=errors)
    if change.template_id and not change.template.active:
        raise ValidationFailed(fields={"template": [_("标准变更模板已停用")]})
    _check_freeze(change)
    conflicts = _check_conflicts(change)
    in_period = bool(change_freeze_periods(window_start=change.window_start, window_end=change.window_end))
    now = timezone.now()
    old = _move(change, Status.SUBMITTED)
    change.submitted_at = now
    change.updated_at = now
    approvals = _build_approvals(change, in_period=in_period)
    _event(change, kind=Kind.SUBMITTED, actor=actor, at=now, from_status=old, to_status=change.status,
           data={"steps": [{"position": a.position, "label": a.label, "role": a.role} for a in approvals]})
    if conflicts:
        _event(change, kind=Kind.CONFLICT_FLAGGED, actor=None, at=now,
               note="时间窗口与已批准变更重叠：" + "、".join(c.number for c in conflicts),
               data={"changes": [c.number for c in conflicts]})
    if not approvals:
        old = _move(change, Status.APPROVED)
        change.approved_at = now
        _event(change, kind=Kind.PRE_APPROVED, actor=None, at=now, from_status=old, to_status=change.status,
               note=f"标准变更模板「{change.template}」已预先批准")
    change.save(update_fields=["status", "submitted_at", "approved_at", "updated_at", "chain"])
    change = _locked(change.pk)
    _notify_current_step(change, conflicts=conflicts)
    return change


def _decide(*, actor: User, change_id: int, comment: str, approve: bool) -> ChangeRequest:
    change = _locked(change_id)
    _deny(change, actor, "approve" if approve else "reject")
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationFailed(fields={"comment": [_("驳回时必须填写审批意见")]})
    current = approval_current(change)
    now = timezone.now()
    last = all(a.pk == current.pk or a.status != ChangeApproval.Status.PENDING for a in change.approvals.all())
    conflicts: list[ChangeRequest] = []
    if approve and last and change.status in (Status.SUBMITTED, Status.IN_APPROVAL):
        # The final approval books the window: re-check the rules against what was approved since.
        if change.category == Category.NORMAL:
            _check_freeze(change)
        conflicts = _check_conflicts(change)
    current.status = ChangeApproval.Status.APPROVED if approve else ChangeApproval.Status.REJECTED
    current.decided_by = actor
    current.decided_at = now
    current.comment = comment
    current.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    step = {"position": current.position, "label": current.label, "role": current.role, "retrospective": current.retrospective}
    old = change.status
    if not approve:
        ChangeApproval.objects.filter(change=change, status=ChangeApproval.Status.PENDING).update(
            status=ChangeApproval.Status.VOID
        )
        _move(change, Status.REJECTED)
        change.rejected_at = now
    elif last and change.status in (Status.SUBMITTED, Status.IN_APPROVAL):
        _move(change, Status.APPROVED)
        change.approved_at = now
    elif last:
        change.approved_at = now  # retrospective approval of a started emergency change is complete
    elif change.status == Status.SUBMITTED:
        _move(change, Status.IN_APPROVAL)
    change.updated_at = now
    change.save(update_fields=["status", "rejected_at", "approved_at", "updated_at"])
    _event(change, kind=Kind.APPROVED if approve else Kind.REJECTED, actor=actor, at=now, from_status=old,
           to_status=change.status, note=comment, data={"step": step})
    if conflicts:
        _event(change, kind=Kind.CONFLICT_FLAGGED, actor=None, at=now,
               note="批准时时间窗口与已批准变更重叠：" + "、".join(c.number for c in conflicts),
               data={"changes": [c.number for c in conflicts]})
    change = _locked(change.pk)
    if not approve:
        _notify(_stakeholders(change), change=change, kind="change_rejected", title=f"变更被驳回：{change.number}",
                body=f"{change.number} {change.title}\n{current.label}：{comment}", key="rejected")
    elif approval_current(change) is not None:
        _notify_current_step(change)
    else:
        _notify(_stakeholders(change), change=change, kind="change_approved", title=f"变更已批准：{change.number}",
                body=f"{change.number} {change.title}\n审批已全部通过。", key="approved")
    return change


@transaction.atomic
def change_approve(*, actor: User, change_id: int, comment: str = "") -> ChangeRequest:
    """Clause 8.1.3: Approve the current step (a holder of its role; never the requester)."""
    text_lengths_check(comment=(comment, REASON_MAX_LENGTH))
    return _decide(actor=actor, change_id=change_id, comment=comment, approve=True)


@transaction.atomic
def change_reject(*, actor: User, change_id: int, comment: str) -> ChangeRequest:
    """Reject the current step with a comment: the request ends (remaining steps are void)."""
    text_lengths_check(comment=(comment, REASON_MAX_LENGTH))
    return _decide(actor=actor, change_id=change_id, comment=comment, approve=False)


# --- implementation --------------------------------------------------------------------------------

@transaction.atomic
def change_start(*, actor: User, change_id: int) -> ChangeRequest:
    """approved → in progress; an emergency change may start once its pre-start steps are approved,
    the rest becoming retrospective approvals due within the chain's hours (24 by default)."""
    change = _locked(change_id)
    _deny(change, actor, "start")
    if change.category == Category.NORMAL or change.internet_remote_access:
        _check_freeze(change)  # a period may have been declared since approval
    conflicts = _check_conflicts(change) if change.status != Status.APPROVED else []
    now = timezone.now()
    old = _move(change, Status.IN_PROGRESS)
    change.started_at = now
    change.updated_at = now
    pending = [a for a in change.approvals.all() if a.status == ChangeApproval.Status.PENDING]
    if pending:
        hours = change.chain.retrospective_hours if change.chain_id else 24
        due = now + dt.timedelta(hours=hours)
        ChangeApproval.objects.filter(pk__in=[a.pk for a in pending]).update(retrospective=True, due_at=due)
        change.started_before_approval = True
    change.save(update_fields=["status", "started_at", "updated_at", "started_before_approval"])
    _event(change, kind=Kind.STARTED, actor=actor, at=now, from_status=old, to_status=change.status,
           note="紧急变更先行实施，其余审批事后补批" if pending else "",
           data={"retrospective_steps": [a.position for a in pending]} if pending else {})
    change = _locked(change.pk)
    if pending:
        _notify_current_step(change, conflicts=conflicts)
    return change


@transaction.atomic
def change_complete(*, actor: User, change_id: int, outcome: str, notes: str = "") -> ChangeRequest:
    """in progress → completed with the outcome (successful / failed and rolled back)."""
    text_lengths_check(notes=(notes, TEXT_MAX_LENGTH))
    change = _locked(change_id)
    _deny(change, actor, "complete")
    if outcome not in ChangeRequest.Outcome.values:
        raise ValidationFailed(fields={"outcome": [_("请选择实施结果：成功，或失败并已回退")]})
    notes = (notes or "").strip()
    _advance(change, Status.COMPLETED, actor=actor, now=timezone.now(), kind=Kind.COMPLETED, stamp="completed_at",
             values={"outcome": outcome, "completion_notes": notes}, note=notes, data={"outcome": outcome})
    return change


@transaction.atomic
def change_review(*, actor: User, change_id: int, notes: str, lessons: str = "") -> ChangeRequest:
    """completed → reviewed: the post-implementation review (结论与经验教训)."""
    text_lengths_check(notes=(notes, TEXT_MAX_LENGTH), lessons=(lessons, TEXT_MAX_LENGTH))
    change = _locked(change_id)
    _deny(change, actor, "review")
    notes = (notes or "").strip()
    if not notes:
        raise ValidationFailed(fields={"notes": [_("请填写复盘结论")]})
    lessons = (lessons or "").strip()
    _advance(change, Status.REVIEWED, actor=actor, now=timezone.now(), kind=Kind.REVIEWED, stamp="reviewed_at",
             values={"review_notes": notes, "lessons": lessons}, note=notes, data={"lessons": lessons})
    return change


@transaction.atomic
def change_cancel(*, actor: User, change_id: int, reason: str = "") -> ChangeRequest:
    """Withdraw a change before implementation (requester or project manager)."""
    text_lengths_check(reason=(reason, REASON_MAX_LENGTH))
    change = _locked(change_id)
    _deny(change, actor, "cancel")
    reason = (reason or "").strip()
    ChangeApproval.objects.filter(change=change, status=ChangeApproval.Status.PENDING).update(
        status=ChangeApproval.Status.VOID
    )
    old = _advance(change, Status.CANCELLED, actor=actor, now=timezone.now(), kind=Kind.CANCELLED, stamp="cancelled_at",
             values={"cancel_reason": reason}, note=reason)
    change = _locked(change.pk)
    if old != Status.DRAFT:
        _notify(_stakeholders(change), change=change, kind="change_cancelled", title=f"变更已取消：{change.number}",
                body=f"{change.number} {change.title}\n{change.cancel_reason}", key="cancelled")
    return change


# --- retrospective approval deadline ----------------------------------------------------------------

def change_retrospective_overdue_ids(*, now: dt.datetime, limit: int = 200) -> list[int]:
    return list(
        ChangeApproval.objects.filter(
            status=ChangeApproval.Status.PENDING, retrospective=True, due_at__lte=now, overdue_flagged_at__isnull=True
        )
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def change_retrospective_flag_overdue(*, approval_id: int, now: dt.datetime) -> bool:
    """Tell the project managers that an emergency change's retrospective approval is overdue.
    Idempotent: a flagged, decided or vanished step is left alone."""
    approval = (
        ChangeApproval.objects.select_for_update().filter(pk=approval_id).first()
    )
    if (
        approval is None
        or approval.status != ChangeApproval.Status.PENDING
        or not approval.retrospective
        or approval.overdue_flagged_at is not None
        or approval.due_at is None
        or approval.due_at > now
    ):
        return False
    approval.overdue_flagged_at = now
    approval.save(update_fields=["overdue_flagged_at"])
    change = approval.change
    due = timezone.localtime(approval.due_at)
    _event(change, kind=Kind.RETROSPECTIVE_OVERDUE, actor=None, at=now,
           note=f"步骤「{approval.label}」应于 {due:%Y-%m-%d %H:%M} 前补批，已逾期", data={"step": approval.position})
    _notify(
        users_with_role(Role.PROJECT_MANAGER),
        change=change,
        kind="change_retrospective_overdue",
        title=f"紧急变更补批逾期：{change.number}",
        body=f"{change.number} {change.title}\n步骤「{approval.label}」应于 {due:%Y-%m-%d %H:%M} 前完成事后补批。",
        key=f"overdue:{approval.pk}",
    )
    return True

