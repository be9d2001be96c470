"""Reads of backups, with the access rule applied once, and the computed compliance (4.2.6): for each
policy and each day, at least one successful incremental-or-better run that day, and a successful full
run within every 7 days (the window reaches back across the month boundary)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ..models import BackupAlert, BackupPolicy, BackupRun, BackupType, RestoreTest
from .access import get_visible, visible

FULL_WINDOW_DAYS = 7


def backup_policy_list_for_user(*, user=None, organization_id: int | None = None) -> QuerySet[BackupPolicy]:
    qs = BackupPolicy.objects.select_related("business_system__organization", "owner")
    return visible(qs, user=user, organization_id=organization_id, system_path="business_system")


def backup_policy_get_for_user(*, user, policy_id: int) -> BackupPolicy:
    return get_visible(backup_policy_list_for_user(user=user), user=user, system_path="business_system", pk=policy_id)


def backup_run_list_for_user(*, user=None, organization_id: int | None = None) -> QuerySet[BackupRun]:
    qs = BackupRun.objects.select_related("policy__business_system", "reported_by")
    return visible(qs, user=user, organization_id=organization_id, system_path="policy__business_system")


def restore_test_list_for_user(*, user=None, organization_id: int | None = None) -> QuerySet[RestoreTest]:
    qs = RestoreTest.objects.select_related("policy__business_system", "run", "performed_by")
    return visible(qs, user=user, organization_id=organization_id, system_path="policy__business_system")


def backup_alert_list_for_user(*, user=None, organization_id: int | None = None) -> QuerySet[BackupAlert]:
    qs = BackupAlert.objects.select_related("policy__business_system", "ticket", "run")
    return visible(qs, user=user, organization_id=organization_id, system_path="policy__business_system")


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _aware(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def backup_compliance(*, user=None, organization_id: int | None = None, year: int, month: int, today: dt.date | None = None,
                      policies: QuerySet[BackupPolicy] | None = None) -> list[dict]:
    """Per visible policy active in the month: days_required (from the policy's start to the month's
    end, or to yesterday in the running month), days_covered, missing_days, full_window_gaps (required
    days with no successful full run in the 7 days ending that day), full_runs, failed_runs (failed or
    partial), restore_tests (and restore_tests_failed), met. Three queries."""
    today = today or timezone.localdate()
    first, last = month_bounds(year, month)
    last_required = min(last, today - dt.timedelta(days=1))
    if policies is None:
        policies = backup_policy_list_for_user(user=user, organization_id=organization_id)
    policies = list(policies.filter(start_date__lte=last))
    if not policies:
        return []
    ids = [p.pk for p in policies]
    reach_back = first - dt.timedelta(days=FULL_WINDOW_DAYS - 1)
    success_days: dict[int, set[dt.date]] = defaultdict(set)
    full_days: dict[int, set[dt.date]] = defaultdict(set)
    full_runs: dict[int, int] = defaultdict(int)
    failed_runs: dict[int, int] = defaultdict(int)
    tz = timezone.get_current_timezone()
    runs = BackupRun.objects.filter(
        policy_id__in=ids, started_at__gte=_aware(reach_back), started_at__lt=_aware(last + dt.timedelta(days=1))
    ).values_list("policy_id", "started_at", "backup_type", "result")
    for policy_id, started_at, backup_type, result in runs:
        day = started_at.astimezone(tz).date()
        in_month = day >= first
        if result == BackupRun.Result.SUCCESS:
            success_days[policy_id].add(day)
            if backup_type == BackupType.FULL:
                full_days[policy_id].add(day)
                full_runs[policy_id] += in_month
        elif in_month:
            failed_runs[policy_id] += 1
    tests = {
        row["policy_id"]: row
        for row in RestoreTest.objects.filter(
            policy_id__in=ids, tested_at__gte=_aware(first), tested_at__lt=_aware(last + dt.timedelta(days=1))
        ).values("policy_id").annotate(n=Count("pk"), failed=Count("pk", filter=Q(result=RestoreTest.Result.FAILED)))
    }
    rows = []
    for policy in policies:
        start = max(first, policy.start_date)
        days = [start + dt.timedelta(days=i) for i in range((last_required - start).days + 1)] if last_required >= start else []
        missing = [d for d in days if d not in success_days[policy.pk]]
        fulls = full_days[policy.pk]
        gaps = [d for d in days if not any(d - dt.timedelta(days=k) in fulls for k in range(FULL_WINDOW_DAYS))]
        test = tests.get(policy.pk, {"n": 0, "failed": 0})
        rows.append({
            "policy": policy,
            "days_required": len(days),
            "days_covered": len(days) - len(missing),
            "missing_days": missing,
            "full_window_gaps": gaps,
            "full_runs": full_runs[policy.pk],
            "failed_runs": failed_runs[policy.pk],
            "restore_tests": test["n"],
            "restore_tests_failed": test["failed"],
            "met": not missing and not gaps,
        })
    return rows
