"""The SLA policies page (issue 15 item 5): every policy with its contract target and the target in
force; the proposals to loosen a contract policy with their state; the PM's proposal form and the
purchaser approver's decisions. Writes go through tickets.services.policies (core.consent decides who
may decide)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organization
from accounts.roles import Role
from accounts.selectors import purchaser_organization_list, user_has_role
from core.consent import CONSENT_TRANSITIONS, consent_actions_for
from core.exceptions import DomainError, NotFound, page_domain_error, page_status

from ..forms import SlaPolicyProposeForm
from ..models import SlaPolicyChange
from ..selectors.policies import (
    sla_policy_change_get_for_user,
    sla_policy_change_list_for_user,
    sla_policy_get,
    sla_policy_list,
)
from ..services.policies import sla_policy_change_decide, sla_policy_change_propose


def _page(request, *, form: SlaPolicyProposeForm | None = None, error: DomainError | None = None, status: int = 200):
    """The page; `form` is the PM's proposal as sent (with its errors), `error` a refused decision."""
    changes = list(sla_policy_change_list_for_user(user=request.user)[:100])
    rows = [(change, [(a, CONSENT_TRANSITIONS[a].label) for a in consent_actions_for(user=request.user, consent=change)])
            for change in changes]
    policies = list(sla_policy_list())
    may_propose = user_has_role(request.user, Role.PROJECT_MANAGER)
    if may_propose and form is None:
        form = _form(None, policies=policies)
    return render(request, "tickets/sla_policies.html", {
        "policies": policies,
        "changes": rows,
        "may_propose": may_propose,
        "form": form if may_propose else None,
        "error_message": str(error.message) if error else "",
    }, status=status)


def _form(data, *, policies) -> SlaPolicyProposeForm:
    purchasers = purchaser_organization_list().order_by("name")
    return SlaPolicyProposeForm(data, policies=policies, purchasers=list(purchasers))


@login_required
def sla_policies(request):
    """GET: the page. POST (the PM): propose a change of a contract policy."""
    if request.method != "POST":
        return _page(request)
    form = _form(request.POST, policies=list(sla_policy_list()))
    if not form.is_valid():
        return _page(request, form=form, status=400)
    data = form.cleaned_data
    try:
        policy = sla_policy_get(policy_id=data["policy"])
        result = sla_policy_change_propose(
            actor=request.user, policy=policy,
            organization=Organization.objects.filter(pk=data["organization"]).first() if data["organization"] else None,
            target_minutes=data["target_minutes"], pausable=data["pausable"], active=data["active"],
            effective_from=data["effective_from"], reason=data["reason"],
        )
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as caught:
        if not user_has_role(request.user, Role.PROJECT_MANAGER):  # no form on their page: the refusal above it
            return _page(request, error=caught, status=page_status(caught))
        page_domain_error(caught, form=form)
        return _page(request, form=form, status=page_status(caught))
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
