"""Reads of the security self-checks with the access rule applied once, and the month's figures. An
accepted risk counts only while the purchaser's approver has confirmed it (core.consent)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.consent import consent_counts_q
from tickets.models.reference import Host
from tickets.selectors.reference import host_list_for_user

from ..models import AntivirusSweep, Finding, RiskAcceptance, SecurityActivity, SecurityWarning
from .access import get_visible, visible

OPEN_FINDING = (Finding.Status.OPEN, Finding.Status.FIXING, Finding.Status.FIXED)


def accepted_q() -> Q:
    """A finding whose risk the purchaser accepted (a confirmed RiskAcceptance): the one rule."""
    return Q(Exists(RiskAcceptance.objects.filter(consent_counts_q(), finding=OuterRef("pk"))))


def security_activity_list_for_user(*, user=None, organization_id: int | None = None) -> QuerySet[SecurityActivity]:
    return visible(SecurityActivity.objects.select_related("organization", "lead"), user=user, organization_id=organization_id, org_path="organization")


def security_activity_get_for_user(*, user, activity_id: int) -> SecurityActivity:
    return get_visible(security_activity_list_for_user(user=user), user=user, org_path="organization", pk=activity_id)


def finding_list_for_user(*, user=None, organization_id: int | None = None) -> QuerySet[Finding]:
    qs = Finding.objects.select_related("activity", "business_system", "fixed_by", "verified_by").annotate(accepted=accepted_q())
    return visible(qs, user=user, organization_id=organization_id, system_path="business_system")


def finding_get_for_user(*, user, finding_id: int) -> Finding:
    qs = finding_list_for_user(user=user).prefetch_related("hosts", "events__actor", "acceptances")
    return get_visible(qs, user=user, system_path="business_system", pk=finding_id)


def antivirus_sweep_list_for_user(*, user=None, organization_id: int | None = None) -> QuerySet[AntivirusSweep]:
    qs = AntivirusSweep.objects.select_related("host__business_system", "recorded_by")
    return visible(qs, user=user, organization_id=organization_id, system_path="host__business_system")


def hosts_unswept(*, user=None, organization_id: int | None = None, first: dt.date, last: dt.date):
    """Hosts (visible to `user`, or of the purchaser `organization_id`) without an antivirus sweep in [first, last]."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    swept = AntivirusSweep.objects.filter(host=OuterRef("pk"), swept_at__gte=start, swept_at__lt=end)
    hosts = (Host.objects.select_related("business_system").filter(business_system__organization_id=organization_id)
             if organization_id is not None else host_list_for_user(user=user))
    return hosts.filter(~Exists(swept)).order_by("business_system__name", "name")


def security_warning_list_for_user(*, user=None, organization_id: int | None = None) -> QuerySet[SecurityWarning]:
    return visible(SecurityWarning.objects.select_related("organization", "published_by"), user=user, organization_id=organization_id, org_path="organization")


def risk_acceptance_list_for_user(*, user=None, organization_id: int | None = None) -> QuerySet[RiskAcceptance]:
    qs = RiskAcceptance.objects.select_related("finding__business_system", "requested_by", "decided_by")
    return visible(qs, user=user, organization_id=organization_id, system_path="finding__business_system")


def security_month(*, user=None, organization_id: int | None = None, first: dt.date, last: dt.date,
                   today: dt.date | None = None) -> dict:
    """The month's security figures: activities, findings opened / fixed / overdue / accepted, hosts swept."""
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    cutoff = min(last, today)
    scope = {"user": user, "organization_id": organization_id}
    findings = finding_list_for_user(**scope)
    overdue = findings.filter(status__in=OPEN_FINDING, due_on__lt=cutoff, found_on__lte=last, accepted=False)
    counts = findings.aggregate(
        opened=Count("pk", filter=Q(found_on__gte=first, found_on__lte=last)),
        fixed=Count("pk", filter=Q(fixed_at__gte=start, fixed_at__lt=end)),
        verified=Count("pk", filter=Q(verified_at__gte=start, verified_at__lt=end)),
        accepted=Count("pk", filter=accepted_q() & Q(found_on__lte=last)),
    )
    return {
        **counts,
        "activities": list(security_activity_list_for_user(**scope).filter(started_on__lte=last, ended_on__gte=first)
                           .order_by("started_on", "pk")),
        "overdue": list(overdue.order_by("due_on", "pk")),
        "warnings": list(security_warning_list_for_user(**scope).filter(published_at__gte=start, published_at__lt=end)),
        "swept_hosts": antivirus_sweep_list_for_user(**scope).filter(swept_at__gte=start, swept_at__lt=end)
        .values("host").distinct().count(),
        "unswept": list(hosts_unswept(**scope, first=first, last=last)),
    }
