"""Reads of the utilisation evidence (issue 16 item 8), with the access rule applied once.

Provider staff and the provider's auditors read every host (accounts.selectors.user_sees_all_tenants);
purchaser staff and auditors of a purchaser read their own
organisation's systems only. The project manager and duty leaders (provider staff) import, edit the
thresholds and act on findings; everyone else reads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Avg, Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.selectors import user_has_role, user_is_provider_staff, user_sees_all_tenants, user_tenant_id
from core.exceptions import NotFound
from core.querysets import filter_given
from core.transitions import Transition, TransitionTable
from tickets.models.reference import BusinessSystem, Host

from ..models import Direction, FindingEvent, Metric, OptimisationFinding, UtilisationSample, UtilisationThreshold

MANAGER_ROLES = (Role.PROJECT_MANAGER, Role.DUTY_LEADER)
METRICS = tuple(Metric.values)


def user_manages_utilisation(user) -> bool:
    """The project manager or a duty leader of the provider: import, thresholds, findings."""
    return user_is_provider_staff(user) and user_has_role(user, *MANAGER_ROLES)


def _scoped(user, qs: QuerySet, org_field: str) -> QuerySet:
    if user_sees_all_tenants(user):  # provider staff, the provider's auditors, superusers
        return qs
    tenant = user_tenant_id(user) if getattr(user, "is_authenticated", False) else None
    if tenant is None:
        return qs.none()
    return qs.filter(**{org_field: tenant})


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


# ---------------------------------------------------------------- samples


def utilisation_list_for_user(
    *, user, first: dt.date | None = None, last: dt.date | None = None, business_system_id: int | None = None,
    host_id: int | None = None, metric: str | None = None,
) -> QuerySet[UtilisationSample]:
    """Daily rows with the host and its system joined (one query per page)."""
    qs = UtilisationSample.objects.select_related("host__business_system").order_by("-day", "host__name", "metric")
    qs = _scoped(user, qs, "host__business_system__organization_id")
    return filter_given(qs, day__gte=first, day__lte=last, host__business_system_id=business_system_id, host_id=host_id,
                        metric=metric)


def _month_figures(samples: QuerySet[UtilisationSample], hosts: QuerySet[Host], first: dt.date, last: dt.date) -> list[dict]:
    """Per business system, its hosts with each metric's month figures: the mean of the daily averages,
    the highest daily P95, the days recorded. Two queries whatever the number of hosts."""
    figures = defaultdict(dict)
    rows = (samples.filter(day__gte=first, day__lte=last).order_by().values("host_id", "metric")
            .annotate(average=Avg("average"), p95=Max("p95"), days=Count("pk")))
    for row in rows:
        figures[row["host_id"]][row["metric"]] = {
            "average": Decimal(row["average"]).quantize(Decimal("0.01")), "p95": row["p95"], "days": row["days"]}
    systems: dict[int, dict] = {}
    for host in hosts.select_related("business_system").order_by("business_system__name", "business_system_id", "name"):
        system = systems.setdefault(host.business_system_id, {"system": host.business_system, "hosts": []})
        system["hosts"].append({"host": host, "metrics": [figures[host.pk].get(m) for m in METRICS],
                                "recorded": bool(figures[host.pk])})
    return list(systems.values())


def utilisation_month_for_user(*, user, month: dt.date, business_system_id: int | None = None) -> list[dict]:
    """The month's figures per business system and host the user may read (see _month_figures)."""
    first, last = month_bounds(month)
    hosts = _scoped(user, Host.objects.all(), "business_system__organization_id")
    if business_system_id is not None:
        hosts = hosts.filter(business_system_id=business_system_id)
    return _month_figures(utilisation_list_for_user(user=user), hosts, first, last)


def business_systems_for_user(*, user) -> QuerySet[BusinessSystem]:
    return _scoped(user, BusinessSystem.objects.all(), "organization_id").order_by("name", "pk")


# ---------------------------------------------------------------- thresholds


def threshold_list() -> list[UtilisationThreshold]:
    """Every threshold (everyone who reads utilisation reads the rules)."""
    order = {m: i for i, m in enumerate(METRICS)}
    rows = list(UtilisationThreshold.objects.select_related("updated_by"))
    rows.sort(key=lambda t: (order.get(t.metric, 9), t.direction != Direction.HIGH))
    return rows


