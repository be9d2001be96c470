"""报障: purchaser staff submit a ticket on the web; provider staff record a phone / e-mail report
with the real time it reached them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.selectors import user_has_role, user_is_provider_staff
from core.exceptions import DomainError, ValidationFailed, page_domain_error, page_status

from ..forms import TicketSubmitForm
from ..models import Ticket
from ..services.comments import ticket_attachment_add
from ..services.tickets import ticket_create


def _create_with_attachments(*, actor, data: dict, files: list, intake: bool) -> Ticket:
    """One transaction: a refused attachment leaves no half-submitted ticket behind."""
    with transaction.atomic():
        ticket = ticket_create(
            actor=actor,
            title=data["title"],
            kind=data["kind"],
            severity=data["severity"],
            business_system=data["business_system"],
            description=data.get("description", ""),
            hosts=list(data.get("hosts") or []),
            service_item=data.get("service_item"),
            resource=data.get("resource") or "",
            direction=data.get("direction") or "",
            amount_before=data.get("amount_before"),
            amount_after=data.get("amount_after"),
            **(
                {"channel": data["channel"], "requester": data.get("requester"), "reported_at": data["reported_at"]}
                if intake
                else {}
            ),
        )
        for upload in files:
            try:
                ticket_attachment_add(actor=actor, ticket=ticket, name=upload.name, data=upload.read())
            except ValidationFailed as error:
                messages_ = [str(m) for ms in error.fields.values() for m in (ms if isinstance(ms, list) else [ms])]
                raise ValidationFailed(
                    error.message, fields={"attachments": [f"{upload.name}：{m}" for m in messages_ or [error.message]]}
                ) from error
    return ticket


def _submit(request, *, intake: bool):
    if intake and not user_is_provider_staff(request.user):
        raise PermissionDenied
    if not intake and not user_has_role(request.user, Role.REQUESTER, Role.APPROVER):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = TicketSubmitForm(request.POST, request.FILES, user=request.user, intake=intake)
        if form.is_valid():
            try:
                ticket = _create_with_attachments(
                    actor=request.user, data=form.cleaned_data, files=form.cleaned_data.get("attachments") or [], intake=intake
                )
            except DomainError as error:
                page_domain_error(error, form=form)
                status = page_status(error)
            else:
                messages.success(request, _("工单 %(number)s 已提交，SLA 计时已开始。") % {"number": ticket.number})
                return redirect("ticket-detail", ticket.pk)
        if request.FILES:
            # Browsers never refill a file input: say so rather than let the files silently vanish.
            form.add_error("attachments", _("请重新选择附件。"))
    else:
        initial = {"reported_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")} if intake else {}
        form = TicketSubmitForm(user=request.user, intake=intake, initial=initial)
    return render(request, "tickets/ticket_submit.html", {"form": form, "intake": intake}, status=status)


@login_required
def ticket_submit(request):
    return _submit(request, intake=False)


@login_required
def ticket_intake(request):
    return _submit(request, intake=True)
