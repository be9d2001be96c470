"""What the reports app reads of tickets: the monthly report's lists and totals (clause 8.2.9), the
ticket ledger (工单台账), the downtime report (宕机报告, 8.2.12) and the acceptance package's records.

Reports never reads tickets' models: it calls these, so the words of the domain (which kinds are
faults, which severity is a system-down P1, what "cancelled" and "open" mean) and the contract's
targets are decided here, once. Each function takes the period as anything with `start` and `end`
(aware datetimes, end exclusive) and the scope as anything with `organization_id` and
`business_system_id` (None: all), so reports' `Period` and `Scope` pass straight through.

Lists are plain dicts of the columns shown (`.values()`): a pathological month lists thousands of
tickets, and a PDF needs only their text. Every function runs a fixed number of queries, stated in
its docstring.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate

from ..models import (
    OPEN_STATUSES,
    ClockName,
    Contract,
    Direction,
    DowntimeRecord,
    ResourceKind,
    SatisfactionRating,
    Severity,
    SlaClock,
    Ticket,
    TicketEvent,
    TicketKind,
    clock_label,
)
from .downtime import downtime_planned_parts
from .exclusions import downtime_claims, kpi_ticket_q
from .sla import (
    clock_counted_q,
    clock_figure_q,
    clock_missed_q,
    clock_state_case,
    clock_within_q,
    duration_minutes_shown,
    sla_clock_figures,
    sla_target_minutes,
)
from .tickets import public_event_q


class PeriodLike(Protocol):
    start: dt.datetime
    end: dt.datetime


class ScopeLike(Protocol):
    organization_id: int | None
    business_system_id: int | None


CANCELLED = Ticket.Status.CANCELLED
INCIDENT_KINDS = (TicketKind.FAULT, TicketKind.SECURITY)  # faults and security incidents (8.2.12)
LISTED_SEVERITIES = (Severity.P1, Severity.P2)  # listed one by one in the monthly report


def ticket_scope_q(scope: ScopeLike, prefix: str = "") -> Q:
    """The tickets of a scope (one purchaser organisation, one business system, or all), as a condition
    on Ticket (`prefix`: the path to the ticket, e.g. "ticket__" from SlaClock)."""
    q = Q()
    if scope.organization_id is not None:
        q &= Q(**{f"{prefix}organization_id": scope.organization_id})
    if scope.business_system_id is not None:
        q &= Q(**{f"{prefix}business_system_id": scope.business_system_id})
    return q


def ticket_choice_labels() -> dict[str, dict[str, Any]]:
    """The labels of the tickets' coded values, by field: kind, severity, status, channel, resource,
    direction, clock and event (lazy translations; resolve them once per list). No query."""
    return {
        "kind": dict(Ticket.Kind.choices),
        "severity": dict(Ticket.Severity.choices),
        "status": dict(Ticket.Status.choices),
        "channel": dict(Ticket.Channel.choices),
        "resource": dict(ResourceKind.choices),
        "direction": dict(Direction.choices),
        "clock": dict(ClockName.choices),
        "event": dict(TicketEvent.Kind.choices),
    }


def tickets_reported_in(*, period: PeriodLike, scope: ScopeLike, counted: bool = False) -> QuerySet[Ticket]:
    """The tickets reported in the period (Asia/Shanghai month) within the scope; `counted` leaves out
    tickets a confirmed exclusion takes out (tickets.selectors.exclusions.kpi_ticket_q; an unconsented
    cancellation still counts)."""
    qs = Ticket.objects.filter(Q(reported_at__gte=period.start, reported_at__lt=period.end) & ticket_scope_q(scope))
    return qs.filter(kpi_ticket_q()) if counted else qs


def clocks_counted_in(*, period: PeriodLike, scope: ScopeLike) -> QuerySet[SlaClock]:
    """The clocks of the period's tickets (reported in it, not excluded) within the scope."""
    return SlaClock.objects.filter(
        Q(ticket__reported_at__gte=period.start, ticket__reported_at__lt=period.end)
        & kpi_ticket_q("ticket__")
        & ticket_scope_q(scope, "ticket__")
    )


