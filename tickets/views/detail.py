"""The ticket page and its actions. Only the actions `ticket_actions_for` allows are offered; every
action posts to one view that runs it through tickets.services.actions (the dispatcher the API uses
too). A service error is shown on the page as a Chinese message with the user's input kept (never a
500); from a queue row (htmx) the refreshed row comes back, with the message in it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.exceptions import DomainError, NotFound, ValidationFailed, page_domain_error, page_status
from core.uploads import attachment_download
from roster.selectors.calendar import WorkingDays

from ..forms import (
    ACTION_FORMS,
    AttachmentForm,
    CommentForm,
    DowntimeCorrectForm,
    DowntimeReportForm,
)
from ..models import Ticket
from ..selectors.downtime import downtime_planned_parts
from ..selectors.links import ticket_links_for
from ..selectors.sla import ticket_sla
from ..selectors.tickets import (
    downtime_list,
    ticket_attachment_get_for_user,
    ticket_attachment_list,
    ticket_comment_list,
    ticket_event_list,
    ticket_get_for_user,
)
from ..services.actions import TICKET_ACTIONS, ticket_action_name, ticket_action_run
from ..services.transitions import TRANSITIONS, ticket_actions_for
from .common import sla_for_page, viewer_flags
from .queues import ticket_rows


def _service_input(request, ticket: Ticket, action: str, cleaned: dict) -> dict:
    """The form's cleaned data as the service's keyword arguments (tickets.services.actions runs it):
    an uploaded file as its name and bytes, a downtime record's id as the record the user may see."""
    data = dict(cleaned)
    if action == "attach":
        upload = data.pop("file")
        data.update(name=upload.name, data=upload.read())
    elif action == "downtime":
        data["record"] = downtime_list(user=request.user, ticket=ticket).filter(pk=data["record"]).first()
        if data["record"] is None:
            raise NotFound(_("停机记录不存在"))
    return data


DONE_MESSAGES = {
    "acknowledge": gettext_lazy("已响应，响应时钟已停止。"),
    "claim": gettext_lazy("已认领，您是该工单的处理人。"),
    "start": gettext_lazy("已开始处理。"),
    "close": gettext_lazy("工单已确认关闭。"),
    "pend": gettext_lazy("已转为待用户反馈。"),
    "resume": gettext_lazy("已恢复处理。"),
    "locate": gettext_lazy("已记录定位。"),
    "resolve": gettext_lazy("已解决。"),
    "reopen": gettext_lazy("工单已重新打开。"),
    "cancel": gettext_lazy("工单已取消。"),
    "merge": gettext_lazy("已合并为重复工单。"),
    "merge_requested": gettext_lazy("合并申请已提交，采购人确认后生效；在此之前工单照常计时。"),
    "cancel_requested": gettext_lazy("取消申请已提交，采购人确认后工单才会取消；在此之前工单照常计时。"),
    "assign": gettext_lazy("已指派。"),
    "mark_major": gettext_lazy("已认定为重大责任安全事件。"),
    "mark_major_requested": gettext_lazy("重大责任安全事件认定已提交，采购人审批人确认后才计入指标。"),
    "regrade": gettext_lazy("级别已调整。"),
    "regrade_requested": gettext_lazy("降级申请已提交，采购人审批人确认前工单仍按原级别计时和统计。"),
    "rate": gettext_lazy("感谢您的评价。"),
    "comment": gettext_lazy("评论已发表。"),
    "attach": gettext_lazy("附件已上传。"),
    "downtime": gettext_lazy("停机记录已更正。"),
    "downtime_report": gettext_lazy("宕机报告内容已保存。"),
}


class _DowntimeForm(DowntimeCorrectForm):
    record = forms.IntegerField(widget=forms.HiddenInput)


def _form_for(action: str, *, staff: bool, data=None, files=None):
    if action == "comment":
        return CommentForm(data, staff=staff)
    if action == "attach":
        return AttachmentForm(data, files, staff=staff)
    if action == "downtime":
        return _DowntimeForm(data)
    if action == "downtime_report":
        return DowntimeReportForm(data)
    form_class = ACTION_FORMS.get(action)
    return form_class(data) if form_class else None


def _load(request, pk: int, *, people: bool = True) -> Ticket:
    try:
        return ticket_get_for_user(user=request.user, ticket_id=pk, people=people)
    except NotFound as error:
        raise Http404(str(error.message)) from error


