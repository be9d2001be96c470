"""SLA policies are data: the project manager edits them (API, admin). Tickets keep their snapshot."""

from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_has_role
from core.exceptions import PermissionDenied, ValidationFailed

from ..models import ClockName, SlaPolicy, StopMilestone, TicketKind

EDITABLE = ("name", "kind", "severity", "clock", "resource", "direction", "heavy_protection_important", "target_minutes",
            "calendar", "pausable", "stop_on", "active", "clause", "description")


def _check(actor: User, data: dict) -> None:
    if not user_has_role(actor, Role.PROJECT_MANAGER):
        raise PermissionDenied("只有项目经理可以修改 SLA 策略")
    errors = {}
    if data.get("clock") == ClockName.RESPONSE and data.get("stop_on") not in (None, StopMilestone.ACKNOWLEDGE):
        errors["stop_on"] = ["响应时钟只能在响应时停止"]
    if (data.get("resource") or data.get("direction")) and data.get("kind") not in (None, TicketKind.RESOURCE):
        errors["resource"] = ["只有资源调整工单的策略可以限定资源或方向"]
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def sla_policy_create(*, actor: User, **data) -> SlaPolicy:
    _check(actor, data)
    return SlaPolicy.objects.create(**{k: v for k, v in data.items() if k in EDITABLE})


@transaction.atomic
def sla_policy_update(*, actor: User, policy: SlaPolicy, **data) -> SlaPolicy:
    """Changes apply to tickets created from now on; existing clocks keep their snapshot."""
    _check(actor, {"kind": policy.kind, "clock": policy.clock, "stop_on": policy.stop_on, **data})
    fields = [k for k in data if k in EDITABLE]
    for name in fields:
        setattr(policy, name, data[name])
    if fields:
        policy.save(update_fields=[*fields, "updated_at"])
    return policy
