"""Reads of the security self-checks with the access rule applied once, and the month's figures. An
accepted risk counts only while the purchaser's approver has confirmed it (core.consent)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.consent import consent_counts_q
from tickets.selectors.reference import host_list_for_user

from ..models import AntivirusSweep, Finding, RiskAcceptance, SecurityActivity, SecurityWarning
from .access import get_visible, visible

OPEN_FINDING = (Finding.Status.OPEN, Finding.Status.FIXING, Finding.Status.FIXED)


def accepted_q() -> Q:
    """A finding whose risk the purchaser accepted (a confirmed RiskAcceptance): the one rule."""
    return Q(Exists(RiskAcceptance.objects.filter(consent_counts_q(), finding=OuterRef("pk"))))


def security_activity_list_for_user(*, user) -> QuerySet[SecurityActivity]:
    return visible(SecurityActivity.objects.select_related("organization", "lead"), user=user, org_path="organization")


def security_activity_get_for_user(*, user, activity_id: int) -> SecurityActivity:
    return get_visible(security_activity_list_for_user(user=user), user=user, org_path="organization", pk=activity_id)


def finding_list_for_user(*, user) -> QuerySet[Finding]:
    qs = Finding.objects.select_related("activity", "business_system", "fixed_by", "verified_by").annotate(accepted=accepted_q())
    return visible(qs, user=user, system_path="business_system")


def finding_get_for_user(*, user, finding_id: int) -> Finding:
    qs = finding_list_for_user(user=user).prefetch_related("hosts", "events__actor", "acceptances")
    return get_visible(qs, user=user, system_path="business_system", pk=finding_id)


def antivirus_sweep_list_for_user(*, user) -> QuerySet[AntivirusSweep]:
    qs = AntivirusSweep.objects.select_related("host__business_system", "recorded_by")
    return visible(qs, user=user, system_path="host__business_system")


def hosts_unswept(*, user, first: dt.date, last: dt.date):
    """Hosts (visible to `user`) without an antivirus sweep in [first, last]."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    swept = AntivirusSweep.objects.filter(host=OuterRef("pk"), swept_at__gte=start, swept_at__lt=end)
    return host_list_for_user(user=user).filter(~Exists(swept)).order_by("business_system__name", "name")


def security_warning_list_for_user(*, user) -> QuerySet[SecurityWarning]:
    return visible(SecurityWarning.objects.select_related("organization", "published_by"), user=user, org_path="organization")


def risk_acceptance_list_for_user(*, user) -> QuerySet[RiskAcceptance]:
    qs = RiskAcceptance.objects.select_related("finding__business_system", "requested_by", "decided_by")
    return visible(qs, user=user, system_path="finding__business_system")


def security_month(*, user, first: dt.date, last: dt.date, today: dt.date | None = None) -> dict:
    """The month's security figures: activities, findings opened / fixed / overdue / accepted, hosts swept."""
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    cutoff = min(last, today)
    findings = finding_list_for_user(user=user)
    overdue = findings.filter(status__in=OPEN_FINDING, due_on__lt=cutoff, found_on__lte=last, accepted=False)
    return {
        "activities": list(security_activity_list_for_user(user=user).filter(started_on__lte=last, ended_on__gte=first)
                           .order_by("started_on", "pk")),
        "opened": findings.filter(found_on__gte=first, found_on__lte=last).count(),
        "fixed": findings.filter(fixed_at__gte=start, fixed_at__lt=end).count(),
        "verified": findings.filter(verified_at__gte=start, verified_at__lt=end).count(),
        "overdue": list(overdue.order_by("due_on", "pk")),
        "accepted": findings.filter(accepted=True, found_on__lte=last).count(),
        "warnings": list(security_warning_list_for_user(user=user).filter(published_at__gte=start, published_at__lt=end)),
        "swept_hosts": antivirus_sweep_list_for_user(user=user).filter(swept_at__gte=start, swept_at__lt=end)
        .values("host").distinct().count(),
        "unswept": list(hosts_unswept(user=user, first=first, last=last)),
    }
