"""Pages: the KPI dashboard, monthly reports (generate, progress, issue) and acceptance packages."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import purchaser_organization_list, user_is_manager, user_sees_all_tenants
from core.exceptions import DomainError, NotFound, PermissionDenied, ValidationFailed, page_domain_error
from core.filters import int_param
from tickets.selectors import measures

from .forms import KINDS, GenerateForm, generate_forms
from .home import report_statuses
from .models import TaskState
from .preview import preview_page_count, preview_png
from .selectors.access import (
    contract_get_for_user,
    contract_list_for_reports,
    kpi_scope_for_user,
    monthly_report_get_for_user,
    monthly_report_list_for_user,
    package_get_for_user,
    package_list_for_user,
)
from .selectors.kpis import KPI_LABELS, kpis_compute, service_year_period
from .selectors.periods import Period, month_of, parse_report_period, period_for
from .services.monthly import (
    monthly_report_actions_for,
    monthly_report_issue,
    monthly_report_request,
    stale_before,
)
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
    """Month to date and the contract's service year to date side by side (issue 18 item 4: the same
    computation over both periods), tickets at risk, breaches, who is on duty, next heavy-protection
    period, report status, the package pipeline and the open remediation items."""
    from roster.selectors.duty import on_duty_users
    from roster.selectors.periods import periods_touching
    from tickets.selectors.reporting import clocks_at_risk

    from .views_assessments import dashboard_assessment_context

    now = timezone.now()
    scope = kpi_scope_for_user(user=request.user, organization_id=_int(request.GET.get("organization")), business_system_id=None)
    period = month_of(now)
    kpis = kpis_compute(period=period, scope=scope, now=now)
    year = service_year_period(scope=scope, day=timezone.localdate(now))
    year_rows = {row["key"]: row for row in kpis_compute(period=year, scope=scope, now=now).rows()} if year else {}
    at_risk = clocks_at_risk(scope=scope, now=now, window=AT_RISK_WINDOW, limit=LIST_LIMIT)
    breaches = measures.missed_clocks(period=period, scope=scope, now=now, bounds=kpis.ticket_id_bounds).select_related(
        "ticket__business_system", "ticket__assignee")
    breach_rows = list(breaches.order_by("-due_at")[:LIST_LIMIT])
    upcoming = periods_touching(start=now, end=now + dt.timedelta(days=366)).first()
    statuses = report_statuses(user=request.user, now=now)
    organizations = None
    if user_sees_all_tenants(request.user):
        organizations = list(purchaser_organization_list().order_by("name"))
    return render(request, "reports/dashboard.html", {
        "period": period,
        "now": now,
        "kpi_rows": [{**row, "year": year_rows.get(row["key"])} for row in kpis.rows()],
        "year": year,
        "at_risk": at_risk,
        "breaches": breach_rows,
        "breach_count": breaches.count(),
        "on_duty": on_duty_users(at=now),
        "next_period": upcoming,
        "statuses": statuses,
        "organizations": organizations,
        "selected_org": scope.organization_id,
        "labels": KPI_LABELS,
        **dashboard_assessment_context(user=request.user, now=now),
    })


def _generations_page(request, rows, template: str, *, bound: GenerateForm | None = None):
    """A generation list (monthly reports, acceptance packages): 30 a page, newest month and version
    first, with the generate forms for the managers (`bound`: the one that was refused, input kept)."""
    page = Paginator(rows.order_by("-month", "kind", "-version"), 30).get_page(request.GET.get("page"))
    manager = user_is_manager(request.user)
    contracts = list(contract_list_for_reports(user=request.user)) if manager else []
    return render(request, template, {
        "page": page, "may_generate": manager,
        "generate_forms": generate_forms(
            contracts=contracts, default_month=month_of(timezone.now()).previous().code,
            default_quarter=_previous_quarter(timezone.localdate()).code, bound=bound,
        ) if manager else [],
    })


def _previous_quarter(day: dt.date) -> Period:
    """The calendar quarter before the one holding `day`: the one whose materials are due."""
    return period_for("quarter", dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)).previous()


def _show_refusal(request, exc: DomainError) -> None:
    """A refused POST from a page: 404/403 as such, any other refusal as a message on the next page."""
    if isinstance(exc, NotFound | PermissionDenied):
        raise exc
    page_domain_error(exc, request=request)


def _refused(request, exc: DomainError, to: str, **kwargs):
    _show_refusal(request, exc)
    return redirect(to, **kwargs)


def _generate(request, request_generation, rows, template: str):
    """POST `contract`, `kind` (month, quarter, year) and `month` or `quarter`: queue a generation. Returns
    the report or package, or the list page again with the refused form (input kept, the reason beside
    its field or at its top)."""
    if not user_is_manager(request.user):
        raise DjangoPermissionDenied
    kind = request.POST.get("kind")
    contracts = list(contract_list_for_reports(user=request.user))
    form = GenerateForm(request.POST, kind=kind if kind in KINDS else "month", contracts=contracts)
    if not form.is_valid():  # the messages stand beside the inputs
        return None, _generations_page(request, rows, template, bound=form)
    try:
        contract = contract_get_for_user(user=request.user, contract_id=form.cleaned_data["contract"])
        period = parse_report_period(contract=contract, **form.period_input())
        return request_generation(actor=request.user, contract=contract, period=period), None
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        page_domain_error(exc, form=form)
        return None, _generations_page(request, rows, template, bound=form)


@_guard
def monthly_list(request):
    return _generations_page(request, monthly_report_list_for_user(user=request.user), "reports/monthly_list.html")


@require_POST
@_guard
def monthly_generate(request):
    report, refused = _generate(request, monthly_report_request, monthly_report_list_for_user(user=request.user),
                                "reports/monthly_list.html")
    if report is None:
        return refused
    messages.success(request, _("已开始生成 %(period)s %(title)s第 %(v)s 版") % {
        "period": report.period_code, "title": report.title, "v": report.version})
    return redirect("reports-monthly-detail", pk=report.pk)


@_guard
def monthly_detail(request, pk: int):
    report = monthly_report_get_for_user(user=request.user, report_id=pk)
    return render(request, "reports/monthly_detail.html", {
        "report": report,
        "working": report.task_state in (TaskState.QUEUED, TaskState.RUNNING),
        **_stall(report),
        "may_issue": "issue" in monthly_report_actions_for(user=request.user, report=report),
        "may_generate": user_is_manager(request.user),
        "preview_pages": range(1, preview_page_count(report) + 1),
    })


@_guard
def monthly_preview(request, pk: int, page: int):
    """One page of the report's preview as a PNG (reports.preview), for whoever may read the report."""
    report = monthly_report_get_for_user(user=request.user, report_id=pk)
    path = preview_png(report, page)
    if path is None:
        raise Http404
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"  # named by the PDF's hash: a page never changes
    return response


