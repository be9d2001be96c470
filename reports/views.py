"""Pages: the KPI dashboard, monthly reports (generate, progress, issue) and acceptance packages."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import Role
from accounts.selectors import user_has_role, user_is_manager, user_sees_all_tenants
from core.exceptions import DomainError, NotFound, PermissionDenied, ValidationFailed
from core.filters import int_param

from .models import TaskState
from .selectors.access import (
    contract_get_for_user,
    contract_list_for_reports,
    kpi_scope_for_user,
    monthly_report_get_for_user,
    monthly_report_list_for_user,
    package_get_for_user,
    package_list_for_user,
)
from .selectors.kpis import KPI_LABELS, kpis_compute, missed_clocks
from .selectors.periods import month_of, parse_month
from .services.monthly import monthly_report_issue, monthly_report_request, report_status_for, stale_before
from .services.packages import acceptance_package_request

AT_RISK_WINDOW = dt.timedelta(hours=1)
LIST_LIMIT = 20


def _guard(fn):
    """Domain errors on pages: 404/403 as Django responses; the rest shown as a message."""

    def wrapper(request, *args, **kwargs):
        try:
            return fn(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc.message)) from None

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return login_required(wrapper)


def _int(value) -> int | None:
    try:
        return int_param(value, name="id")
    except ValidationFailed:
        return None


def _stall(row) -> dict:
    """Whether a running generation's heartbeat has gone quiet (its worker was killed): the page says it
    will be re-queued instead of showing a frozen bar."""
    stalled = row.task_state == TaskState.RUNNING and (row.progress_at is None or row.progress_at < stale_before(timezone.now()))
    return {"stalled": stalled, "stale_minutes": settings.REPORTS_STALE_RUNNING_MINUTES}


@_guard
def dashboard(request):
    """Month to date: KPI table, tickets at risk, breaches, who is on duty, next heavy-protection
    period, report status."""
    from roster.selectors.duty import on_duty_users
    from roster.selectors.periods import periods_touching
    from tickets.selectors.reporting import clocks_at_risk

    now = timezone.now()
    scope = kpi_scope_for_user(user=request.user, organization_id=_int(request.GET.get("organization")), business_system_id=None)
    period = month_of(now)
    kpis = kpis_compute(period=period, scope=scope, now=now)
    at_risk = clocks_at_risk(scope=scope, now=now, window=AT_RISK_WINDOW, limit=LIST_LIMIT)
    breaches = missed_clocks(period=period, scope=scope, now=now, bounds=kpis.ticket_id_bounds).select_related(
        "ticket__business_system", "ticket__assignee")
    breach_rows = list(breaches.order_by("-due_at")[:LIST_LIMIT])
    upcoming = periods_touching(start=now, end=now + dt.timedelta(days=366)).first()
    contracts = list(contract_list_for_reports(user=request.user)[:5])
    statuses = []
    for contract in contracts:
        statuses.append({"contract": contract, "current": report_status_for(contract=contract, period=period.previous(), now=now)})
    organizations = None
    if user_sees_all_tenants(request.user):
        from accounts.models import Organization

        organizations = list(Organization.objects.filter(kind="purchaser", parent__isnull=True).order_by("name"))
    return render(request, "reports/dashboard.html", {
        "period": period,
        "now": now,
        "kpi_rows": kpis.rows(),
        "at_risk": at_risk,
        "breaches": breach_rows,
        "breach_count": breaches.count(),
        "on_duty": on_duty_users(at=now),
        "next_period": upcoming,
        "statuses": statuses,
        "organizations": organizations,
        "selected_org": scope.organization_id,
        "labels": KPI_LABELS,
    })


@_guard
def monthly_list(request):
    reports = monthly_report_list_for_user(user=request.user).order_by("-month", "-version")
    page = Paginator(reports, 30).get_page(request.GET.get("page"))
    contracts = list(contract_list_for_reports(user=request.user)) if user_is_manager(request.user) else []
    default_month = month_of(timezone.now()).previous().code
    return render(request, "reports/monthly_list.html", {
        "page": page, "contracts": contracts, "default_month": default_month,
        "may_generate": user_is_manager(request.user),
    })


@require_POST
@_guard
def monthly_generate(request):
    try:
        contract = contract_get_for_user(user=request.user, contract_id=_int(request.POST.get("contract")))
        report = monthly_report_request(actor=request.user, contract=contract, period=parse_month(request.POST.get("month", "")))
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        detail = "；".join(str(m) for msgs in exc.fields.values() for m in msgs) or str(exc.message)
        messages.error(request, detail)
        return redirect("reports-monthly")
    messages.success(request, f"已开始生成 {report.month:%Y-%m} 月报第 {report.version} 版")
    return redirect("reports-monthly-detail", pk=report.pk)


@_guard
def monthly_detail(request, pk: int):
    report = monthly_report_get_for_user(user=request.user, report_id=pk)
    return render(request, "reports/monthly_detail.html", {
        "report": report,
        "working": report.task_state in (TaskState.QUEUED, TaskState.RUNNING),
        **_stall(report),
        "may_issue": user_has_role(request.user, Role.PROJECT_MANAGER) and not report.is_issued
        and report.task_state == TaskState.DONE,
        "may_generate": user_is_manager(request.user),
    })


@require_POST
@_guard
def monthly_issue(request, pk: int):
    monthly_report_get_for_user(user=request.user, report_id=pk)
    try:
        report = monthly_report_issue(actor=request.user, report_id=pk)
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        messages.error(request, str(exc.message))
        return redirect("reports-monthly-detail", pk=pk)
    messages.success(request, f"{report.month:%Y-%m} 月报第 {report.version} 版已签发归档")
    return redirect("reports-monthly-detail", pk=pk)


@_guard
def package_list(request):
    packages = package_list_for_user(user=request.user).order_by("-month", "-version")
    page = Paginator(packages, 30).get_page(request.GET.get("page"))
    contracts = list(contract_list_for_reports(user=request.user)) if user_is_manager(request.user) else []
    return render(request, "reports/package_list.html", {
        "page": page, "contracts": contracts, "default_month": month_of(timezone.now()).previous().code,
        "may_generate": user_is_manager(request.user),
    })


@require_POST
@_guard
def package_generate(request):
    try:
        contract = contract_get_for_user(user=request.user, contract_id=_int(request.POST.get("contract")))
        package = acceptance_package_request(actor=request.user, contract=contract, period=parse_month(request.POST.get("month", "")))
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        detail = "；".join(str(m) for msgs in exc.fields.values() for m in msgs) or str(exc.message)
        messages.error(request, detail)
        return redirect("reports-packages")
    return redirect("reports-package-detail", pk=package.pk)


@_guard
def package_detail(request, pk: int):
    package = package_get_for_user(user=request.user, package_id=pk)
    return render(request, "reports/package_detail.html", {
        "package": package, "working": package.task_state in (TaskState.QUEUED, TaskState.RUNNING), **_stall(package),
    })

