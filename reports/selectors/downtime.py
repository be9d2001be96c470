"""The downtime report (宕机报告, 8.2.12) of one P1 ticket: timeline, outage, targets, sign-off."""

import datetime as dt
from typing import Any

from django.db.models import Prefetch

from changes.selectors import planned_parts_for_records

from .kpis import RESTORE_TARGET_MINUTES


def downtime_report_data(*, ticket_id: int, now: dt.datetime) -> dict[str, Any]:
    """Caller has checked that the user may read the ticket. Five queries, one or two more for the
    planned-maintenance part of its outages (changes.selectors, 8.2.8)."""
    from tickets.models import DowntimeRecord, SlaClock, Ticket, TicketEvent

    ticket = (
        Ticket.objects.select_related("business_system", "organization", "requester", "assignee", "recorded_by")
        .prefetch_related(
            Prefetch("clocks", queryset=SlaClock.objects.order_by("pk")),
            Prefetch("events", queryset=TicketEvent.objects.select_related("actor").order_by("at", "pk")),
            Prefetch("downtimes", queryset=DowntimeRecord.objects.select_related("business_system").order_by("start", "pk")),
        )
        .get(pk=ticket_id)
    )
    downtimes = list(ticket.downtimes.all())
    planned = planned_parts_for_records(records=downtimes, now=now)
    rows = []
    for d in downtimes:
        part = planned.get(d.pk)
        total = ((d.end or now) - d.start).total_seconds() / 60
        rows.append({
            "record": d,
            "minutes": total,
            "planned_minutes": part.minutes if part else 0.0,
            "unplanned_minutes": max(0.0, total - (part.minutes if part else 0.0)),
            "changes": "、".join(part.change_numbers) if part else "",
        })
    outage = sum(r["unplanned_minutes"] for r in rows)
    ongoing = any(d.end is None for d in downtimes)
    clocks = []
    for c in ticket.clocks.all():
        if c.stopped_at is not None:
            state = "breached" if c.breached else "met"
        elif c.breached or (c.due_at is not None and c.due_at < now):
            state = "breached"
        else:
            state = "running"
        clocks.append({"clock": c, "state": state})
    from tickets.models import Contract

    labels = dict(Ticket.Status.choices)
    contract = Contract.objects.select_related("purchaser", "provider").filter(purchaser_id=ticket.organization_id).first()
    return {
        "ticket": ticket,
        "contract": contract,
        "events": [
            {"event": e, "from": labels.get(e.from_status, e.from_status), "to": labels.get(e.to_status, e.to_status)}
            for e in ticket.events.all()
        ],
        "downtimes": rows,
        "outage_minutes": outage,
        "ongoing": ongoing,
        "clocks": clocks,
        "restore_target_minutes": RESTORE_TARGET_MINUTES,
        "targets_met": bool(clocks) and all(c["state"] == "met" for c in clocks),
        "now": now,
        # The narrative provider staff write on the ticket (blank lines to fill in by hand otherwise).
        "impact": ticket.outage_impact,
        "root_cause": ticket.root_cause,
        "actions_taken": ticket.actions_taken or ticket.resolution,
        "prevention": ticket.prevention,
    }


def downtime_report_pdf_for_user(*, user, ticket_id: int, now: dt.datetime) -> tuple[bytes, str]:
    """The downtime report of a P1 ticket the user may read (another organisation's ticket, or a ticket
    that is not P1, is a 404; requesters get 403 like every report)."""
    from accounts.selectors import user_sees_all_tenants, user_tenant_id
    from core.exceptions import NotFound
    from tickets.models import Ticket

    from ..pdf import render_pdf
    from .access import _require_reader

    _require_reader(user)
    qs = Ticket.objects.filter(pk=ticket_id, severity="P1")
    if not user_sees_all_tenants(user):
        qs = qs.filter(organization_id=user_tenant_id(user))
    number = qs.values_list("number", flat=True).first()
    if number is None:
        raise NotFound()
    return render_pdf("reports/pdf/downtime.html", downtime_report_data(ticket_id=ticket_id, now=now)), number
