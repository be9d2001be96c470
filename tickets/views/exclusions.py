"""Pages of the exclusion ledger: the ledger (everyone who may read it), the purchaser approver's
inbox of exclusions to decide, one exclusion with its history and the decision forms. Decisions go
through tickets.services.exclusions (core.consent decides who may)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.consent import CONSENT_TRANSITIONS, consent_actions_for, consent_history
from core.exceptions import DomainError, NotFound, page_domain_error, page_status
from core.models import ConsentState

from ..forms import ExclusionDecisionForm, ExclusionFilterForm
from ..selectors.exclusions import exclusion_filter, exclusion_get_for_user, exclusion_list_for_user, month_bounds
from ..services.exclusions import exclusion_decide


@login_required
def exclusion_list(request):
    """The ledger: every exclusion the user may read, newest first, filtered by state, kind, month."""
    form = ExclusionFilterForm(request.GET)
    form.is_valid()
    chosen = form.cleaned_data  # the fields that are valid filter; the others say why beside them
    start = end = None
    if chosen.get("month"):
        try:
            start, end = month_bounds(chosen["month"])
        except ValueError:
            form.add_error("month", _("月份格式应为 YYYY-MM"))
    qs = exclusion_filter(exclusion_list_for_user(user=request.user), state=chosen.get("state") or None,
                          kind=chosen.get("kind") or None, start=start, end=end)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "tickets/exclusions.html", {
        "page": page, "form": form, "inbox": False,
        "query": urlencode({k: v for k, v in chosen.items() if v}),
    })


@login_required
def exclusion_inbox(request):
    """The purchaser approver's inbox: its purchaser's exclusions waiting for a decision, oldest first."""
    qs = exclusion_list_for_user(user=request.user).filter(state=ConsentState.REQUESTED).order_by("requested_at", "pk")
    rows = [e for e in qs[:200] if "confirm" in consent_actions_for(user=request.user, consent=e)]
    return render(request, "tickets/exclusions.html", {"page": rows, "inbox": True})


@login_required
def exclusion_detail(request, pk: int):
    return _detail(request, pk)


def _detail(request, pk: int, *, bound: ExclusionDecisionForm | None = None, status: int = 200):
    """The exclusion, its history and a form per decision the user may take; `bound`: the refused one,
    with the note kept and the reason beside it."""
    try:
        exclusion = exclusion_get_for_user(user=request.user, exclusion_id=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    actions = consent_actions_for(user=request.user, consent=exclusion)
    forms = [(a, CONSENT_TRANSITIONS[a].label, bound if bound is not None and bound.action == a
              else ExclusionDecisionForm(action=a)) for a in actions]
    if bound is not None and bound.action not in actions:  # the state moved on: still say why, keep the note
        forms.append((bound.action, CONSENT_TRANSITIONS[bound.action].label, bound))
    return render(request, "tickets/exclusion_detail.html", {
        "exclusion": exclusion, "actions": forms, "history": list(consent_history(exclusion)),
    }, status=status)


DONE = {"confirm": gettext_lazy("已确认：该排除自此计入指标。"), "reject": gettext_lazy("已驳回：该排除不计入指标。"),
        "dispute": gettext_lazy("已提出异议：该排除不再计入指标。"), "withdraw": gettext_lazy("已撤回。")}


@require_POST
@login_required
def exclusion_action(request, pk: int, action: str):
    if action not in CONSENT_TRANSITIONS:
        raise Http404
    try:
        exclusion = exclusion_get_for_user(user=request.user, exclusion_id=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    form = ExclusionDecisionForm(request.POST, action=action)
    if not form.is_valid():  # too long: the message stands beside the input
        return _detail(request, pk, bound=form)
    try:
        exclusion_decide(actor=request.user, exclusion=exclusion, action=action, note=form.cleaned_data["note"])
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as caught:
        page_domain_error(caught, form=form)
        return _detail(request, pk, bound=form, status=page_status(caught))
    messages.success(request, DONE[action])
    return redirect("exclusion-detail", pk)