def _detail_context(request, ticket: Ticket, *, bound: dict | None = None, error_action: str | None = None) -> dict:
    """Everything the ticket page shows; `bound` replaces the blank form of the action that failed."""
    now = timezone.now()
    flags = viewer_flags(request.user)
    allowed = ticket_actions_for(user=request.user, ticket=ticket)
    action_forms = {}
    # Cancelling (irreversible) is offered last, never as the first thing a requester sees on a new ticket.
    for action in sorted(allowed, key=lambda name: name == "cancel"):
        if action in ("update", "downtime"):
            continue
        action_forms[action] = _form_for(action, staff=flags["is_staff"])
    if bound:
        # The failed transition's form (kept even if the action is no longer offered, to keep the input);
        # the downtime forms are placed by their own section.
        action_forms.update({key: form for key, form in bound.items() if not key.startswith("downtime")})
    downtimes = list(downtime_list(user=request.user, ticket=ticket))
    planned = downtime_planned_parts(records=downtimes, now=now)  # computed from approved changes (8.2.8)
    downtime_forms = []
    if "downtime" in allowed:
        for record in downtimes:
            form = (bound or {}).get(f"downtime-{record.pk}") or _DowntimeForm(initial={"record": record.pk})
            downtime_forms.append((record, form, planned.get(record.pk)))
    else:
        downtime_forms = [(record, None, planned.get(record.pk)) for record in downtimes]
    report_form = None
    if "downtime" in allowed and downtimes:
        report_form = (bound or {}).get("downtime_report") or DowntimeReportForm(
            initial={name: getattr(ticket, name) for name in DowntimeReportForm.base_fields}
        )
    return {
        "ticket": ticket,
        "clocks": sla_for_page(ticket_sla(ticket, now=now, days=WorkingDays())),
        "allowed": allowed,
        "action_forms": action_forms,
        "action_labels": TRANSITIONS.labels(),
        "comments": list(ticket_comment_list(user=request.user, ticket=ticket)),
        "attachments": list(ticket_attachment_list(user=request.user, ticket=ticket)),
        "events": list(ticket_event_list(user=request.user, ticket=ticket)),
        "downtimes": downtime_forms,
        "downtime_report_form": report_form,
        "ticket_links": ticket_links_for(user=request.user, ticket=ticket),
        "error_action": error_action,
        "now": now,
        **flags,
    }


@login_required
def ticket_detail(request, pk: int):
    ticket = _load(request, pk)
    return render(request, "tickets/ticket_detail.html", _detail_context(request, ticket))


def _row_response(request, ticket_id: int, *, message: str, ok: bool):
    """The refreshed queue row after an in-place action (re-read, so it shows the winner of a race)."""
    ticket = _load(request, ticket_id, people=False)  # a row names neither requester nor recorder
    now = timezone.now()
    row = ticket_rows(user=request.user, tickets=[ticket], now=now)[0]
    return render(
        request, "tickets/_ticket_row.html",
        {"row": row, "now": now, "row_message": message, "row_ok": ok, "in_queue": True, **viewer_flags(request.user)},
    )


@require_POST
@login_required
def ticket_action(request, pk: int, action: str):
    action = ticket_action_name(action)
    if action not in TICKET_ACTIONS:
        raise Http404
    ticket = _load(request, pk, people=False)  # a refusal re-reads it for the page
    flags = viewer_flags(request.user)
    form = _form_for(action, staff=flags["is_staff"], data=request.POST, files=request.FILES)
    words = ""
    action_done = action
    if form is not None and not form.is_valid():
        error = ValidationFailed()
        words = str(error.message)
    else:
        try:
            data = _service_input(request, ticket, action, form.cleaned_data if form is not None else {})
            result = ticket_action_run(action=action, actor=request.user, ticket=ticket, **data)
        except DomainError as caught:
            error = caught
            # fields beside the form's inputs, the rest once in the page's alert (not again in the form)
            words = page_domain_error(caught, form=form, words_on_form=False)
        else:
            error = None
            if getattr(result, "state", None) == "requested":  # an exclusion waiting for the purchaser
                action_done = f"{action}_requested"
    if request.htmx:
        # A queue row: always answer with the row (htmx swaps 2xx), the outcome in words.
        message = str(DONE_MESSAGES[action_done]) if error is None else words
        return _row_response(request, pk, message=message, ok=error is None)
    if error is None:
        messages.success(request, DONE_MESSAGES[action_done])
        return redirect("ticket-detail", pk)
    if isinstance(error, NotFound):
        raise Http404(str(error.message))
    # Re-read: the state may have moved (that is often why the action was refused).
    ticket = _load(request, pk)
    key = f"downtime-{request.POST.get('record')}" if action == "downtime" else action
    context = _detail_context(request, ticket, bound={key: form} if form is not None else None, error_action=action)
    context["error_message"] = words
    return render(request, "tickets/ticket_detail.html", context, status=page_status(error))


@login_required
def ticket_attachment_download(request, pk: int, attachment_id: int):
    """Attachments leave only through this access-checked view, always as a download (the same
    core.uploads.attachment_download as the API's)."""
    try:
        attachment = ticket_attachment_get_for_user(user=request.user, ticket_id=pk, attachment_id=attachment_id)
        return attachment_download(
            actor=request.user, obj=attachment, filename=attachment.original_name,
            content_type=attachment.content_type, detail=f"工单附件 {attachment.original_name}",
        )
    except NotFound as error:
        raise Http404(str(error.message)) from error