def clocks_off_contract_target(*, period: PeriodLike, scope: ScopeLike) -> list[dict[str, Any]]:
    """Issue 15 item 5 (8.2.12): the clocks of the period's counted tickets measured against a target other
    than their contract policy's — a tightened target, a looser one the purchaser agreed to, or a policy the
    PM added. The heavy-protection targets are contract policies (8.2.3), so they are not listed. One query."""
    clocks = clocks_counted_in(period=period, scope=scope).filter(
        Q(policy__isnull=False)
        & (Q(policy__contract_target_minutes__isnull=True) | ~Q(target_minutes=F("policy__contract_target_minutes")))
    ).select_related("ticket", "policy").order_by("ticket__reported_at", "ticket_id", "pk")
    return [{
        "ticket_id": c.ticket_id, "number": c.ticket.number, "title": c.ticket.title, "clock": clock_label(c.name, c.stop_on, c.ticket.kind),
        "target_minutes": c.target_minutes, "contract_target_minutes": c.policy.contract_target_minutes,
        "policy": c.policy.name,
    } for c in clocks]


def clock_shares_by_system(
    *, period: PeriodLike, scope: ScopeLike, now: dt.datetime, keys: Iterable[str]
) -> dict[int, dict[str, tuple[int, int]]]:
    """Per business system, for each clock figure key (tickets.selectors.sla.CLOCK_FIGURES): (within
    target, counted) of the period's clocks at `now`. One grouped query."""
    keys = tuple(keys)
    counted, within = clock_counted_q(now), clock_within_q()
    grouped = (
        clocks_counted_in(period=period, scope=scope)
        .values("ticket__business_system_id")
        .annotate(**{
            f"{key}_{part}": Count("pk", filter=clock_figure_q(key) & counted & (within if part == "within" else Q()))
            for key in keys
            for part in ("count", "within")
        })
    )
    return {
        row["ticket__business_system_id"]: {key: (row[f"{key}_within"], row[f"{key}_count"]) for key in keys}
        for row in grouped
    }


def ticket_summary(*, period: PeriodLike, scope: ScopeLike) -> dict[str, Any]:
    """Tickets of the period by kind × severity (cancelled left out of the matrix) and the totals:
    reported, cancelled, open, resolved. One query."""
    rows = tickets_reported_in(period=period, scope=scope).values("kind", "severity", "status").annotate(n=Count("pk"))
    kinds = dict(Ticket.Kind.choices)
    severities = [s for s, _label in Ticket.Severity.choices]
    matrix: dict[str, dict[str, int]] = {k: dict.fromkeys(severities, 0) for k in kinds}
    totals = {"reported": 0, "cancelled": 0, "open": 0, "resolved": 0}
    for row in rows:
        if row["status"] == CANCELLED:
            totals["cancelled"] += row["n"]
            continue
        totals["reported"] += row["n"]
        matrix[row["kind"]][row["severity"]] += row["n"]
        if row["status"] in OPEN_STATUSES:
            totals["open"] += row["n"]
        else:
            totals["resolved"] += row["n"]
    return {
        "severities": severities,
        "rows": [{"kind": kinds[k], "counts": [matrix[k][s] for s in severities], "total": sum(matrix[k].values())}
                 for k in kinds],
        "totals": totals,
    }


def ticket_counts_by_day(*, period: PeriodLike, scope: ScopeLike, zone: dt.tzinfo) -> dict[dt.date, int]:
    """Counted tickets (not cancelled) per local report date. One query."""
    tickets = tickets_reported_in(period=period, scope=scope, counted=True)
    return dict(
        tickets.annotate(day=TruncDate("reported_at", tzinfo=zone)).values("day").annotate(n=Count("pk")).values_list("day", "n")
    )


def clock_compliance_by_day(
    *, period: PeriodLike, scope: ScopeLike, now: dt.datetime, zone: dt.tzinfo
) -> list[tuple[dt.date, int, int]]:
    """(local report date, clocks counted at `now`, of which within target) for every clock of the
    period. One query."""
    clocks = clocks_counted_in(period=period, scope=scope).filter(clock_counted_q(now))
    return list(
        clocks.annotate(day=TruncDate("ticket__reported_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"), ok=Count("pk", filter=clock_within_q()))
        .values_list("day", "n", "ok")
    )


