"""Monitoring pages: the integrations with their last alert and counts, the set-up snippets, the alerts."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.selectors import user_is_auditor, user_is_provider_staff, user_sees_all_tenants
from core.exceptions import DomainError, NotFound, PermissionDenied, page_domain_error
from core.page_guard import page_refusal

from . import forms
from .selectors import (
    alert_list_for_user,
    integration_get_for_user,
    integration_list_for_user,
    user_manages_integrations,
)
from .services.integrations import (
    integration_create,
    integration_rotate_token,
    integration_update,
    integration_url,
    integration_url_shown,
)


def monitoring_page(view):
    """Signed in, provider staff or auditors (a purchaser's auditor reads its purchaser's integrations,
    through the selectors); domain errors that escape become 403 / 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (user_sees_all_tenants(request.user) or user_is_auditor(request.user)):
            raise DjangoPermissionDenied
        try:
            return view(request, *args, **kwargs)
        except (PermissionDenied, NotFound) as exc:
            raise page_refusal(exc) from exc

    return wrapper


@monitoring_page
def integration_list(request):
    can_manage = user_manages_integrations(request.user) and user_is_provider_staff(request.user)
    form = forms.IntegrationForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                integration, token = integration_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                page_domain_error(exc, form=form)
            else:
                return _show_url(request, integration, token)
    integrations = integration_list_for_user(user=request.user).order_by("name", "pk")
    return render(request, "monitoring/integrations.html", {"integrations": integrations, "form": form, "can_manage": can_manage})


def _show_url(request, integration, token: str):
    """The secret URL is shown once, on the page that answers the create or rotate request."""
    messages.success(request, _("密钥地址只显示这一次，请立即复制到 Alertmanager / Zabbix 配置中"))
    integration = integration_get_for_user(user=request.user, integration_id=integration.pk)
    return _detail(request, integration, url=integration_url(integration=integration, token=token))


@monitoring_page
def integration_detail(request, pk: int):
    integration = integration_get_for_user(user=request.user, integration_id=pk)
    if request.method == "POST":
        if not (user_manages_integrations(request.user) and user_is_provider_staff(request.user)):
            raise DjangoPermissionDenied
        try:
            if "rotate" in request.POST:
                integration, token = integration_rotate_token(actor=request.user, integration=integration)
                return _show_url(request, integration, token)
            if "toggle" in request.POST:
                integration_update(actor=request.user, integration=integration, enabled=not integration.enabled)
                messages.success(request, pgettext("integration toggled", "已停用") if integration.enabled else pgettext("integration toggled", "已启用"))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("monitoring-integration", pk=pk)
    return _detail(request, integration, url=None)


def _detail(request, integration, *, url: str | None):
    alerts = alert_list_for_user(user=request.user, integration_id=integration.pk)
    page = Paginator(alerts, 25).get_page(request.GET.get("page"))
    shown = url or integration_url_shown(integration=integration)
    return render(request, "monitoring/integration_detail.html", {
        "integration": integration, "url": url, "shown_url": shown, "page": page,
        "can_manage": user_manages_integrations(request.user) and user_is_provider_staff(request.user),
    })
