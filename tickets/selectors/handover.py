"""Open tickets the outgoing shift hands over (交接班). The roster's handover page asks this through
roster.selectors.handover's registry (TicketsConfig.ready), so the roster itself never imports tickets.

Which tickets: the leader on duty (带班领导) of the shift — and a duty leader or project manager
handing over for the shift — hands over the whole desk: every open ticket. Anyone else on the shift
hands over what their shift owns: open tickets assigned to any person on that shift, plus open
tickets nobody has claimed yet (no one owns them, so the next shift must pick them up). Tickets
assigned to people who are not on the shift are theirs to hand over, not this shift's.

Most urgent first (earliest next due time, tickets without a running clock last), at most
HANDOVER_MAX_ITEMS rows. `remaining_minutes` is the smallest remaining time of the ticket's clocks
that still run or are paused, from the one SLA function; negative once breached, None when no clock
runs."""

import datetime as dt

from django.db.models import F, Prefetch, Q
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_is_manager
from roster.selectors.calendar import WorkingDays
from roster.selectors.duty import shift_people

from ..models import ClockName, SlaClock, Ticket
from .sla import sla_clock_figures
from .tickets import OPEN_STATUSES, ticket_list_for_user

HANDOVER_MAX_ITEMS = 200
CLOCK_LABELS = {ClockName.RESPONSE: "响应", ClockName.RESOLVE: "解决", ClockName.RESTORE: "恢复"}


def handover_open_tickets(*, user: User, shift) -> list[Ticket]:
    """The open tickets `user` hands over at the end of `shift` (see the module docstring). Three
    queries whatever the number of tickets (shift seats, tickets, their clocks)."""
    people = shift_people(shift_id=shift.pk)
    whole_desk = people.get(user.pk) == "leader" or user_is_manager(user)
    qs = (
        ticket_list_for_user(user=user, for_display=False)
        .filter(status__in=OPEN_STATUSES)
        .prefetch_related(Prefetch("clocks", queryset=SlaClock.objects.order_by("pk")))
    )
    if not whole_desk:
        qs = qs.filter(Q(assignee__isnull=True) | Q(assignee_id__in=list(people)))
    return list(qs.order_by(F("next_due_at").asc(nulls_last=True), "reported_at", "pk")[:HANDOVER_MAX_ITEMS])


def handover_open_items(*, user: User, shift, now: dt.datetime | None = None) -> list[dict]:
    """Rows {ticket, title, remaining_minutes, note} for roster's handover (the callable named by
    registered with roster.selectors.handover)."""
    now = now or timezone.now()
    days = WorkingDays()
    rows = []
    for ticket in handover_open_tickets(user=user, shift=shift):
        running = [
            sla_clock_figures(clock, now=now, days=days) for clock in ticket.clocks.all() if clock.stopped_at is None
        ]
        known = [f for f in running if f["remaining_minutes"] is not None]
        tightest = min(known, key=lambda f: f["remaining_minutes"]) if known else None
        note = [ticket.get_severity_display(), ticket.get_status_display()]
        note.append(ticket.assignee.display_name if ticket.assignee_id else "未认领")
        if tightest is not None:
            state = {"paused": "已暂停", "breached": "已超时"}.get(tightest["state"], "计时中")
            note.append(f"{CLOCK_LABELS.get(tightest['name'], tightest['name'])}时限{state}")
        rows.append(
            {
                "ticket": ticket.number,
                "title": ticket.title,
                "remaining_minutes": tightest["remaining_minutes"] if tightest else None,
                "note": "，".join(note),
            }
        )
    return rows