def clock_response_distribution(
    *, period: PeriodLike, scope: ScopeLike, now: dt.datetime, buckets: Iterable[tuple[int, int | None]]
) -> list[int]:
    """How many stopped response clocks of faults and security incidents fall in each [low, high)
    minute bucket (high None: open-ended). One query."""
    buckets = tuple(buckets)
    aggregates = {}
    for low, high in buckets:
        q = Q(elapsed_minutes__gte=low) if high is None else Q(elapsed_minutes__gte=low, elapsed_minutes__lt=high)
        aggregates[f"b{low}"] = Count("pk", filter=q)
    clocks = clocks_counted_in(period=period, scope=scope).filter(clock_counted_q(now))
    dist = clocks.filter(clock_figure_q("response_time"), stopped_at__isnull=False).aggregate(**aggregates)
    return [dist[f"b{low}"] for low, _high in buckets]


def resource_adjustments(*, period: PeriodLike, scope: ScopeLike, now: dt.datetime) -> dict[str, Any]:
    """Every resource adjustment of the period (cancelled left out) with its resolve clock's elapsed
    minutes and state at `now`, and the net change per (resource, direction) of the finished ones.
    Two queries."""
    qs = tickets_reported_in(period=period, scope=scope, counted=True).filter(kind=TicketKind.RESOURCE)
    sums = qs.exclude(status__in=OPEN_STATUSES).filter(amount_before__isnull=False, amount_after__isnull=False).values(
        "resource", "direction").annotate(delta=Sum(F("amount_after") - F("amount_before")))
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in sums:
        totals[(row["resource"], row["direction"])] += row["delta"] or Decimal(0)
    # One LEFT JOIN to the resolve clock (one per ticket at most: unique ticket + name).
    rows = list(
        qs.annotate(
            rc=FilteredRelation("clocks", condition=Q(clocks__name=ClockName.RESOLVE)),
            elapsed_minutes=F("rc__elapsed_minutes"),
            state=clock_state_case(now, "rc__", missing="none"),
        )
        .order_by("reported_at", "pk")
        .values("number", "business_system__name", "resource", "direction", "amount_before", "amount_after",
                "reported_at", "resolved_at", "elapsed_minutes", "state")
    )
    return {"rows": rows, "totals": dict(totals), "increase": Direction.INCREASE, "decrease": Direction.DECREASE}


def incidents_listed(*, period: PeriodLike, scope: ScopeLike, now: dt.datetime) -> dict[str, Any]:
    """Every P1/P2 and every breached fault or security incident of the period, with its times and
    clocks; the rest summarised by kind and severity. Three queries whatever the number of tickets."""
    base = tickets_reported_in(period=period, scope=scope, counted=True).filter(kind__in=INCIDENT_KINDS)
    # A correlated EXISTS keeps this a semi-join whatever the planner knows about the tables.
    missed = SlaClock.objects.filter(ticket=OuterRef("pk")).filter(clock_missed_q(now))
    listed_q = Q(severity__in=LISTED_SEVERITIES) | Q(Exists(missed))
    listed_qs = base.filter(listed_q)
    rows = list(
        listed_qs.order_by("reported_at", "pk").values(
            "pk", "number", "severity", "title", "business_system__name", "reported_at", "acknowledged_at", "located_at",
            "resolved_at",
        )
    )
    clocks: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for ticket_id, name, elapsed, target, state in (
        SlaClock.objects.filter(ticket__in=listed_qs.values("pk"))
        .annotate(state=clock_state_case(now))
        .order_by("ticket_id", "pk")
        .values_list("ticket_id", "name", "elapsed_minutes", "target_minutes", "state")
    ):
        clocks[ticket_id].append({"name": name, "elapsed_minutes": elapsed, "target_minutes": target, "state": state})
    for row in rows:
        row["clocks"] = clocks.pop(row["pk"], [])
        row["breached"] = any(c["state"] == "breached" for c in row["clocks"])
    rest = (
        base.exclude(listed_q)
        .values("kind", "severity")
        .annotate(n=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES)))
        .order_by("kind", "severity")
    )
    kinds, sev = dict(Ticket.Kind.choices), dict(Ticket.Severity.choices)
    return {
        "rows": rows,
        "total": len(rows),
        "breached": sum(1 for r in rows if r["breached"]),
        "rest": [{"kind": kinds[r["kind"]], "severity": sev[r["severity"]], "n": r["n"], "open": r["open"]} for r in rest],
    }


