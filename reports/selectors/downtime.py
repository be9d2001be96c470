"""The downtime report (宕机报告, 8.2.12) of one P1 ticket: timeline, outage, targets, sign-off. The data
comes from tickets.selectors.reporting; this module applies the reports' access rule and renders."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.selectors import user_sees_all_tenants, user_tenant_id
from core.exceptions import NotFound
from tickets.selectors import reporting as tickets_reporting
from tickets.selectors.links import TicketLink

from .access import require_report_reader, user_may_read_reports


def downtime_report_data(*, ticket_id: int, now: dt.datetime) -> dict[str, Any]:
    """Caller has checked that the user may read the ticket. Five queries."""
    return tickets_reporting.downtime_report_data(ticket_id=ticket_id, now=now)


def downtime_report_pdf_for_user(*, user, ticket_id: int, now: dt.datetime) -> tuple[bytes, str]:
    """The downtime report of a P1 ticket the user may read (another organisation's ticket, or a ticket
    that is not P1, is a 404; requesters get 403 like every report)."""
    from ..pdf import render_pdf  # WeasyPrint loads on the first PDF, not with the URL conf

    require_report_reader(user)
    organization_id = None if user_sees_all_tenants(user) else user_tenant_id(user)
    number = tickets_reporting.downtime_report_number(ticket_id=ticket_id, organization_id=organization_id)
    if number is None:
        raise NotFound()
    return render_pdf("reports/pdf/downtime.html", downtime_report_data(ticket_id=ticket_id, now=now)), number


def downtime_report_link(*, user, ticket) -> TicketLink | None:
    """The ticket page's link to the downtime report, for a P1 ticket and a user who may read reports
    (registered with tickets.selectors.links in ReportsConfig.ready). No query (roles are cached)."""
    if not tickets_reporting.ticket_has_downtime_report(ticket) or not user_may_read_reports(user):
        return None
    return TicketLink(label=_("下载宕机报告（PDF）"), url=reverse("api-ticket-downtime-report", args=[ticket.pk]), download=True)
