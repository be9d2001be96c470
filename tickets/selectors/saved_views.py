"""A user's saved views of the ticket list: their own only (another user's view does not exist for them)."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import NotFound

from ..models import SavedTicketView


def saved_view_list_for_user(*, user: User) -> QuerySet[SavedTicketView]:
    """The user's views, by name."""
    if not user.is_authenticated:
        return SavedTicketView.objects.none()
    return SavedTicketView.objects.filter(owner=user).order_by("name", "pk")


def saved_view_get_for_user(*, user: User, view_id: int) -> SavedTicketView:
    """The user's view, or NotFound (also for another user's)."""
    try:
        return saved_view_list_for_user(user=user).get(pk=view_id)
    except (SavedTicketView.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound(_("视图不存在")) from exc


def saved_view_default_for_user(*, user: User) -> SavedTicketView | None:
    return saved_view_list_for_user(user=user).filter(is_default=True).first()
