"""Reads of the exclusion ledger, and the ONE rule every figure applies to it: an exclusion takes
something out of a figure only while the purchaser has confirmed it (core.consent.consent_counts_q).
Reports, pages and the API ask these functions; nothing else reads Exclusion for a figure."""

import datetime as dt

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_sees_all_tenants, user_tenant_id
from core.consent import consent_counts_q
from core.exceptions import NotFound
from core.querysets import filter_given

from ..models import DOWNTIME_EXCLUSION_KINDS, TICKET_EXCLUSION_KINDS, Exclusion, ExclusionKind, Ticket


def exclusion_queryset() -> QuerySet[Exclusion]:
    return Exclusion.objects.select_related(
        "ticket", "business_system", "requested_by", "decided_by", "duplicate_of", "organization"
    )


def exclusion_list_for_user(*, user: User) -> QuerySet[Exclusion]:
    """The exclusions `user` may read: the provider (and whoever reads every purchaser) all of them,
    a purchaser's users their purchaser's."""
    qs = exclusion_queryset()
    if user_sees_all_tenants(user):
        return qs
    tenant = user_tenant_id(user)
    return qs.filter(organization_id=tenant) if tenant is not None else qs.none()


def exclusion_get_for_user(*, user: User, exclusion_id: int) -> Exclusion:
    """The exclusion, or NotFound when it does not exist or belongs to another purchaser."""
    try:
        return exclusion_list_for_user(user=user).get(pk=exclusion_id)
    except (Exclusion.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("排除申请不存在")) from exc


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """"2026-10" -> local start of the month and of the next. ValueError when malformed."""
    year, number = (int(part) for part in month.split("-"))
    if not 1 <= number <= 12 or not 2000 <= year <= 2100:
        raise ValueError(month)
    tz = timezone.get_default_timezone()
    start = dt.datetime(year, number, 1, tzinfo=tz)
    end = dt.datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=tz)
    return start, end


def exclusion_filter(qs: QuerySet[Exclusion], *, state: str | None = None, kind: str | None = None,
                     start: dt.datetime | None = None, end: dt.datetime | None = None,
                     organization_id: int | None = None, business_system_id: int | None = None) -> QuerySet[Exclusion]:
    """Filters of the ledger (API, page) and the monthly report: state, kind, the month it belongs to
    (its `effective_at`: the ticket's report time or the start of the minutes claimed)."""
    return filter_given(qs, state=state, kind=kind, effective_at__gte=start, effective_at__lt=end,
                        organization_id=organization_id, business_system_id=business_system_id)


# ---------------------------------------------------------------- what the figures read


def excluded_ticket_ids() -> QuerySet:
    """Ids of the tickets taken out of every figure: a confirmed cancellation or duplicate."""
    return Exclusion.objects.filter(consent_counts_q(), kind__in=TICKET_EXCLUSION_KINDS).values("ticket_id")


def kpi_ticket_q(prefix: str = "") -> Q:
    """The tickets a figure counts: all reported, except those a confirmed exclusion took out. A
    ticket cancelled without the purchaser's consent (a rejected or disputed request) still counts.
    `prefix` reaches the ticket through a relation, e.g. "ticket__"."""
    return ~Q(**{f"{prefix}pk__in": excluded_ticket_ids()})


def downtime_excluded_spans(*, business_system_ids: list[int], start: dt.datetime,
                            end: dt.datetime) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """1.2.9, 8.2.8 (availability; planned maintenance): confirmed planned / force-majeure claims per
    system, as spans overlapping [start, end): the minutes availability leaves out beside approved
    change windows (the caller unions both and
    intersects them with the outages, so nothing is excluded twice). A claim keeps the times the
    provider claimed (a later correction of the record cannot widen it); where it has none, it covers
    its record, an open one up to `end`. One query."""
    rows = (
        Exclusion.objects.filter(consent_counts_q(), kind__in=DOWNTIME_EXCLUSION_KINDS,
                                 business_system_id__in=business_system_ids)
        .annotate(s=F("start"), e=F("end"), ds=F("downtime__start"), de=F("downtime__end"))
        .values_list("business_system_id", "s", "e", "ds", "de")
    )
    found: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for system_id, s, e, ds, de in rows:
        # A claim on an outage still open runs with it (to `end`, which the caller caps at now).
        span_start, span_end = s or ds, e or de or end
        if span_start is None or span_end <= start or span_start >= end:
            continue
        found.setdefault(system_id, []).append((span_start, span_end))
    return found


def major_incident_ticket_ids() -> QuerySet:
    """Ids of the tickets classified as major liability incidents with the purchaser's consent: an
    approver's own classification, or the provider's proposal once confirmed (issue 15 item 9)."""
    return Exclusion.objects.filter(consent_counts_q(), kind=ExclusionKind.MAJOR_INCIDENT).values("ticket_id")


def major_incident_q(prefix: str = "") -> Q:
    """The tickets every major-incident figure counts (the one rule: confirmed classifications only)."""
    return Q(**{f"{prefix}pk__in": major_incident_ticket_ids()})


def downtime_claims(*, record_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(kind, state) of the latest planned / force-majeure claim on each of the downtime records. One query."""
    rows = (
        Exclusion.objects.filter(downtime_id__in=record_ids, kind__in=DOWNTIME_EXCLUSION_KINDS)
        .order_by("downtime_id", "requested_at", "pk").values_list("downtime_id", "kind", "state")
    )
    return {record_id: (kind, state) for record_id, kind, state in rows}


def tickets_reopened_count(tickets: QuerySet[Ticket]) -> int:
    """How many of `tickets` were reopened after resolve at least once."""
    from ..models import TicketEvent

    return tickets.filter(pk__in=TicketEvent.objects.filter(kind=TicketEvent.Kind.REOPENED).values("ticket_id")).count()
