"""Drills (4.1): planned by the provider, recorded when done (RTO/RPO achieved, problems found, each
may become a ticket), signed off by the purchaser's approver."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, User
from accounts.roles import Role
from accounts.selectors import user_has_role, user_is_provider_staff, user_tenant_id
from core.db import lock_one
from core.exceptions import Conflict, ValidationFailed
from core.transitions import Transition, TransitionTable
from tickets.models.reference import BusinessSystem
from tickets.services.tickets import ticket_create

from ..models import Drill, DrillProblem
from .access import require_provider_staff

D = Drill.Status


def _staff(user, drill) -> bool:
    return user_is_provider_staff(user)


def _purchaser_approver(user, drill) -> bool:
    return (not user_is_provider_staff(user) and user_has_role(user, Role.APPROVER)
            and user_tenant_id(user) == drill.organization_id)


DRILL_TRANSITIONS = TransitionTable(
    [
        Transition("record", frozenset({D.PLANNED}), D.DONE, _staff, gettext_lazy("登记演练结果")),
        Transition("sign", frozenset({D.DONE}), D.SIGNED, _purchaser_approver, gettext_lazy("采购人签认")),
    ],
    state_label=lambda state: str(D(state).label),
)


@transaction.atomic
def drill_plan(*, actor: User, kind: str, title: str, organization: Organization, systems: list[BusinessSystem], plan: str,
               scenario: str, planned_on: dt.date, rto_target_minutes: int, rpo_target_minutes: int, participants: str,
               now: dt.datetime | None = None) -> Drill:
    require_provider_staff(actor)
    errors: dict[str, list[str]] = {}
    if kind not in Drill.Kind.values:
        errors["kind"] = [_("类型无效")]
    if not systems:
        errors["systems"] = [_("请选择业务系统")]
    elif any(s.organization_id != organization.pk for s in systems):
        errors["systems"] = [_("业务系统须属于该采购人")]
    for name, value in (("title", title), ("plan", plan), ("scenario", scenario), ("participants", participants)):
        if not str(value).strip():
            errors[name] = [_("请填写")]
    if errors:
        raise ValidationFailed(fields=errors)
    drill = Drill.objects.create(
        kind=kind, title=title.strip(), organization=organization, plan=plan, scenario=scenario, planned_on=planned_on,
        rto_target_minutes=rto_target_minutes, rpo_target_minutes=rpo_target_minutes, participants=participants,
        created_by=actor, created_at=now or timezone.now(),
    )
    drill.systems.set(systems)
    return drill


@transaction.atomic
def drill_record(*, actor: User, drill_id: int, rto_achieved_minutes: int, rpo_achieved_minutes: int, outcome: str,
                 problems: list[dict] | None = None, now: dt.datetime | None = None) -> Drill:
    """Record what the drill achieved. problems: [{description, business_system}]."""
    now = now or timezone.now()
    drill = lock_one(Drill.objects.all(), drill_id)
    spec = DRILL_TRANSITIONS.check(action="record", user=actor, obj=drill)
    systems = {s.pk: s for s in drill.systems.all()}
    errors: dict[str, list[str]] = {}
    if not outcome.strip():
        errors["outcome"] = [_("请填写演练结论")]
    for i, problem in enumerate(problems or []):
        if not str(problem.get("description") or "").strip():
            errors[f"problems.{i}.description"] = [_("请描述问题")]
        system = problem.get("business_system")
        if getattr(system, "pk", system) not in systems:
            errors[f"problems.{i}.business_system"] = [_("须为参演业务系统")]
    if errors:
        raise ValidationFailed(fields=errors)
    drill.rto_achieved_minutes, drill.rpo_achieved_minutes, drill.outcome = rto_achieved_minutes, rpo_achieved_minutes, outcome
    drill.status, drill.done_at = spec.target, now
    drill.save(update_fields=["rto_achieved_minutes", "rpo_achieved_minutes", "outcome", "status", "done_at"])
    for problem in problems or []:
        system = problem["business_system"]
        DrillProblem.objects.create(drill=drill, description=problem["description"].strip(),
                                    business_system=systems[getattr(system, "pk", system)], created_at=now)
    return drill


@transaction.atomic
def drill_sign(*, actor: User, drill_id: int, note: str = "", now: dt.datetime | None = None) -> Drill:
    """The purchaser's approver signs the recorded drill off (403 for anyone else, 409 before it is recorded)."""
    drill = lock_one(Drill.objects.all(), drill_id)
    spec = DRILL_TRANSITIONS.check(action="sign", user=actor, obj=drill)
    drill.status, drill.signed_by, drill.signed_at, drill.sign_note = spec.target, actor, now or timezone.now(), note[:500]
    drill.save(update_fields=["status", "signed_by", "signed_at", "sign_note"])
    return drill


@transaction.atomic
def drill_problem_ticket(*, actor: User, problem_id: int, severity: str = "P3", now: dt.datetime | None = None):
    require_provider_staff(actor)
    problem = lock_one(DrillProblem.objects.select_related("drill", "business_system__organization"), problem_id)
    if problem.ticket_id:
        raise Conflict(_("该问题已开工单"))
    with translation.override(settings.LANGUAGE_CODE):
        title = _("演练发现问题：%(drill)s") % {"drill": problem.drill.title}
        description = _("%(drill)s（%(day)s）发现的问题：\n%(text)s") % {
            "drill": problem.drill, "day": f"{problem.drill.planned_on:%Y-%m-%d}", "text": problem.description}
    ticket = ticket_create(actor=actor, title=title[:200], kind="fault", severity=severity, business_system=problem.business_system,
                           description=description, now=now)
    problem.ticket = ticket
    problem.save(update_fields=["ticket"])
    return ticket
