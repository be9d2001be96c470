"""Reads of tickets with the access rule applied once: purchaser staff see their organisation's tickets
(anything else is 404), provider staff and the provider's auditors see all (user_sees_all_tenants). Internal comments and attachments are
for provider staff (and auditors) only."""

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_is_auditor, user_is_provider_staff, user_sees_all_tenants, user_tenant_id
from core.exceptions import NotFound

from ..models import (
    OPEN_STATUSES,
    DowntimeRecord,
    Host,
    SatisfactionFollowUp,
    SlaClock,
    Ticket,
    TicketAttachment,
    TicketComment,
    TicketEvent,
)
from .exclusions import kpi_ticket_q
from .sla import clock_state_q, sla_due_passed_q

QUEUES = ("unassigned", "mine", "team", "breaching", "open")


def _sees_internal(user: User) -> bool:
    return user_is_provider_staff(user) or user_is_auditor(user)


def ticket_row_queryset() -> QuerySet[Ticket]:
    """What a row of a queue or list page shows: system, assignee, rating (for the actions) and the
    clocks. Not the requester, recorder nor hosts, which only the API and the ticket page show: three
    queries fewer per page."""
    return Ticket.objects.select_related("business_system", "assignee", "satisfaction").prefetch_related(
        Prefetch("clocks", queryset=SlaClock.objects.order_by("pk"), to_attr="prefetched_clocks"),
    )


# The columns a row reads (tickets/apis.ticket_row_data, the queue rows, the home panels, the transition
# table's rules and guards): a page of rows no longer reads every ticket's description, resolution and
# report texts, nor the assignee's password hash. Reading any other column of a row's ticket would cost
# a query per row: the list, queue and home pages' and the API's query counts are asserted constant.
ROW_COLUMNS = (
    "number", "title", "kind", "severity", "status", "business_system", "organization", "assignee", "reported_at",
    "major_incident", "next_due_at", "updated_at",
    "business_system__name", "assignee__real_name", "assignee__username", "satisfaction__id",
)


def ticket_base_queryset() -> QuerySet[Ticket]:
    """select_related and prefetches every list and page needs, so the number of queries does not
    grow with the number of tickets.

    Joined: only what a queue row shows (system, assignee) and the rating. Each further join multiplies
    PostgreSQL's planning: the page of 25 with seven joins took 90 ms to plan and 1 ms to run (1M
    tickets); with three, 1.3 ms to plan. The requester and recorder come in one query each instead;
    organisation and service item are read where a page shows their names (one ticket at a time)."""
    return ticket_row_queryset().prefetch_related(
        "requester", "recorded_by",
        Prefetch("hosts", queryset=Host.objects.order_by(), to_attr="prefetched_hosts"),  # host_list() sorts
    )


def ticket_detail_queryset() -> QuerySet[Ticket]:
    """One ticket with everything the API and the ticket page show but its people (ticket_get_for_user
    reads the requester and the recorder in one query after it): as ticket_base_queryset, with the
    organisation joined (the ticket page names the purchaser). Every join of the single-row read costs
    PostgreSQL planning: with the requester and recorder joined too (seven tables) the plan took 1.0 ms
    and the read 2.7 ms; joined as here and the two people read by their ids, 1.2 ms less (bench/README.md)."""
    return ticket_row_queryset().select_related("organization").prefetch_related(
        Prefetch("hosts", queryset=Host.objects.order_by(), to_attr="prefetched_hosts"),
    )


def _people_attach(ticket: Ticket) -> Ticket:
    """The ticket's requester and recorder, read in one query and set as if they had been joined."""
    ids = {ticket.requester_id, ticket.recorded_by_id} - {None}
    people = User.objects.order_by().in_bulk(ids) if ids else {}
    for field in (Ticket.requester.field, Ticket.recorded_by.field):
        field.set_cached_value(ticket, people.get(getattr(ticket, field.attname)))
    return ticket


def _visible(qs: QuerySet[Ticket], user: User) -> QuerySet[Ticket]:
    """The access rule, applied once: everything for those who see all tenants, else the user's
    organisation's tickets (none without one)."""
    if user_sees_all_tenants(user):
        return qs
    tenant = user_tenant_id(user)
    if tenant is None:
        return qs.none()
    return qs.filter(organization_id=tenant)


