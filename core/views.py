import logging

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .selectors import notification_list
from .services import notification_mark_read

logger = logging.getLogger("opsdesk.errors")


@login_required
def notification_inbox(request):
    page = Paginator(notification_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@require_POST
@login_required
def notification_read_all(request):
    notification_mark_read(user=request.user)
    return redirect("notifications")


def healthz(request):
    """Liveness and database reachability for load balancers and drills."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    """Landing page: the panels of the user's roles (what to act on now) and the latest notices. The
    panels refresh themselves every 30 s like the queue (htmx asks the same URL for the panels only)."""
    from django.utils import timezone
    from django.utils.cache import patch_vary_headers

    from .home import home_panels_for

    now = timezone.now()
    context = {"panels": home_panels_for(user=request.user, now=now), "now": now}
    if getattr(request, "htmx", False):
        response = render(request, "core/_home_panels.html", context)
    else:
        context["latest"] = notification_list(user=request.user).filter(read_at__isnull=True)[:5]
        response = render(request, "core/home.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def server_error(request):
    """handler500. While the database is unreachable (restart, failover, a killed connection) the
    answer is a clean 503 with Retry-After — JSON for the API, a short Chinese page otherwise — and the
    broken connection is dropped so the next request reconnects. Any other error: a plain 500 (the
    traceback goes to the log, never to the client)."""
    import sys

    from django.db import InterfaceError, OperationalError, connections
    from django.http import HttpResponse

    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, OperationalError | InterfaceError)
    if unavailable:
        for conn in connections.all(initialized_only=True):
            if not conn.in_atomic_block:
                conn.close_if_unusable_or_obsolete()
        status, code, message = 503, "service_unavailable", "数据库暂时不可用，请稍后重试。"
    else:
        status, code, message = 500, "server_error", "服务器内部错误，已记录，请稍后重试或联系运维人员。"
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": code, "message": message, "fields": {}}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    else:
        response = HttpResponse(_error_page_html(request, status=status, message=message, with_request=not unavailable), status=status)
    if unavailable:
        response["Retry-After"] = "30"
    return response


def _error_page_html(request, *, status: int, message: str, with_request: bool) -> str:
    """The 500/503 page with the site's frame. With the request (navigation, user) when the database
    answers; without it while the database is down (the navigation would query it); and a bare page
    if even the template fails, so the error page never raises."""
    from django.template.loader import render_to_string

    context = {"status": status, "message": message}
    if with_request:
        try:
            return render_to_string("500.html", context, request=request)
        except Exception:
            logger.exception("the 500 page could not render with the request; rendering it without")
    try:
        return render_to_string("500.html", context)
    except Exception:  # noqa: BLE001
        return (
            f'<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8"><title>{status}</title></head>'
            f"<body><h1>{status}</h1><p>{message}</p></body></html>"
        )
