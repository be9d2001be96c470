"""Who may write the routine records. Reads are ruled by routine.selectors.access."""

from accounts.models import User
from accounts.selectors import user_is_provider_staff
from core.exceptions import PermissionDenied


def may_write(actor: User) -> bool:
    """Routine records are the provider's work: purchasers and auditors read them and write nothing."""
    return user_is_provider_staff(actor)


def require_provider_staff(actor: User, message: str = "") -> None:
    if not may_write(actor):
        raise PermissionDenied(message or None)


def may_report_backups(actor: User) -> bool:
    """Provider staff, or the backup system's own account (permission routine.report_backup_run, used
    with an API token)."""
    return user_is_provider_staff(actor) or actor.has_perm("routine.report_backup_run")