def ticket_list_for_user(*, user: User, for_display: bool = True, for_rows: bool = False) -> QuerySet[Ticket]:
    """Tickets `user` may see. `for_display=False` skips the prefetches (access checks, sub-lists);
    `for_rows=True` reads what a page's rows show (ticket_row_queryset)."""
    if for_rows:
        qs = ticket_row_queryset().only(*ROW_COLUMNS)
    elif for_display:
        qs = ticket_base_queryset()
    else:
        qs = Ticket.objects.select_related("business_system", "assignee", "requester")
    return _visible(qs, user)


def ticket_get_for_user(*, user: User, ticket_id: int, for_display: bool = True, people: bool = True) -> Ticket:
    """The ticket, or NotFound when it does not exist or belongs to another organisation. `people=False`:
    without reading its requester and recorder ahead (an action that re-reads the ticket to answer;
    read on first use otherwise)."""
    qs = _visible(ticket_detail_queryset(), user) if for_display else ticket_list_for_user(user=user, for_display=False)
    try:
        ticket = qs.get(pk=ticket_id)
    except (Ticket.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("工单不存在")) from exc
    return _people_attach(ticket) if for_display and people else ticket


def ticket_filter(
    qs: QuerySet[Ticket],
    *,
    kind: list[str] | str | None = None,
    severity: str | None = None,
    business_system: int | None = None,
    organization: int | None = None,
    status: list[str] | str | None = None,
    exclude_cancelled: bool = False,
    assignee: int | None = None,
    breached: bool | None = None,
    reported_from: dt.date | None = None,
    reported_to: dt.date | None = None,
    search: str | None = None,
    clock: str | None = None,
    clock_state: str | None = None,
    major_incident: bool | None = None,
    rating: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Ticket]:
    """The queue filters. `breached`: a clock stopped breached, or a running one past its due time
    (needs `now`). Dates are local (Asia/Shanghai) and inclusive.

    The reports' KPI links use the rest: `clock` (a clock name the ticket has) with `clock_state`
    ("counted", "missed", "unstopped": the KPI's own conditions, tickets.selectors.sla.clock_state_q,
    needs `now`), `organization` (purchaser tenant), `exclude_cancelled`, `major_incident`, and
    `rating` ("rated", "satisfied" = 4–5, "unsatisfied" = 1–3)."""
    if kind:
        qs = qs.filter(kind__in=[kind] if isinstance(kind, str) else list(kind))
    if organization:
        qs = qs.filter(organization_id=organization)
    if exclude_cancelled:
        qs = qs.filter(kpi_ticket_q())  # the figures' rule: out only with the purchaser's consent
    if clock:
        clocks = SlaClock.objects.filter(ticket=OuterRef("pk"), name=clock)
        if clock_state:
            clocks = clocks.filter(clock_state_q(clock_state, now=now or timezone.now()))
        qs = qs.filter(Exists(clocks))
    if major_incident is not None:
        qs = qs.filter(major_incident=major_incident)
    if rating == "rated":
        qs = qs.filter(satisfaction__isnull=False)
    elif rating == "satisfied":
        qs = qs.filter(satisfaction__score__gte=4)
    elif rating == "unsatisfied":
        qs = qs.filter(satisfaction__score__lte=3)
    if severity:
        qs = qs.filter(severity=severity)
    if business_system:
        qs = qs.filter(business_system_id=business_system)
    if status:
        qs = qs.filter(status__in=[status] if isinstance(status, str) else list(status))
    if assignee:
        qs = qs.filter(assignee_id=assignee)
    if reported_from:
        qs = qs.filter(reported_at__date__gte=reported_from)
    if reported_to:
        qs = qs.filter(reported_at__date__lte=reported_to)
    if breached is not None:
        over = Q(clocks__breached=True)
        if now is not None:
            over |= Q(clocks__stopped_at__isnull=True, clocks__paused_at__isnull=True) & sla_due_passed_q(now, "clocks__")
        matching = Ticket.objects.filter(over).values("pk")
        qs = qs.filter(pk__in=matching) if breached else qs.exclude(pk__in=matching)
    if search:
        term = search.strip()
        qs = qs.filter(
            Q(number__icontains=term) | Q(title__icontains=term) | Q(description__icontains=term)
            | Q(business_system__name__icontains=term)
        )
    return qs