@require_POST
@_guard
def monthly_issue(request, pk: int):
    report = monthly_report_get_for_user(user=request.user, report_id=pk)
    # Issuing is final: one who may issue ticks the confirmation first (anyone else gets the service's refusal).
    if request.POST.get("confirm") != "1" and "issue" in monthly_report_actions_for(user=request.user, report=report):
        messages.error(request, _("签发前请勾选确认已核对本版本。"))
        return redirect("reports-monthly-detail", pk=pk)
    try:
        report = monthly_report_issue(actor=request.user, report_id=pk)
    except DomainError as exc:
        return _refused(request, exc, "reports-monthly-detail", pk=pk)
    messages.success(request, _("%(period)s %(title)s第 %(v)s 版已签发归档") % {
        "period": report.period_code, "title": report.title, "v": report.version})
    return redirect("reports-monthly-detail", pk=pk)


@_guard
def package_list(request):
    return _generations_page(request, package_list_for_user(user=request.user), "reports/package_list.html")


@require_POST
@_guard
def package_generate(request):
    package, refused = _generate(request, acceptance_package_request, package_list_for_user(user=request.user),
                                 "reports/package_list.html")
    if package is None:
        return refused
    return redirect("reports-package-detail", pk=package.pk)


@_guard
def package_detail(request, pk: int):
    from .views_assessments import package_assessment_context

    package = package_get_for_user(user=request.user, package_id=pk)
    return render(request, "reports/package_detail.html", {
        "package": package, "working": package.task_state in (TaskState.QUEUED, TaskState.RUNNING), **_stall(package),
        **package_assessment_context(request, package),
    })

