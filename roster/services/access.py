"""Who may change duty data. Reading rules live in roster.selectors.access."""

from django.utils.translation import gettext as _

from accounts.selectors import user_is_manager, user_is_provider_staff
from core.exceptions import PermissionDenied


def is_manager(actor) -> bool:
    """Duty leaders and project managers (and superusers) plan rosters, periods and approve swaps."""
    return actor is not None and (getattr(actor, "is_superuser", False) or user_is_manager(actor))


def require_manager(actor) -> None:
    if not is_manager(actor):
        raise PermissionDenied(_("只有值班负责人或项目经理可以执行此操作"))


def require_provider_staff(actor) -> None:
    """People who stand duty (provider staff) write logs, reports, handovers and ask for swaps."""
    if not (getattr(actor, "is_superuser", False) or user_is_provider_staff(actor)):
        raise PermissionDenied(_("只有服务商值班人员可以执行此操作"))
