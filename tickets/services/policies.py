"""SLA policies are data: the project manager edits them (API, admin). Tickets keep their snapshot.

The contract's targets are a floor (issue 15 item 5). A seeded contract policy keeps its contract
figures (`contract_target_minutes`, `contract_pausable`): the PM may tighten it at once (fewer minutes,
pausable → not pausable), and may go back up to the contract figure; a looser change — more minutes
than the contract's, a contract clock made pausable, a contract policy switched off — is a
SlaPolicyChange for one purchaser (`sla_policy_change_propose`), which counts only once an approver of
that purchaser confirms it (core.consent), and then for tickets reported from its date on. A policy the
PM adds may not undercut the contract policy it would displace. The admin saves through these services.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.roles import Role
from accounts.selectors import user_has_role
from core.consent import consent_open
from core.exceptions import PermissionDenied, ValidationFailed

from ..models import ClockName, Severity, SlaPolicy, SlaPolicyChange, StopMilestone, TicketKind

EDITABLE = ("name", "kind", "severity", "clock", "resource", "direction", "heavy_protection_important", "target_minutes",
            "calendar", "pausable", "stop_on", "active", "clause", "description")
# What identifies a contract policy's clock: not to be changed on a contract row (the floor is per clock).
CONTRACT_SHAPE = ("kind", "severity", "clock", "resource", "direction", "heavy_protection_important", "calendar", "stop_on")


def _require_pm(actor: User) -> None:
    if not user_has_role(actor, Role.PROJECT_MANAGER):
        raise PermissionDenied(_("只有项目经理可以修改 SLA 策略"))


def _check(actor: User, data: dict) -> None:
    _require_pm(actor)
    errors = {}
    if data.get("clock") == ClockName.RESPONSE and data.get("stop_on") not in (None, StopMilestone.ACKNOWLEDGE):
        errors["stop_on"] = ["响应时钟只能在响应时停止"]
    if (data.get("resource") or data.get("direction")) and data.get("kind") not in (None, TicketKind.RESOURCE):
        errors["resource"] = ["只有资源调整工单的策略可以限定资源或方向"]
    if errors:
        raise ValidationFailed(fields=errors)


def sla_policy_is_looser(policy: SlaPolicy, *, target_minutes: int, pausable: bool, active: bool) -> bool:
    """Whether these figures would be looser than the contract's for a contract policy (never for a
    policy the PM added: that one is held to the contract policy it would displace when saved)."""
    if not policy.is_contract:
        return False
    return (not active) or target_minutes > policy.contract_target_minutes or (pausable and not policy.contract_pausable)


def _undercut_errors(data: dict, *, exclude_pk: int | None) -> dict:
    """A policy the PM adds or edits may not be looser than any contract policy a ticket of its shape
    would otherwise get (a 600-minute "P3 fault" policy would displace the contract's 30 minutes)."""
    contract = [p for p in SlaPolicy.objects.filter(active=True, kind=data["kind"], contract_target_minutes__isnull=False)
                .exclude(pk=exclude_pk).order_by("pk")]
    from ..selectors.sla import sla_policies_for

    severities = [data.get("severity")] if data.get("severity") else list(Severity.values)
    for severity in severities:
        floor = sla_policies_for(kind=data["kind"], severity=severity, resource=data.get("resource") or "",
                                 direction=data.get("direction") or "", heavy_important=bool(data.get("heavy_protection_important")),
                                 policies=contract).get(data["clock"])
        if floor is None:
            continue
        if data["target_minutes"] > floor.contract_target_minutes:
            return {"target_minutes": [_("不得宽于合同目标 %(n)s 分钟（%(name)s）") % {
                "n": floor.contract_target_minutes, "name": floor.name}]}
        if data.get("pausable") and not floor.contract_pausable:
            return {"pausable": [_("合同时钟不可暂停（%(name)s）") % {"name": floor.name}]}
    return {}


@transaction.atomic
def sla_policy_create(*, actor: User, **data) -> SlaPolicy:
    _check(actor, data)
    values = {k: v for k, v in data.items() if k in EDITABLE}
    probe = {"severity": "", "resource": "", "direction": "", "heavy_protection_important": False, "pausable": False, **values}
    if values.get("active", True) and (errors := _undercut_errors(probe, exclude_pk=None)):
        raise ValidationFailed(fields=errors)
    return SlaPolicy.objects.create(**values)


@transaction.atomic
def sla_policy_update(*, actor: User, policy: SlaPolicy, **data) -> SlaPolicy:
    """Changes apply to tickets created from now on; existing clocks keep their snapshot. A contract
    policy (8.2.12, 8.2.3) is only tightened here (or brought back up to its contract figure); a looser change is refused
    with a pointer to the proposal, which needs the purchaser's consent."""
    _check(actor, {"kind": policy.kind, "clock": policy.clock, "stop_on": policy.stop_on, **data})
    fields = [k for k in data if k in EDITABLE and data[k] != getattr(policy, k)]
    if policy.is_contract:
        if shape := [k for k in fields if k in CONTRACT_SHAPE]:
            raise ValidationFailed(fields={k: [_("合同策略的适用范围不能修改")] for k in shape})
        target = {name: data.get(name, getattr(policy, name)) for name in ("target_minutes", "pausable", "active")}
        if sla_policy_is_looser(policy, **target):
            raise ValidationFailed(
                _("放宽合同目标须经采购人同意：请提交 SLA 目标放宽申请"),
                fields={k: [_("宽于合同目标")] for k in ("target_minutes", "pausable", "active") if k in fields},
            )
    else:
        merged = {name: data.get(name, getattr(policy, name)) for name in EDITABLE}
        if merged["active"] and (errors := _undercut_errors(merged, exclude_pk=policy.pk)):
            raise ValidationFailed(fields=errors)
    for name in fields:
        setattr(policy, name, data[name])
    if fields:
        policy.save(update_fields=[*fields, "updated_at"])
    return policy


@transaction.atomic
def sla_policy_change_propose(
    *, actor: User, policy: SlaPolicy, organization: Organization, target_minutes: int, pausable: bool, active: bool,
    effective_from: dt.datetime, reason: str,
) -> SlaPolicy | SlaPolicyChange:
    """The PM's change of a contract policy (8.2.12, 8.2.3: the contract's targets are a floor). Not looser than the contract: applied to the policy at once
    (for every purchaser; returns the policy). Looser: a SlaPolicyChange for `organization` (a purchaser),
    waiting for its approver (returns the request); it counts once confirmed, for tickets reported from
    `effective_from` on, which may not lie in the past."""
    _require_pm(actor)
    errors: dict[str, list[str]] = {}
    if not policy.is_contract:
        errors["policy"] = [_("只有合同策略需要采购人同意；其他策略直接修改")]
    if target_minutes is None or target_minutes < 1:
        errors["target_minutes"] = [_("请输入大于 0 的分钟数")]
    if errors:
        raise ValidationFailed(fields=errors)
    if not sla_policy_is_looser(policy, target_minutes=target_minutes, pausable=pausable, active=active):
        return sla_policy_update(actor=actor, policy=policy, target_minutes=target_minutes, pausable=pausable, active=active)
    if organization is None or organization.kind != Organization.Kind.PURCHASER or organization.parent_id is not None:
        errors["organization"] = [_("请选择采购人")]
    if effective_from is None or effective_from < timezone.now() - dt.timedelta(minutes=1):
        errors["effective_from"] = [_("生效时间不能早于现在")]
    if errors:
        raise ValidationFailed(fields=errors)
    change = SlaPolicyChange(policy=policy, organization=organization, target_minutes=target_minutes, pausable=pausable,
                             active=active, effective_from=effective_from)
    return consent_open(change, actor=actor, reason=reason)


@transaction.atomic
def sla_policy_change_decide(*, actor: User, change: SlaPolicyChange, action: str, note: str = "") -> SlaPolicyChange:
    """Confirm, reject, dispute (an approver of the purchaser) or withdraw (the PM who asked): the state
    table, the 403/404/409 refusals, the ConsentEvent row and the notices are core.consent's. Nothing
    else to carry out: new tickets' clocks read the confirmed versions (tickets.selectors.sla)."""
    from core.consent import consent_decide

    return consent_decide(change, actor=actor, action=action, note=note)
