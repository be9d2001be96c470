"""Home-page panels of the tickets app (core.home): the engineers' and duty leaders' tickets, the
requester's open tickets and what waits for them. Every panel reads the selectors its full page
uses, limited to a few rows. (Approvals and today's changes: changes/home.py.)"""

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core.home import HomePanel

from .models import OPEN_STATUSES, Ticket
from .selectors.tickets import ticket_list_for_user, ticket_queue

ROWS = 6
ENGINEERS = frozenset({Role.ENGINEER, Role.TECH_LEAD, Role.DUTY_LEADER})
LEADERS = frozenset({Role.DUTY_LEADER, Role.TECH_LEAD, Role.PROJECT_MANAGER})
RATE_WITHIN = dt.timedelta(days=30)  # a closed ticket still asks for a rating this long


def _ticket_panel(*, user, now, qs, title, more_url, empty) -> dict:
    from .views.queues import ticket_rows

    tickets = list(qs[:ROWS])
    return {
        "title": title,
        "count": qs.count() if len(tickets) == ROWS else len(tickets),
        "rows": ticket_rows(user=user, tickets=tickets, now=now),
        "more_url": more_url,
        "empty": empty,
    }


def _queue_panel(queue: str, title, empty):
    def build(*, user, now):
        qs = ticket_queue(user=user, queue=queue, now=now, for_rows=True)
        return _ticket_panel(
            user=user, now=now, qs=qs, title=title, empty=empty,
            more_url=reverse("ticket-queue-named", args=[queue]),
        )

    return build


def _requester_open(*, user, now):
    qs = (
        ticket_list_for_user(user=user, for_rows=True)
        .filter(requester=user, status__in=OPEN_STATUSES)
        .order_by("-reported_at", "-pk")
    )
    return _ticket_panel(
        user=user, now=now, qs=qs, title=_("我的未完成工单"), empty=_("您没有未完成的工单。"),
        more_url=reverse("ticket-list") + "?status=open",
    )


def waiting_for_requester(*, user, now: dt.datetime):
    """The requester's tickets that wait for them: a question to answer (待用户反馈), a resolution to
    confirm (已解决), a closed ticket to rate (within RATE_WITHIN of closing)."""
    return (
        ticket_list_for_user(user=user)
        .filter(requester=user)
        .filter(
            Q(status=Ticket.Status.PENDING)
            | Q(status=Ticket.Status.RESOLVED)
            | Q(status=Ticket.Status.CLOSED, closed_at__gte=now - RATE_WITHIN, satisfaction__isnull=True)
        )
        .order_by("-updated_at", "-pk")
    )


def _requester_waiting(*, user, now):
    words = {
        Ticket.Status.PENDING: _("请补充信息"),
        Ticket.Status.RESOLVED: _("请确认是否解决"),
        Ticket.Status.CLOSED: _("请评价"),
    }
    tickets = list(waiting_for_requester(user=user, now=now)[:ROWS])
    return {
        "title": _("等您处理"),
        "items": [
            {"url": reverse("ticket-detail", args=[t.pk]), "number": t.number, "title": t.title, "what": words[t.status]}
            for t in tickets
        ],
        "empty": _("没有等您处理的事项。"),
    }


HOME_PANELS = (
    HomePanel("tickets-mine", "tickets/home/_tickets.html", _queue_panel("mine", _("我的工单（按剩余时间）"), _("您名下没有未完成的工单。")),
              roles=frozenset({Role.ENGINEER, Role.TECH_LEAD}), order=10, wide=True),
    HomePanel("tickets-breaching", "tickets/home/_tickets.html", _queue_panel("breaching", _("即将超时"), _("没有计时中的工单。")),
              roles=LEADERS, order=5, wide=True),
    HomePanel("tickets-unassigned", "tickets/home/_tickets.html", _queue_panel("unassigned", _("待认领"), _("没有待认领的工单。")),
              roles=ENGINEERS, order=20, wide=True),
    HomePanel("tickets-requester-open", "tickets/home/_tickets.html", _requester_open,
              roles=frozenset({Role.REQUESTER}), order=20, wide=True),
    HomePanel("tickets-requester-waiting", "tickets/home/_items.html", _requester_waiting,
              roles=frozenset({Role.REQUESTER}), order=10),
)
