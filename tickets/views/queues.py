"""The organisation's ticket list and the engineers' work queues. The queue body refreshes itself
(htmx polling of the same URL, so the filters in the query string are kept)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from core.exceptions import NotFound
from core.pagination import CappedCountPaginator

from ..forms import TicketFilterForm
from ..selectors.sla import sla_working_days_for, ticket_sla
from ..selectors.tickets import QUEUES, ticket_filter, ticket_list_for_user, ticket_queue
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


def ticket_rows(*, user, tickets, now) -> list[dict]:
    """Rows for a page of tickets: SLA figures from the one SLA function, the in-place actions the
    transition table allows. No query per ticket (clocks are prefetched, one calendar cache)."""
    days = sla_working_days_for(tickets, now=now)
    rows = []
    for ticket in tickets:
        clocks = sla_for_page(ticket_sla(ticket, now=now, days=days))
        allowed = ticket_actions_for(user=user, ticket=ticket)
        rows.append({
            "ticket": ticket,
            "url": reverse("ticket-detail", args=[ticket.pk]),
            "clocks": clocks,
            # What a row shows: the clocks still running (or paused), and any that breached.
            "live_clocks": [c for c in clocks if c.get("stopped_at") is None or c.get("breached")],
            "headline": sla_headline(clocks),
            "row_actions": [(a, reverse("ticket-action", args=[ticket.pk, a])) for a in ROW_ACTIONS if a in allowed],
        })
    return rows


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _render_list(request, *, template: str, qs, form, context: dict):
    now = timezone.now()
    filters = form.filters()
    qs = ticket_filter(qs, now=now, **filters)
    page = CappedCountPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(
        form=form,
        page=page,
        rows=ticket_rows(user=request.user, tickets=page.object_list, now=now),
        query=_query_without_page(request),
        more_filters_active=bool(set(filters) - {"search", "kind", "severity", "status"}) or bool(form.errors),
        now=now,
        **viewer_flags(request.user),
    )
    if request.htmx:
        response = render(request, "tickets/_ticket_table.html", context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def ticket_list(request):
    """工单列表: every ticket the user may see (purchaser staff: their organisation's), newest first."""
    flags = viewer_flags(request.user)
    form = TicketFilterForm(request.GET or None, user=request.user, staff_filters=flags["sees_internal"])
    qs = ticket_list_for_user(user=request.user, for_rows=True).order_by("-reported_at", "-pk")
    return _render_list(request, template="tickets/ticket_list.html", qs=qs, form=form, context={"poll": False})


@login_required
def ticket_queue_page(request, queue: str = "unassigned"):
    """工作队列 of provider staff (auditors read them too)."""
    flags = viewer_flags(request.user)
    if not flags["sees_internal"]:
        raise PermissionDenied
    if queue not in QUEUES:
        raise Http404
    now = timezone.now()
    try:
        qs = ticket_queue(user=request.user, queue=queue, now=now, for_rows=True)
    except NotFound as error:
        raise Http404 from error
    form = TicketFilterForm(request.GET or None, user=request.user, staff_filters=True)
    tabs = [{"code": code, "label": QUEUE_LABELS[code], "current": code == queue} for code in QUEUES]
    return _render_list(
        request, template="tickets/queue.html", qs=qs, form=form,
        context={"queue": queue, "queue_label": QUEUE_LABELS[queue], "tabs": tabs, "poll": True, "in_queue": True},
    )
