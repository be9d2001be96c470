"""Pages of the routine work. Each view parses input, calls one service or selector and renders;
domain errors become messages on the form (or 403/404)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.selectors import user_is_provider_staff
from core import exports
from core.audit import audit_record
from core.consent import consent_actions_for, consent_decide
from core.exceptions import (
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    domain_error_text,
    page_domain_error,
)
from core.models import AuditLog
from core.page_guard import signed_in_page

from . import apis, apis_drills, apis_security, forms
from .models import InspectionItem, InspectionRound
from .selectors import backups as backup_selectors
from .selectors import drills as drill_selectors
from .selectors import inspections as inspection_selectors
from .selectors import permissions
from .selectors import security as security_selectors
from .selectors.registers import REGISTERS, Register
from .services import backups as backup_services
from .services import drills as drill_services
from .services import inspections as inspection_services
from .services import security as security_services

routine_page = signed_in_page  # signed in; a refusal that escapes is the 403 / 404 page (core.page_guard)


def page_error(request, exc: DomainError, form=None) -> None:
    """A refusal by role or of a record the user may not see escapes as 403 / 404; any other domain error
    is shown beside the form's fields and once as a message (core.exceptions.page_domain_error)."""
    if isinstance(exc, PermissionDenied | NotFound):
        raise exc
    page_domain_error(exc, form=form, request=request)


def page_month(request) -> tuple[int, int]:
    """The page's ?month=YYYY-MM as (year, month); the current month when absent, and when malformed
    (with a message saying so)."""
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        return apis.parse_month(month)
    except ValidationFailed:
        messages.error(request, _("请按 YYYY-MM 填写月份"))
        return timezone.localdate().year, timezone.localdate().month


def export_response(request, *, register: Register, objects, fmt: str) -> HttpResponse:
    headers, rows = register.headers(), register.values(objects)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        body = exports.xlsx_bytes([(register.title, headers, rows)])
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        body = exports.csv_bytes(headers, rows)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{register.key}-{stamp}.{fmt}"'
    audit_record(actor=request.user, action=AuditLog.Action.EXPORT, object_type=f"routine.{register.key}",
                 object_repr=str(register.title), detail=f"{register.title} {fmt.upper()}（{len(rows)} 行）")
    return response


def register_page(request, *, register: Register, filterset_class, template: str = "routine/register.html",
                  extra: dict | None = None):
    """A register's list page: filters, pages of 50, and ?export=csv|xlsx of everything filtered."""
    base = register.rows_for(user=request.user)
    filterset = filterset_class(request.GET or None, queryset=base)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return export_response(request, register=register, objects=rows[:50000], fmt=fmt)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    headers = register.headers()
    cells = [list(zip(headers, values, strict=True)) for values in register.values(page)]
    context = {"register": register, "filter": filterset, "page": page, "cells": cells, "headers": headers,
               "query": query.urlencode()}
    return render(request, template, context | (extra or {}))


# ---------------------------------------------------------------- backups


@routine_page
def backups(request):
    """Compliance of the month per policy (computed), the policies, and links to the registers."""
    year, number = page_month(request)
    rows = backup_selectors.backup_compliance(user=request.user, year=year, month=number)
    alerts = list(backup_selectors.backup_alert_list_for_user(user=request.user)[:10])
    return render(request, "routine/backups.html", {
        "rows": rows, "month": f"{year:04d}-{number:02d}", "alerts": alerts,
        "policies": backup_selectors.backup_policy_list_for_user(user=request.user),
        "may_create_policy": "create" in permissions.backup_policy_actions_for(user=request.user),
    })


