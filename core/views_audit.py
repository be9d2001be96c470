"""The auditor's pages: the audit trail search and the failed-login / lockout list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .audit.filters import AuditLogPageFilter
from .audit.readable import audit_entries_readable
from .audit.selectors import (
    audit_log_for_reading,
    audit_log_list,
    login_attempt_is_locked,
    login_attempt_list,
    user_may_read_audit,
    user_may_reset_lockouts,
)
from .audit.services import audit_retention_days, login_lockout_reset
from .exceptions import DomainError, page_domain_error
from .models import AuditLog

PAGE_SIZE = 50


def _require_reader(request) -> None:
    if not user_may_read_audit(request.user):
        raise DjangoPermissionDenied


@login_required
def audit_log_page(request):
    """The audit trail for a reader: labels, local times and values in words (core.audit.readable), the
    system progress entries hidden unless `progress=1`, 50 a page."""
    _require_reader(request)
    show_progress = request.GET.get("progress") == "1"
    rows = audit_log_for_reading(user=request.user, show_progress=show_progress)
    filterset = AuditLogPageFilter(request.GET or None, queryset=rows)
    if filterset.is_bound and filterset.is_valid():
        rows = filterset.qs
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {"filter": filterset, "page": page, "entries": audit_entries_readable(list(page.object_list)),
         "show_progress": show_progress, "query": query.urlencode(), "retention_days": audit_retention_days()},
    )


@login_required
def login_attempts_page(request):
    _require_reader(request)
    page = Paginator(login_attempt_list(user=request.user), 50).get_page(request.GET.get("page"))
    for attempt in page:
        attempt.locked = login_attempt_is_locked(attempt)
    recent = audit_log_list(user=request.user).filter(
        action__in=[AuditLog.Action.LOCKOUT, AuditLog.Action.LOGIN_FAILED]
    )[:50]
    return render(
        request,
        "core/login_attempts.html",
        {"page": page, "recent": recent, "may_reset": user_may_reset_lockouts(request.user)},
    )


@require_POST
@login_required
def login_attempt_reset(request, pk: int):
    try:
        login_lockout_reset(actor=request.user, attempt_id=pk)
    except DomainError as exc:
        if exc.status_code == 403:
            raise DjangoPermissionDenied from exc
        page_domain_error(exc, request=request)
    else:
        messages.success(request, gettext("已解除登录锁定"))
    return redirect("login-attempts")


def lockout_response(request, credentials=None, *args, **kwargs):
    """django-axes AXES_LOCKOUT_CALLABLE: a clear Chinese message, JSON for the API, a page otherwise.
    Status 429 (Too Many Requests) either way."""
    from django.conf import settings
    from django.http import JsonResponse

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else None
    message = (
        gettext("登录失败次数过多，账号已临时锁定，请 %(minutes)s 分钟后再试，或联系项目经理解锁。") % {"minutes": minutes}
        if minutes
        else gettext("登录失败次数过多，账号已锁定，请联系项目经理解锁。")
    )
    path = getattr(request, "path", "")
    if path.startswith("/api/") or "application/json" in request.META.get("HTTP_ACCEPT", ""):
        return JsonResponse({"code": "locked_out", "message": message, "fields": {}}, status=429)
    return render(request, "registration/locked_out.html", {"message": message, "cooloff_minutes": minutes}, status=429)