def _planned_rows(records: list[DowntimeRecord], now: dt.datetime) -> list[tuple[DowntimeRecord, float, float, str]]:
    """(record, total minutes, planned minutes, change numbers) per record: the planned part from the one
    rule the changes app registers (downtime_planned_parts, 8.2.8)."""
    planned = downtime_planned_parts(records=records, now=now)
    rows = []
    for record in records:
        part = planned.get(record.pk)
        total = ((record.end or now) - record.start).total_seconds() / 60
        rows.append((record, total, part.minutes if part else 0.0, "、".join(part.change_numbers) if part else ""))
    return rows


def outage_minutes_shown(*, total: float, planned: float) -> dict[str, int]:
    """An outage's minutes as documents show them (`minutes`, `planned_minutes`, `unplanned_minutes`),
    from its exact `total` and `planned` minutes, by the one rounding rule of durations
    (tickets.selectors.sla.minutes_shown: a started minute counts whole, as the clocks' minutes): the
    unplanned part, which counts against the provider, is rounded up; the planned part is what is left
    of the total shown, so that the parts add up to it."""
    shown_total = duration_minutes_shown(total)
    unplanned = duration_minutes_shown(max(0.0, total - planned))
    return {"minutes": shown_total, "planned_minutes": shown_total - unplanned, "unplanned_minutes": unplanned}


def downtime_records_in(*, period: PeriodLike, organization_id: int | None, now: dt.datetime) -> list[dict[str, Any]]:
    """Downtime records (宕机记录) overlapping the period, each with its planned-maintenance minutes from
    the one rule (8.2.8) and the planned claim it carries with the purchaser's answer (`claim`). One
    query, one or two more when there are records, one more when one of them carries a claim."""
    qs = DowntimeRecord.objects.filter(start__lt=period.end).filter(Q(end__isnull=True) | Q(end__gt=period.start))
    if organization_id is not None:
        qs = qs.filter(business_system__organization_id=organization_id)
    records = list(qs.select_related("business_system", "ticket").order_by("start", "pk"))
    claims = _claim_states([r.pk for r in records if r.claimed_planned])
    return [
        {
            "business_system__name": r.business_system.name,
            "ticket__number": r.ticket.number if r.ticket else None,
            "start": r.start,
            "end": r.end,
            **outage_minutes_shown(total=total, planned=planned),
            "claimed_planned": r.claimed_planned,
            # The claim's exclusion (issue 15 item 3): (kind, state), or None without a claim.
            "claim": claims.get(r.pk),
        }
        for r, total, planned, _changes in _planned_rows(records, now)
    ]


def _claim_states(record_ids: list[int]) -> dict[int, tuple[str, str]]:
    """The planned / force-majeure claim of each record: (kind, state) of its latest exclusion. One
    query when there are claims."""
    if not record_ids:
        return {}
    return downtime_claims(record_ids=record_ids)


def ratings_of(*, period: PeriodLike, scope: ScopeLike) -> QuerySet[SatisfactionRating]:
    """Satisfaction ratings (满意度评价) of the period's counted tickets: a rating belongs to its
    ticket's month."""
    return SatisfactionRating.objects.filter(ticket__in=tickets_reported_in(period=period, scope=scope, counted=True))


def rating_summary(*, period: PeriodLike, scope: ScopeLike) -> dict[str, Any]:
    """Ratings by score (5 to 1) and the low ones (3 or less) with their comments. Two queries."""
    ratings = ratings_of(period=period, scope=scope)
    by_score = dict(ratings.values("score").annotate(n=Count("pk")).values_list("score", "n"))
    low = list(ratings.filter(score__lte=3).order_by("rated_at", "pk").values("ticket__number", "score", "comment", "rated_at"))
    return {"by_score": [(s, by_score.get(s, 0)) for s in range(5, 0, -1)], "low": low}


def rating_rows(*, period: PeriodLike, scope: ScopeLike) -> QuerySet:
    """The satisfaction evaluation form (满意度评价表) of the period as value tuples: ticket number,
    title, system, score, comment, rater, time. One query when iterated."""
    return (
        ratings_of(period=period, scope=scope)
        .order_by("rated_at", "pk")
        .values_list("ticket__number", "ticket__title", "ticket__business_system__name", "score", "comment",
                     "rated_by__real_name", "rated_at")
    )