def threshold_get(*, threshold_id: int) -> UtilisationThreshold:
    threshold = UtilisationThreshold.objects.filter(pk=threshold_id).first()
    if threshold is None:
        raise NotFound(_("阈值不存在"))
    return threshold


# ---------------------------------------------------------------- findings


def finding_list_for_user(*, user, state: str | None = None, month: dt.date | None = None,
                          business_system_id: int | None = None) -> QuerySet[OptimisationFinding]:
    qs = OptimisationFinding.objects.select_related("host", "business_system", "ticket", "decided_by").order_by(
        "state", "-last_day", "-pk")
    qs = _scoped(user, qs, "business_system__organization_id")
    if state:
        qs = qs.filter(state=state)
    if month is not None:
        first, last = month_bounds(month)
        qs = qs.filter(first_day__lte=last, last_day__gte=first)
    if business_system_id is not None:
        qs = qs.filter(business_system_id=business_system_id)
    return qs


def finding_get_for_user(*, user, finding_id: int) -> OptimisationFinding:
    finding = finding_list_for_user(user=user).filter(pk=finding_id).first()
    if finding is None:
        raise NotFound(_("优化建议不存在"))
    return finding


def finding_events(*, finding: OptimisationFinding) -> QuerySet[FindingEvent]:
    return FindingEvent.objects.filter(finding=finding).select_related("actor").order_by("at", "pk")


def _finding_visible(user, finding: OptimisationFinding) -> bool:
    if user_sees_all_tenants(user):
        return True
    return user_tenant_id(user) == finding.business_system.organization_id


FINDING_TRANSITIONS = TransitionTable(
    [
        Transition("ticket", frozenset({OptimisationFinding.State.OPEN}), OptimisationFinding.State.TICKETED,
                   lambda user, f: user_manages_utilisation(user), label="转资源调整工单",
                   denied="只有项目经理或值班负责人可以处理优化建议"),
        Transition("dismiss", frozenset({OptimisationFinding.State.OPEN}), OptimisationFinding.State.DISMISSED,
                   lambda user, f: user_manages_utilisation(user), label="忽略",
                   denied="只有项目经理或值班负责人可以处理优化建议"),
    ],
    state_of=lambda f: f.state,
    state_label=lambda s: str(OptimisationFinding.State(s).label),
    visible=_finding_visible,
    not_found=lambda: _("优化建议不存在"),
)


def finding_actions_for(*, user, finding: OptimisationFinding) -> list[str]:
    """The actions pages and the API offer (what the services' check lets through)."""
    return FINDING_TRANSITIONS.actions_for(user=user, obj=finding)


# ---------------------------------------------------------------- the monthly report


def utilisation_month(*, organization_id: int, first: dt.date, last: dt.date) -> dict:
    """The usage section of one purchaser's monthly report (clauses 8.1.9, 8.2.9): the figures per
    business system and host, and the optimisation findings of the month (the reports app decided who
    may read it)."""
    samples = UtilisationSample.objects.filter(host__business_system__organization_id=organization_id)
    hosts = Host.objects.filter(business_system__organization_id=organization_id)
    systems = _month_figures(samples, hosts, first, last)
    findings = list(
        OptimisationFinding.objects.filter(business_system__organization_id=organization_id, first_day__lte=last,
                                           last_day__gte=first)
        .select_related("host", "business_system", "ticket", "decided_by").order_by("business_system__name", "host__name", "metric", "pk")
    )
    recorded = samples.filter(day__gte=first, day__lte=last).aggregate(n=Count("host", distinct=True), lo=Min("day"), hi=Max("day"))
    return {
        "systems": [s for s in systems if any(h["recorded"] for h in s["hosts"])],
        "hosts_recorded": recorded["n"],
        "hosts_total": hosts.count(),
        "findings": findings,
        "findings_open": sum(1 for f in findings if f.state == OptimisationFinding.State.OPEN),
        "metrics": [str(label) for label in Metric.labels],
    }


def finding_counts(*, user) -> dict:
    return finding_list_for_user(user=user).aggregate(
        open=Count("pk", filter=Q(state=OptimisationFinding.State.OPEN)),
        ticketed=Count("pk", filter=Q(state=OptimisationFinding.State.TICKETED)),
        dismissed=Count("pk", filter=Q(state=OptimisationFinding.State.DISMISSED)),
    )
