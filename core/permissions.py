"""API permission shared by every view (REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"])."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from accounts.roles import Role
from accounts.selectors import user_roles


class IsAuthenticatedAuditorsReadOnly(IsAuthenticated):
    """Signed in; and a user whose only role is auditor (审计) reads everything and changes nothing.

    Refused before the input is parsed, so an auditor's write answers 403 on every endpoint rather
    than a 400 about its body. A view that changes only the caller's own state (marking their own
    notifications read) sets `auditor_may_write = True`."""

    message = _("审计人员只能查看，不能修改")

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS or getattr(view, "auditor_may_write", False):
            return True
        return user_roles(request.user) != {Role.AUDITOR}