def ticket_queue(*, user: User, queue: str, now: dt.datetime, for_rows: bool = False) -> QuerySet[Ticket]:
    """unassigned, mine, team (the provider's open tickets assigned to anyone), breaching (running
    clocks, soonest due first), open. Provider staff and auditors only; others get their organisation's
    open tickets. `for_rows`: as ticket_list_for_user."""
    if queue not in QUEUES:
        raise NotFound("队列不存在")
    qs = ticket_list_for_user(user=user, for_rows=for_rows).filter(status__in=OPEN_STATUSES)
    if queue == "unassigned":
        return qs.filter(assignee__isnull=True).order_by("next_due_at", "reported_at", "pk")
    if queue == "mine":
        return qs.filter(assignee=user).order_by("next_due_at", "reported_at", "pk")
    if queue == "team":
        return qs.filter(assignee__isnull=False).order_by("assignee_id", "next_due_at", "pk")
    if queue == "breaching":
        return qs.filter(next_due_at__isnull=False).order_by("next_due_at", "pk")
    return qs.order_by("-reported_at", "-pk")


def ticket_event_list(*, user: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The timeline. Purchaser staff do not see internal comments' events nor escalation notes.

    Events without an "internal" key are public: `exclude(data__internal=True)` would drop them too
    (NOT (NULL = true) is NULL, not true), so the rule is spelled as "no such key, or false"."""
    qs = TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("at", "pk")
    return qs if _sees_internal(user) else qs.filter(public_event_q())


def public_event_q() -> Q:
    """The timeline events the purchaser sees: neither the provider's escalation notices (【SLA 预警】,
    【SLA 超时】) nor the events of internal comments and attachments. The one rule for the ticket page,
    the API and the customer documents (the downtime report)."""
    return ~Q(kind=TicketEvent.Kind.SLA_ESCALATED) & (~Q(data__has_key="internal") | Q(data__internal=False))


def ticket_comment_list(*, user: User, ticket: Ticket) -> QuerySet[TicketComment]:
    qs = TicketComment.objects.filter(ticket=ticket).select_related("author").order_by("created_at", "pk")
    return qs if _sees_internal(user) else qs.filter(internal=False)


def ticket_attachment_list(*, user: User, ticket: Ticket) -> QuerySet[TicketAttachment]:
    qs = TicketAttachment.objects.filter(ticket=ticket).select_related("uploaded_by").order_by("uploaded_at", "pk")
    return qs if _sees_internal(user) else qs.filter(internal=False)


def ticket_attachment_get_for_user(*, user: User, ticket_id: int, attachment_id: int) -> TicketAttachment:
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id, for_display=False)
    attachment = ticket_attachment_list(user=user, ticket=ticket).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("附件不存在")
    return attachment


def downtime_list(*, user: User, ticket: Ticket | None = None) -> QuerySet[DowntimeRecord]:
    """Outage records the user may see; one ticket's through its own manager, which sets that ticket on
    each record (the caller has read it: no join, no query when a record's ticket is used)."""
    if ticket is not None:
        return ticket.downtimes.select_related("business_system").order_by("-start", "-pk")
    qs = DowntimeRecord.objects.select_related("business_system", "ticket").order_by("-start", "-pk")
    if user_sees_all_tenants(user):
        return qs
    return qs.filter(business_system__organization_id=user_tenant_id(user))


def follow_up_list(*, user: User, status: str | None = None) -> QuerySet[SatisfactionFollowUp]:
    """Satisfaction follow-ups (provider staff and auditors)."""
    if not _sees_internal(user):
        return SatisfactionFollowUp.objects.none()
    qs = SatisfactionFollowUp.objects.select_related("ticket", "rating", "closed_by").order_by("-created_at", "-pk")
    if not user_sees_all_tenants(user):  # a purchaser's auditor: that purchaser's tickets only
        qs = qs.filter(ticket__organization_id=user_tenant_id(user))
    return qs.filter(status=status) if status else qs


def ticket_is_open(ticket: Ticket) -> bool:
    """Still being worked on (not resolved, closed or cancelled): apps that open tickets for a cause
    (routine's backup watch) add to an open one instead of opening another."""
    return ticket.status in OPEN_STATUSES
