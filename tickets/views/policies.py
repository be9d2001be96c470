"""The SLA policies page (issue 15 item 5): every policy with its contract target and the target in
force; the proposals to loosen a contract policy with their state; the PM's proposal form and the
purchaser approver's decisions. Writes go through tickets.services.policies (core.consent decides who
may decide)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organization
from accounts.roles import Role
from accounts.selectors import user_has_role
from core.consent import CONSENT_TRANSITIONS, consent_actions_for
from core.exceptions import DomainError, NotFound, ValidationFailed

from ..models import SlaPolicyChange
from ..selectors.policies import (
    sla_policy_change_get_for_user,
    sla_policy_change_list_for_user,
    sla_policy_get,
    sla_policy_list,
)
from ..services.policies import sla_policy_change_decide, sla_policy_change_propose
from .common import page_status


def _page(request, *, error: DomainError | None = None, status: int = 200):
    changes = list(sla_policy_change_list_for_user(user=request.user)[:100])
    rows = [(change, [(a, CONSENT_TRANSITIONS[a].label) for a in consent_actions_for(user=request.user, consent=change)])
            for change in changes]
    may_propose = user_has_role(request.user, Role.PROJECT_MANAGER)
    return render(request, "tickets/sla_policies.html", {
        "policies": list(sla_policy_list()),
        "changes": rows,
        "may_propose": may_propose,
        "purchasers": Organization.objects.filter(kind=Organization.Kind.PURCHASER, parent__isnull=True).order_by("name")
        if may_propose else [],
        "form": request.POST if error else {},
        "error_message": str(error.message) if error else "",
        "error_fields": getattr(error, "fields", None) or {},
    }, status=status)


def _int(value: str | None, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise ValidationFailed(fields={field: [_("请输入整数")]}) from exc


def _when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(fields={"effective_from": [_("时间格式应为 YYYY-MM-DDTHH:MM")]}) from exc
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@login_required
def sla_policies(request):
    """GET: the page. POST (the PM): propose a change of a contract policy."""
    if request.method != "POST":
        return _page(request)
    try:
        policy = sla_policy_get(policy_id=_int(request.POST.get("policy"), "policy") or 0)
        organization_id = _int(request.POST.get("organization"), "organization")
        result = sla_policy_change_propose(
            actor=request.user, policy=policy,
            organization=Organization.objects.filter(pk=organization_id).first() if organization_id else None,
            target_minutes=_int(request.POST.get("target_minutes"), "target_minutes"),
            pausable=request.POST.get("pausable") == "on", active=request.POST.get("active", "on") == "on",
            effective_from=_when(request.POST.get("effective_from")), reason=request.POST.get("reason", ""),
        )
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as caught:
        return _page(request, error=caught, status=page_status(caught))
    if isinstance(result, SlaPolicyChange):
        messages.success(request, _("已提交采购人确认：确认后自生效时间起报告的工单适用。"))
    else:
        messages.success(request, _("已收紧，自现在起新报告的工单适用。"))
    return redirect("sla-policies")


@require_POST
@login_required
def sla_policy_change_action(request, pk: int, action: str):
    if action not in CONSENT_TRANSITIONS:
        raise Http404
    try:
        change = sla_policy_change_get_for_user(user=request.user, change_id=pk)
        sla_policy_change_decide(actor=request.user, change=change, action=action, note=request.POST.get("note", ""))
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as caught:
        return _page(request, error=caught, status=page_status(caught))
    messages.success(request, _("已%(action)s。") % {"action": CONSENT_TRANSITIONS[action].label})
    return redirect("sla-policies")