def tickets_open_at(*, end: dt.datetime, scope: ScopeLike) -> list[dict[str, Any]]:
    """Every ticket reported before `end` and still open, oldest first. One query."""
    qs = Ticket.objects.filter(Q(reported_at__lt=end, status__in=OPEN_STATUSES) & ticket_scope_q(scope))
    return list(
        qs.order_by("reported_at", "pk").values(
            "number", "severity", "business_system__name", "title", "reported_at", "status", "assignee__real_name",
            "assignee__username",
        )
    )


def resource_increases_repeated(*, period: PeriodLike, scope: ScopeLike, at_least: int = 2) -> list[dict[str, Any]]:
    """(business system, resource, how many) of the resources a system asked to increase at least
    `at_least` times in the period, most first (8.1.9: a sign of lasting shortage). One query."""
    return list(
        tickets_reported_in(period=period, scope=scope, counted=True)
        .filter(kind=TicketKind.RESOURCE, direction=Direction.INCREASE)
        .values("business_system_id", "resource")
        .annotate(n=Count("pk"))
        .filter(n__gte=at_least)
        .order_by("-n")
    )


def incident_records(*, period: PeriodLike, scope: ScopeLike) -> dict[str, Any]:
    """The fault and security-incident records (故障及安全事件处置记录) of the period, cancelled ones
    included: `tickets` (value dicts) and `events` (the timelines, value tuples: number, at, kind,
    actor, from, to, note) — one query each when iterated — and `p1_ids`, the P1 tickets that get a
    downtime report (two queries)."""
    tickets = Ticket.objects.filter(
        Q(reported_at__gte=period.start, reported_at__lt=period.end, kind__in=INCIDENT_KINDS) & ticket_scope_q(scope)
    )
    rows = tickets.order_by("reported_at", "pk").values(
        "number", "kind", "severity", "status", "business_system__name", "title", "reported_at", "acknowledged_at",
        "located_at", "resolved_at", "closed_at", "resolution", "major_incident", "major_incident_reason")
    events = (
        TicketEvent.objects.filter(ticket__in=tickets)
        .order_by("ticket__reported_at", "ticket_id", "at", "pk")
        .values_list("ticket__number", "at", "kind", "actor__real_name", "from_status", "to_status", "note")
    )
    p1 = tickets.filter(severity=Severity.P1)
    return {"tickets": rows, "events": events, "p1": p1}


def downtime_report_ticket_ids(p1: QuerySet[Ticket]) -> list[int]:
    """The P1 tickets among `p1` (incident_records()["p1"]) with or without a downtime record, in id
    order. Two queries."""
    ids = list(DowntimeRecord.objects.filter(ticket__in=p1).values_list("ticket_id", flat=True).distinct())
    ids += list(p1.values_list("pk", flat=True))
    return sorted(set(ids))


def ledger_values(*, period: PeriodLike, scope: ScopeLike) -> Iterator[dict[str, Any]]:
    """The ticket ledger (工单台账) of the period, cancelled tickets included: one dict per ticket with
    its times, people, resource change, rating and each clock's elapsed/target/breached (as subqueries).
    One query, streamed in chunks."""

    def clock(name: str, field: str):
        return Subquery(SlaClock.objects.filter(ticket=OuterRef("pk"), name=name).values(field)[:1])

    names = tuple(ClockName.values)
    qs = (
        tickets_reported_in(period=period, scope=scope)
        .annotate(
            system_name=F("business_system__name"),
            requester_name=F("requester__real_name"),
            assignee_name=F("assignee__real_name"),
            score=F("satisfaction__score"),
            **{f"{n}_{f}": clock(n, f) for n in names for f in ("elapsed_minutes", "target_minutes", "breached")},
        )
        .order_by("reported_at", "pk")
    )
    return qs.values(
        "number", "kind", "severity", "status", "system_name", "title", "requester_name", "channel", "reported_at",
        "acknowledged_at", "located_at", "resolved_at", "closed_at", "cancelled_at", "assignee_name",
        *(f"{n}_{f}" for n in names for f in ("elapsed_minutes", "target_minutes", "breached")),
        "resource", "direction", "amount_before", "amount_after", "major_incident", "score",
    ).iterator(chunk_size=2000)


