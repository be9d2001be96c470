"""Who is acting, from where: one contextvar read by every audit write.

Requests get it from `AuditContextMiddleware` (the user is read lazily, so DRF token authentication,
which happens inside the view, is seen too). Celery tasks and management commands wrap their work in
`audit_context(actor=..., source="task:…")`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class AuditActor:
    request: HttpRequest | None = None
    user: Any = None  # a User, or None for the system
    ip: str | None = None
    source: str = ""

    def resolve_user(self):
        if self.user is not None:
            return self.user
        if self.request is not None:
            user = getattr(self.request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                return user
        return None


_current: contextvars.ContextVar[AuditActor | None] = contextvars.ContextVar("opsdesk_audit_actor", default=None)


def current_actor() -> AuditActor:
    return _current.get() or AuditActor(source="system")


@contextmanager
def audit_context(*, actor=None, ip: str | None = None, source: str = "system") -> Iterator[None]:
    """Attribute every audit entry written inside the block to `actor` (None: the system)."""
    token = _current.set(AuditActor(user=actor, ip=ip, source=source))
    try:
        yield
    finally:
        _current.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. REMOTE_ADDR only: behind the reverse proxy, gunicorn is configured with
    forwarded_allow_ips so REMOTE_ADDR already is the client; X-Forwarded-For from the client is not
    trusted (it would let anyone write any IP into the audit log)."""
    value = request.META.get("REMOTE_ADDR") or None
    return value[:45] if value else None


class AuditContextMiddleware:
    """Puts the request into the audit context for the duration of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = "api" if request.path.startswith("/api/") else "web"
        token = _current.set(AuditActor(request=request, ip=client_ip(request), source=source))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