@routine_page
def backup_runs(request):
    form = forms.RunImportForm()
    report = None
    may_import = "import" in permissions.backup_run_actions_for(user=request.user)
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied()
        form = forms.RunImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = backup_services.backup_runs_import(
                    actor=request.user, name=upload.name, data=upload.read(), partial=form.cleaned_data["partial"]
                )
            except DomainError as exc:
                page_error(request, exc, form)
            else:
                counts = report.counts
                text = _("新登记 %(created)s 行，已登记过 %(unchanged)s 行，有误 %(rejected)s 行。") % counts
                if report.stored:
                    messages.success(request, text)
                else:
                    messages.error(request, text + _("未登记任何记录。"))
    return register_page(request, register=REGISTERS["backup-runs"], filterset_class=apis.BackupRunFilter,
                         template="routine/backup_runs.html",
                         extra={"import_form": form, "report": report, "may_import": may_import})


@routine_page
def restore_tests(request):
    policies = backup_selectors.backup_policy_list_for_user(user=request.user)
    form = forms.RestoreTestForm(request.POST or None, policies=policies)
    may_record = "create" in permissions.restore_test_actions_for(user=request.user)
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied()
        if form.is_valid():
            try:
                backup_services.restore_test_record(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                page_error(request, exc, form)
            else:
                messages.success(request, _("恢复测试已登记"))
                return redirect(reverse("routine-restore-tests"))
    return register_page(request, register=REGISTERS["restore-tests"], filterset_class=apis.RestoreTestFilter,
                         template="routine/restore_tests.html",
                         extra={"form": form, "may_record": may_record})


# ---------------------------------------------------------------- inspections




@routine_page
def inspections(request):
    """The rounds register; provider staff see the rounds due now first."""
    due = []
    if user_is_provider_staff(request.user):
        now = timezone.now()
        due = list(inspection_selectors.inspection_round_list_for_user(user=request.user)
                   .filter(status=InspectionRound.Status.PENDING, slot__lte=now + dt.timedelta(hours=2))
                   .order_by("slot")[:20])
    return register_page(request, register=REGISTERS["inspection-rounds"], filterset_class=apis.InspectionRoundFilter,
                         template="routine/inspections.html", extra={"due": due})


@routine_page
def inspection_anomalies(request):
    return register_page(request, register=REGISTERS["inspection-anomalies"], filterset_class=_AnomalyFilter)


class _AnomalyFilter(apis.django_filters.FilterSet):
    slot_after = apis.core_filters.DateTimeFilter(field_name="round__slot", lookup_expr="gte", label=gettext_lazy("计划时间起"))
    slot_before = apis.core_filters.DateTimeFilter(field_name="round__slot", lookup_expr="lt", label=gettext_lazy("计划时间止"))

    class Meta:
        model = apis.InspectionResult
        fields = ["slot_after", "slot_before"]


@routine_page
def inspection_round(request, pk: int):
    """One round, on a phone: every item with its limits; abnormal items open a ticket in one step. The
    checklist form is offered when inspection_round_actions_for allows "complete" (as the API's)."""
    round_ = inspection_selectors.inspection_round_get_for_user(user=request.user, round_id=pk)
    items = list(round_.schedule.template.items.all())
    values, errors, refused = {}, {}, ""
    if request.method == "POST":
        answers = {}
        for item in items:
            answers[item.pk] = {"value": request.POST.get(f"value_{item.pk}", ""), "note": request.POST.get(f"note_{item.pk}", ""),
                                "abnormal": bool(request.POST.get(f"abnormal_{item.pk}"))}
        values = answers
        try:
            inspection_services.inspection_round_complete(actor=request.user, round_id=round_.pk, answers=answers,
                                                          notes=request.POST.get("notes", ""))
        except DomainError as exc:
            if isinstance(exc, PermissionDenied | NotFound):
                raise
            errors = exc.fields
            refused = domain_error_text(exc, placed={f"item_{item.pk}" for item in items})
            # Re-read: somebody may have done the round meanwhile (why it was refused).
            round_ = inspection_selectors.inspection_round_get_for_user(user=request.user, round_id=pk)
        else:
            messages.success(request, _("巡检已提交"))
            return redirect(reverse("routine-inspection-round", args=[round_.pk]))
    rows = [{"item": item, "answer": values.get(item.pk, {}), "errors": errors.get(f"item_{item.pk}", [])} for item in items]
    results = list(round_.results.all())
    return render(request, "routine/inspection_round.html", {
        "round": round_, "rows": rows, "kinds": InspectionItem.Kind, "refused": refused,
        "results": [(r, permissions.inspection_result_actions_for(user=request.user, result=r)) for r in results],
        "may_do": "complete" in inspection_selectors.inspection_round_actions_for(actor=request.user, round_=round_),
        "notes": request.POST.get("notes", "") if request.method == "POST" else "",
    })


@require_POST
@routine_page
def inspection_result_ticket(request, pk: int):
    result = inspection_selectors.inspection_result_list_for_user(user=request.user).filter(pk=pk).first()
    if result is None:
        raise NotFound()
    try:
        ticket = inspection_services.inspection_result_ticket(actor=request.user, result_id=result.pk,
                                                              severity=request.POST.get("severity", "P3"))
    except DomainError as exc:
        page_error(request, exc)
        return redirect(reverse("routine-inspection-round", args=[result.round_id]))
    messages.success(request, _("已开工单 %(number)s") % {"number": ticket.number})
    return redirect(reverse("ticket-detail", args=[ticket.pk]))


# ---------------------------------------------------------------- security self-checks


@routine_page
def security(request):
    """The month's security figures and the registers."""
    year, number = page_month(request)
    first, last = backup_selectors.month_bounds(year, number)
    figures = security_selectors.security_month(user=request.user, first=first, last=last)
    return render(request, "routine/security.html", {"month": f"{year:04d}-{number:02d}", "figures": figures})


@routine_page
def security_activities(request):
    return register_page(request, register=REGISTERS["security-activities"], filterset_class=apis_security.SecurityActivityFilter,
                         template="routine/security_activities.html",
                         extra={"may_create": "create" in permissions.security_activity_actions_for(user=request.user)})


@routine_page
def findings(request):
    return register_page(request, register=REGISTERS["findings"], filterset_class=apis_security.FindingFilter,
                         template="routine/findings.html",
                         extra={"may_create": "create" in permissions.finding_actions_for(user=request.user)})


@routine_page
def antivirus(request):
    month = timezone.localdate()
    first, last = backup_selectors.month_bounds(month.year, month.month)
    unswept = list(security_selectors.hosts_unswept(user=request.user, first=first, last=last)[:500])
    return register_page(request, register=REGISTERS["antivirus-sweeps"], filterset_class=apis_security.AntivirusSweepFilter,
                         template="routine/antivirus.html",
                         extra={"unswept": unswept, "may_create": "create" in permissions.antivirus_sweep_actions_for(user=request.user)})


@routine_page
def security_warnings(request):
    return register_page(request, register=REGISTERS["security-warnings"], filterset_class=_WarningFilter,
                         template="routine/security_warnings.html",
                         extra={"may_create": "publish" in permissions.security_warning_actions_for(user=request.user)})


class _WarningFilter(apis.django_filters.FilterSet):
    class Meta:
        model = apis_security.SecurityWarning
        fields = ["severity"]


@routine_page
def finding_detail(request, pk: int):
    """A finding with the status steps and the accepted-risk request finding_actions_for offers (as the
    API's), and the purchaser's decision on a request."""
    finding = security_selectors.finding_get_for_user(user=request.user, finding_id=pk)
    note_form, risk_form = forms.NoteForm(), forms.RiskRequestForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "accept_risk":
                risk_form = forms.RiskRequestForm(request.POST)
                if not risk_form.is_valid():
                    raise ValidationFailed()
                security_services.finding_accept_risk_request(actor=request.user, finding_id=finding.pk,
                                                              reason=risk_form.cleaned_data["reason"])
            elif action.startswith("consent_"):
                acceptance = next((a for a in finding.acceptances.all() if str(a.pk) == request.POST.get("acceptance")), None)
                if acceptance is None:
                    raise NotFound()
                consent_decide(acceptance, actor=request.user, action=action.removeprefix("consent_"), note=request.POST.get("note", ""))
            else:
                note_form = forms.NoteForm(request.POST)
                if not note_form.is_valid():
                    raise ValidationFailed()
                security_services.finding_move(actor=request.user, finding_id=finding.pk, action=action,
                                               note=note_form.cleaned_data["note"])
        except DomainError as exc:
            page_error(request, exc, risk_form if action == "accept_risk" else note_form)
            finding = security_selectors.finding_get_for_user(user=request.user, finding_id=pk)
        else:
            messages.success(request, _("已保存"))
            return redirect(reverse("routine-finding", args=[finding.pk]))
    actions = permissions.finding_actions_for(user=request.user, finding=finding)
    acceptances = [(a, consent_actions_for(user=request.user, consent=a)) for a in finding.acceptances.all()]
    labels = security_services.FINDING_TRANSITIONS.labels()
    statuses = dict(security_services.Finding.Status.choices)
    said = labels | {"open": _("登记"), "risk_requested": _("申请采购人接受风险")}
    events = [(e, said.get(e.action, e.action), statuses.get(e.to_status, e.to_status)) for e in finding.events.all()]
    return render(request, "routine/finding_detail.html", {
        "events": events,
        "finding": finding, "note_form": note_form, "risk_form": risk_form,
        "actions": [(a, labels[a]) for a in actions],
        "acceptances": acceptances,
        "may_request": permissions.finding_may_request_acceptance(user=request.user, finding=finding),
    })


# ---------------------------------------------------------------- drills


class _DrillFilter(apis.django_filters.FilterSet):
    class Meta:
        model = apis_drills.Drill
        fields = ["kind", "status"]


@routine_page
def drills(request):
    return register_page(request, register=REGISTERS["drills"], filterset_class=_DrillFilter, template="routine/drills.html",
                         extra={"may_create": "plan" in permissions.drill_actions_for(user=request.user)})


@routine_page
def drill_detail(request, pk: int):
    drill = drill_selectors.drill_get_for_user(user=request.user, drill_id=pk)
    sign_form = forms.DrillSignForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "sign":
                sign_form = forms.DrillSignForm(request.POST)
                if not sign_form.is_valid():
                    raise ValidationFailed()
                drill_services.drill_sign(actor=request.user, drill_id=drill.pk, note=sign_form.cleaned_data["note"])
            elif request.POST.get("action") == "ticket":
                problem = next((p for p in drill.problems.all() if str(p.pk) == request.POST.get("problem")), None)
                if problem is None:
                    raise NotFound()
                ticket_form = forms.ProblemTicketForm(request.POST)
                if not ticket_form.is_valid():
                    raise ValidationFailed(fields=ticket_form.errors)
                drill_services.drill_problem_ticket(actor=request.user, problem_id=problem.pk,
                                                    severity=ticket_form.cleaned_data["severity"])
            else:
                raise ValidationFailed(fields={"action": [_("操作无效")]})
        except DomainError as exc:
            page_error(request, exc, sign_form)
            drill = drill_selectors.drill_get_for_user(user=request.user, drill_id=pk)
        else:
            messages.success(request, _("已保存"))
            return redirect(reverse("routine-drill", args=[drill.pk]))
    actions = permissions.drill_actions_for(user=request.user, drill=drill)
    return render(request, "routine/drill_detail.html", {
        "drill": drill, "sign_form": sign_form, "may_sign": "sign" in actions, "may_record": "record" in actions,
        "problems": [(p, permissions.drill_problem_actions_for(user=request.user, problem=p)) for p in drill.problems.all()],
        "severities": forms.SEVERITIES,
    })
