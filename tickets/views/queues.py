"""The organisation's ticket list and the engineers' work queues. The queue body refreshes itself
(htmx polling of the same URL, so the filters in the query string are kept)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from accounts.selectors import user_is_manager
from core.exceptions import ValidationFailed, domain_error_text
from core.pagination import CappedCountPaginator

from ..forms import SavedViewForm, TicketBulkForm
from ..listing import (
    EXPORT_FORMATS,
    ticket_export_response,
    ticket_list_filtered,
    ticket_list_query,
    ticket_list_url,
)
from ..selectors.saved_views import saved_view_list_for_user
from ..selectors.sla import sla_working_days_for, ticket_sla
from ..selectors.tickets import QUEUES
from ..services.transitions import ticket_actions_for
from .common import sla_for_page, sla_headline, viewer_flags

# 25 rows a page, as the API's default page: a screen and a half of work, and the page stays fast.
PAGE_SIZE = 25
QUEUE_LABELS = {
    "unassigned": _("待认领"),
    "mine": _("我的工单"),
    "team": _("团队处理中"),
    "breaching": _("即将超时"),
    "open": _("全部未完成"),
}
# Actions a queue row offers in place (no input needed); the rest are on the ticket page.
ROW_ACTIONS = ("claim", "acknowledge", "start")


_PK_MARK = 987654321987  # stands for a ticket id in a reversed URL, replaced per row


def _url_pattern(name: str, *args) -> tuple[str, str]:
    """The URL of `name` for ticket id _PK_MARK, split where the id goes: a page of rows reversed the same
    two or three URLs per row (~100 reverse() calls a page); joining the halves gives what reverse() would."""
    head, _mark, tail = reverse(name, args=[_PK_MARK, *args]).partition(str(_PK_MARK))
    return head, tail


def ticket_rows(*, user, tickets, now) -> list[dict]:
    """Rows for a page of tickets: SLA figures from the one SLA function, the in-place actions the
    transition table allows. No query per ticket (clocks are prefetched, one calendar cache)."""
    days = sla_working_days_for(tickets, now=now)
    detail = _url_pattern("ticket-detail")
    actions = {a: _url_pattern("ticket-action", a) for a in ROW_ACTIONS}
    rows = []
    for ticket in tickets:
        clocks = sla_for_page(ticket_sla(ticket, now=now, days=days))
        allowed = ticket_actions_for(user=user, ticket=ticket)
        pk = str(ticket.pk)
        rows.append({
            "ticket": ticket,
            "url": detail[0] + pk + detail[1],
            "clocks": clocks,
            # What a row shows: the clocks still running (or paused), and any that breached.
            "live_clocks": [c for c in clocks if c.get("stopped_at") is None or c.get("breached")],
            "headline": sla_headline(clocks),
            "row_actions": [(a, actions[a][0] + pk + actions[a][1]) for a in ROW_ACTIONS if a in allowed],
        })
    return rows


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _render_list(request, *, template: str, params, context: dict, queue: str | None = None,
                 saved_views: list | None = None):
    """A list or queue page of the tickets that `params` (the query string, with the queue of a queue
    page) selects: tickets.listing's one filter definition, as the export and the API read it."""
    now = timezone.now()
    form, qs = ticket_list_filtered(user=request.user, params=params, now=now, for_rows=True, queue=queue)
    filters = form.filters()
    page = CappedCountPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    export_query = ticket_list_query(params, queue=queue)
    context.update(
        form=form,
        page=page,
        rows=ticket_rows(user=request.user, tickets=page.object_list, now=now),
        query=_query_without_page(request),
        export_links=[(fmt.upper(), reverse("ticket-export", args=[fmt]) + (f"?{export_query}" if export_query else ""))
                      for fmt in EXPORT_FORMATS],
        more_filters_active=bool(set(filters) - {"search", "kind", "severity", "status"}) or bool(form.errors),
        # Rows can be ticked for a bulk assign or comment (duty leaders and the project manager).
        bulk=user_is_manager(request.user),
        now=now,
        **viewer_flags(request.user),
    )
    if request.htmx:
        response = render(request, "tickets/_ticket_table.html", context)
    else:
        if context["bulk"]:
            context["bulk_form"] = TicketBulkForm(auto_id="bulk_%s")  # ids apart from the filters' (assignee)
        views = saved_views if saved_views is not None else list(saved_view_list_for_user(user=request.user))
        for view in views:
            view.url = ticket_list_url(view.query, user=request.user)
        context.update(saved_views=views, saved_view_form=SavedViewForm(initial={"query": export_query}, auto_id="view_%s"),
                       current_query=export_query, saved_default=any(v.is_default for v in views))
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def ticket_list(request):
    """工单列表: every ticket the user may see (purchaser staff: their organisation's), newest first.
    Opened without a query string, it shows the user's default saved view (?view=all: no filter)."""
    views = None
    if not request.GET and not request.htmx:
        views = list(saved_view_list_for_user(user=request.user))
        default = next((v for v in views if v.is_default and v.query), None)
        if default is not None:
            return redirect(ticket_list_url(default.query, user=request.user))
    return _render_list(request, template="tickets/ticket_list.html", params=request.GET, context={"poll": False},
                        saved_views=views)


@login_required
def ticket_export(request, fmt: str):
    """The list as CSV or xlsx, with the list's query string (tickets.listing.ticket_export_response).
    Invalid filters or too long a list: back to the list, which shows why."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    try:
        return ticket_export_response(user=request.user, params=request.GET, fmt=fmt)
    except ValidationFailed as error:
        messages.error(request, domain_error_text(error))
        params = request.GET.copy()
        queue = params.pop("queue", [None])[-1]
        target = reverse("ticket-queue-named", args=[queue]) if queue in QUEUES else reverse("ticket-list")
        return redirect(f"{target}?{params.urlencode()}" if params else target)


@login_required
def ticket_queue_page(request, queue: str = "unassigned"):
    """工作队列 of provider staff (auditors read them too)."""
    flags = viewer_flags(request.user)
    if not flags["sees_internal"]:
        raise PermissionDenied
    if queue not in QUEUES:
        raise Http404
    tabs = [{"code": code, "label": QUEUE_LABELS[code], "current": code == queue} for code in QUEUES]
    return _render_list(
        request, template="tickets/queue.html", params=request.GET, queue=queue,
        context={"queue": queue, "queue_label": QUEUE_LABELS[queue], "tabs": tabs, "poll": True, "in_queue": True},
    )