def clocks_at_risk(*, scope: ScopeLike, now: dt.datetime, window: dt.timedelta, limit: int) -> list[SlaClock]:
    """Running clocks (not paused, not breached, not excluded by a confirmed exclusion) due within `window` of `now`, soonest
    first, with their ticket, system and assignee. One query."""
    return list(
        SlaClock.objects.filter(kpi_ticket_q("ticket__") & ticket_scope_q(scope, "ticket__"))
        .select_related("ticket__business_system", "ticket__assignee")
        .filter(stopped_at__isnull=True, paused_at__isnull=True, breached=False, due_at__gt=now, due_at__lt=now + window)
        .order_by("due_at")[:limit]
    )


def ticket_has_downtime_report(ticket: Ticket) -> bool:
    """A system-down (P1) ticket gets a downtime report (宕机报告, 8.2.12). No query."""
    return ticket.severity == Severity.P1


def downtime_report_number(*, ticket_id: int, organization_id: int | None) -> str | None:
    """The number of the P1 ticket `ticket_id` when it has a downtime report (宕机报告, 8.2.12) and
    belongs to `organization_id` (None: any), else None. The caller has applied the reports' access
    rule and passes the reader's tenant. One query."""
    qs = Ticket.objects.filter(pk=ticket_id, severity=Severity.P1)
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    return qs.values_list("number", flat=True).first()


def downtime_report_data(*, ticket_id: int, now: dt.datetime) -> dict[str, Any]:
    """The downtime report (宕机报告, 8.2.12) of one P1 ticket: timeline, outage, clocks and their
    state at `now`, the restore target (the ticket's restore clock, else the SLA policy a P1 fault gets),
    the purchaser's contract and the narrative staff wrote. Caller has checked that the user may read
    the ticket. Five queries (six without a restore clock), one or two more for the planned-maintenance
    part of its outages (8.2.8, from the rule the changes app registers), one more when an outage carries
    a planned claim (its answer)."""
    ticket = (
        Ticket.objects.select_related("business_system", "organization", "requester", "assignee", "recorded_by")
        .prefetch_related(
            Prefetch("clocks", queryset=SlaClock.objects.order_by("pk")),
            # A customer document: the purchaser's view of the timeline, without the provider's internal
            # notices (【SLA 预警】) or internal comments' events (issue 19 item 9).
            Prefetch("events", queryset=TicketEvent.objects.filter(public_event_q()).select_related("actor").order_by("at", "pk")),
            Prefetch("downtimes", queryset=DowntimeRecord.objects.select_related("business_system").order_by("start", "pk")),
        )
        .get(pk=ticket_id)
    )
    downtimes = list(ticket.downtimes.all())
    claims = _claim_states([d.pk for d in downtimes if d.claimed_planned])
    rows = [
        {"record": d, "changes": changes, **outage_minutes_shown(total=total, planned=planned),
         # A planned / force-majeure claim and the purchaser's answer (issue 15 item 3), as in the monthly report.
         "claimed_planned": d.claimed_planned, "claim": claims.get(d.pk)}
        for d, total, planned, changes in _planned_rows(downtimes, now)
    ]
    # The outage as shown: the sum of the records' unplanned minutes as each is shown, so that the
    # heading and the rows agree, and agree with the restore clock's minutes for the same interval.
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
        # A running clock reads its time so far, by the clocks' one rule and rounding (the outage beside it
        # reads the same minutes); a stopped one its recorded minutes.
        clocks.append({"clock": c, "state": state, "elapsed_minutes": sla_clock_figures(c, now=now)["elapsed_minutes"]})
    restore = next((c["clock"].target_minutes for c in clocks if c["clock"].name == ClockName.RESTORE), None)
    if restore is None:  # no restore clock (e.g. a P1 security incident): the target a new P1 fault gets
        restore = sla_target_minutes(kind=TicketKind.FAULT, clock=ClockName.RESTORE, severity=Severity.P1)
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
        "restore_target_minutes": restore,
        "targets_met": bool(clocks) and all(c["state"] == "met" for c in clocks),
        "now": now,
        # The narrative provider staff write on the ticket (blank lines to fill in by hand otherwise).
        "impact": ticket.outage_impact,
        "root_cause": ticket.root_cause,
        "actions_taken": ticket.actions_taken or ticket.resolution,
        "prevention": ticket.prevention,
    }
