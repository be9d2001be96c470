"""Pages of the routine work. Each view parses input, calls one service or selector and renders;
domain errors become messages on the form (or 403/404)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import user_is_provider_staff
from core.audit import audit_record
from core.exceptions import DomainError, NotFound, PermissionDenied, ValidationFailed
from core.models import AuditLog

from . import apis, exports, forms
from .selectors import backups as backup_selectors
from .selectors.registers import REGISTERS, Register
from .services import backups as backup_services
from .services.access import may_report_backups


def routine_page(view):
    """Signed in; domain errors that escape become 403 / 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc.message)) from exc
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc

    return wrapper


def form_errors(request, exc: DomainError, form=None) -> None:
    """A domain error on the form's fields, or as messages for fields the form lacks."""
    messages.error(request, str(exc.message))
    for name, errs in exc.fields.items():
        for err in errs if isinstance(errs, list) else [errs]:
            if form is not None and name in form.fields:
                form.add_error(name, str(err))
            else:
                messages.error(request, f"{name}: {err}" if name != "non_field_errors" else str(err))


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
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        year, number = apis.parse_month(month)
    except ValidationFailed:
        year, number = timezone.localdate().year, timezone.localdate().month
        messages.error(request, _("请按 YYYY-MM 填写月份"))
    rows = backup_selectors.backup_compliance(user=request.user, year=year, month=number)
    alerts = list(backup_selectors.backup_alert_list_for_user(user=request.user)[:10])
    return render(request, "routine/backups.html", {
        "rows": rows, "month": f"{year:04d}-{number:02d}", "alerts": alerts,
        "policies": backup_selectors.backup_policy_list_for_user(user=request.user),
    })


@routine_page
def backup_runs(request):
    form = forms.RunImportForm()
    report = None
    if request.method == "POST":
        if not may_report_backups(request.user):
            raise PermissionDenied()
        form = forms.RunImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = backup_services.backup_runs_import(
                    actor=request.user, name=upload.name, data=upload.read(), partial=form.cleaned_data["partial"]
                )
            except DomainError as exc:
                form_errors(request, exc, form)
            else:
                counts = report.counts
                text = _("新登记 %(created)s 行，已登记过 %(unchanged)s 行，有误 %(rejected)s 行。") % counts
                if report.stored:
                    messages.success(request, text)
                else:
                    messages.error(request, text + _("未登记任何记录。"))
    return register_page(request, register=REGISTERS["backup-runs"], filterset_class=apis.BackupRunFilter,
                         template="routine/backup_runs.html",
                         extra={"import_form": form, "report": report, "may_import": may_report_backups(request.user)})


@routine_page
def restore_tests(request):
    policies = backup_selectors.backup_policy_list_for_user(user=request.user)
    form = forms.RestoreTestForm(request.POST or None, policies=policies)
    if request.method == "POST":
        if not user_is_provider_staff(request.user):
            raise PermissionDenied()
        if form.is_valid():
            try:
                backup_services.restore_test_record(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_errors(request, exc, form)
            else:
                messages.success(request, _("恢复测试已登记"))
                return redirect(reverse("routine-restore-tests"))
    return register_page(request, register=REGISTERS["restore-tests"], filterset_class=apis.RestoreTestFilter,
                         template="routine/restore_tests.html",
                         extra={"form": form, "may_record": user_is_provider_staff(request.user)})
