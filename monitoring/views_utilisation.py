"""Utilisation pages: the month per business system and host, the optimisation findings with their two
actions and the thresholds, the import with its template. Purchaser staff and auditors read their own
organisation's systems; the project manager and duty leaders act."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError, PermissionDenied, page_domain_error, page_status
from core.page_guard import signed_in_page

from . import forms
from .apis_utilisation import IMPORT_MAX_BYTES, parse_month, template_response
from .models import Metric, OptimisationFinding
from .selectors.utilisation import (
    business_systems_for_user,
    finding_actions_for,
    finding_get_for_user,
    finding_list_for_user,
    threshold_get,
    threshold_list,
    user_manages_utilisation,
    utilisation_month_for_user,
)
from .services.utilisation import finding_dismiss, finding_ticket, utilisation_import, utilisation_threshold_update

utilisation_page = signed_in_page  # signed in; a refusal that escapes is the 403 / 404 page (core.page_guard)


@utilisation_page
def utilisation_month(request):
    data = request.GET.copy()
    data.setdefault("month", f"{timezone.localdate():%Y-%m}")
    form = forms.UtilisationFilterForm(data, business_systems=business_systems_for_user(user=request.user))
    form.is_valid()
    chosen = form.cleaned_data  # the fields that are valid filter; the others say why beside them
    month = None
    try:
        month = parse_month(chosen.get("month"))
    except DomainError as exc:
        page_domain_error(exc, form=form)  # beside the month; the page shows this month meanwhile
    month = month or timezone.localdate().replace(day=1)
    system = chosen.get("business_system")
    system_id = system.pk if system else None
    systems = utilisation_month_for_user(user=request.user, month=month, business_system_id=system_id)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(request, "monitoring/utilisation.html", {
        "form": form, "month": month, "previous": previous, "following": following, "systems": systems,
        "system_id": system_id, "metrics": Metric.choices, "can_manage": user_manages_utilisation(request.user),
    })


@utilisation_page
def utilisation_import_page(request):
    if not user_manages_utilisation(request.user):
        raise DjangoPermissionDenied
    form = forms.UtilisationImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            form.add_error("file", _("文件不能超过 5 MB"))
        else:
            try:
                stored = utilisation_import(actor=request.user, name=upload.name, data=upload.read())
            except DomainError as exc:
                page_domain_error(exc, form=form)  # row messages at the top of the form, once
            else:
                messages.success(request, _("已导入 %(n)s 条利用率记录") % {"n": stored})
                return redirect("monitoring-utilisation")
    return render(request, "monitoring/utilisation_import.html", {"form": form})


@utilisation_page
def utilisation_template(request):
    return template_response(request.GET.get("format", "csv"))


def _findings_page(request, *, bound: dict | None = None, status: int = 200):
    """The findings with their actions and the thresholds; `bound` is the one form the user sent and
    that was refused (a finding's dismissal or a threshold), shown again with its input and messages."""
    bound = bound or {}
    state = request.GET.get("state", OptimisationFinding.State.OPEN)
    if state not in OptimisationFinding.State.values:
        state = ""
    findings = finding_list_for_user(user=request.user, state=state or None)
    page = Paginator(findings, 25).get_page(request.GET.get("page"))
    rows = []
    for f in page:
        dismiss = forms.FindingDismissForm(auto_id=f"f{f.pk}-%s")
        rows.append((f, finding_actions_for(user=request.user, finding=f), bound.get(("dismiss", f.pk), dismiss)))
    can_manage = user_manages_utilisation(request.user)
    thresholds = []
    for t in threshold_list():
        form = None
        if can_manage:
            form = bound.get(("threshold", t.pk)) or forms.ThresholdForm(
                initial={"statistic": t.statistic, "percent": t.percent, "days": t.days, "enabled": t.enabled},
                prefix=f"t{t.pk}")
        thresholds.append((t, form))
    return render(request, "monitoring/findings.html", {
        "page": page, "rows": rows, "state": state, "states": OptimisationFinding.State.choices, "can_manage": can_manage,
        "thresholds": thresholds,
    }, status=status)


def _findings_url(request) -> str:
    """The findings page the form was sent from: its tab and page ride on the form's action URL."""
    query = {key: request.GET[key] for key in ("state", "page") if request.GET.get(key)}
    return reverse("monitoring-findings") + (f"?{urlencode(query)}" if query else "")


@utilisation_page
def finding_list(request):
    return _findings_page(request)


@require_POST
@utilisation_page
def finding_act(request, pk: int, action: str):
    finding = finding_get_for_user(user=request.user, finding_id=pk)
    try:
        if action == "ticket":
            finding = finding_ticket(actor=request.user, finding=finding)
            messages.success(request, _("已生成资源调整工单 %(number)s") % {"number": finding.ticket.number})
        elif action == "dismiss":
            form = forms.FindingDismissForm(request.POST, auto_id=f"f{pk}-%s")
            if not form.is_valid():  # the messages stand beside the input, in the row it was sent from
                return _findings_page(request, bound={("dismiss", pk): form})
            finding_dismiss(actor=request.user, finding=finding, reason=form.cleaned_data["reason"])
            messages.success(request, _("已忽略该优化建议"))
        else:
            raise Http404
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        # Refused by the finding's state (already ticketed or dismissed by someone else): the finding has
        # left the list the form stood in, so the reason comes as the next page's message.
        page_domain_error(exc, request=request)
    return redirect(_findings_url(request))


@require_POST
@utilisation_page
def threshold_edit(request, pk: int):
    if not user_manages_utilisation(request.user):
        raise DjangoPermissionDenied
    threshold = threshold_get(threshold_id=pk)
    form = forms.ThresholdForm(request.POST, prefix=f"t{pk}")
    if not form.is_valid():  # the messages stand beside the inputs already
        return _findings_page(request, bound={("threshold", pk): form})
    try:
        utilisation_threshold_update(actor=request.user, threshold=threshold, **form.cleaned_data)
    except DomainError as exc:
        page_domain_error(exc, form=form)
        return _findings_page(request, bound={("threshold", pk): form}, status=page_status(exc))
    messages.success(request, _("阈值已保存"))
    return redirect(_findings_url(request))
