"""Bulk actions from the rows ticked on the list or a queue page (tickets.services.bulk): the outcome
per ticket comes back as messages on the page the user came from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.selectors import user_is_manager
from core.exceptions import DomainError, domain_error_text

from ..forms import TicketBulkForm
from ..services.bulk import ticket_bulk_run

DONE = {"assign": gettext_lazy("已指派 %(n)s 张工单。"), "comment": gettext_lazy("已在 %(n)s 张工单上发表评论。")}


def _back(request):
    """The list or queue page the form was on (its filters kept), or the list."""
    target = request.POST.get("next", "")
    if target.startswith("/tickets/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("ticket-list")


@require_POST
@login_required
def ticket_bulk(request):
    if not user_is_manager(request.user):
        raise PermissionDenied
    form = TicketBulkForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return _back(request)
    try:
        outcomes = ticket_bulk_run(actor=request.user, action=form.cleaned_data["action"],
                                   ticket_ids=form.cleaned_data["tickets"], **form.service_input())
    except DomainError as error:
        messages.error(request, domain_error_text(error))
        return _back(request)
    done = [o for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok]
    if done:
        messages.success(request, str(DONE[form.cleaned_data["action"]]) % {"n": len(done)})
    for outcome in failed:
        messages.error(request, _("%(number)s 未处理：%(reason)s") % {
            "number": outcome.number or f"#{outcome.ticket_id}", "reason": outcome.message})
    return _back(request)
