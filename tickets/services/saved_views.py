"""A user's saved views of the ticket list (issue 19 item 10): create, rename, make default, delete.
Each user keeps their own (the selectors give nobody else's); the query string is checked and made
canonical by the caller (tickets.listing.ticket_list_query_clean), as the list reads it."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import PermissionDenied, ValidationFailed

from ..models import SAVED_VIEW_NAME_MAX_LENGTH, SAVED_VIEW_QUERY_MAX_LENGTH, SavedTicketView

SAVED_VIEWS_PER_USER = 30


def _name_check(*, owner: User, name: str, exclude: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(fields={"name": [_("请填写视图名称")]})
    if len(name) > SAVED_VIEW_NAME_MAX_LENGTH:
        raise ValidationFailed(fields={"name": [_("名称最多 %(n)s 个字") % {"n": SAVED_VIEW_NAME_MAX_LENGTH}]})
    taken = SavedTicketView.objects.filter(owner=owner, name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationFailed(fields={"name": [_("已有同名视图")]})
    return name


def _default_clear(*, owner: User, now: dt.datetime, keep: int | None = None) -> None:
    """Only one default a user (the database says so too): the others stop being it."""
    for view in SavedTicketView.objects.select_for_update().filter(owner=owner, is_default=True).exclude(pk=keep):
        view.is_default = False
        view.updated_at = now
        view.save(update_fields=["is_default", "updated_at"])


def _owner_check(*, actor: User, view: SavedTicketView) -> None:
    if view.owner_id != actor.pk:  # the selectors never hand out another's view; a caller that did is wrong
        raise PermissionDenied(_("只能修改自己的视图"))


@transaction.atomic
def saved_view_create(*, actor: User, name: str, query: str, is_default: bool = False,
                      now: dt.datetime | None = None) -> SavedTicketView:
    """Save `query` (canonical, checked by the caller) under `name` for `actor`."""
    now = now or timezone.now()
    if not actor.is_authenticated:
        raise PermissionDenied()
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one writer of a user's views at a time
    name = _name_check(owner=actor, name=name)
    if len(query) > SAVED_VIEW_QUERY_MAX_LENGTH:
        raise ValidationFailed(fields={"query": [_("筛选条件过长")]})
    if SavedTicketView.objects.filter(owner=actor).count() >= SAVED_VIEWS_PER_USER:
        raise ValidationFailed(fields={"name": [_("每人最多保存 %(n)s 个视图，请先删除不用的") % {"n": SAVED_VIEWS_PER_USER}]})
    if is_default:
        _default_clear(owner=actor, now=now)
    return SavedTicketView.objects.create(owner=actor, name=name, query=query, is_default=is_default,
                                          created_at=now, updated_at=now)


@transaction.atomic
def saved_view_update(*, actor: User, view: SavedTicketView, name: str | None = None, is_default: bool | None = None,
                      now: dt.datetime | None = None) -> SavedTicketView:
    """Rename the view and/or make it (or stop it being) the default."""
    now = now or timezone.now()
    _owner_check(actor=actor, view=view)
    User.objects.select_for_update().filter(pk=actor.pk).first()
    view = SavedTicketView.objects.select_for_update().get(pk=view.pk)
    fields = []
    if name is not None:
        name = _name_check(owner=actor, name=name, exclude=view.pk)
        if name != view.name:
            view.name = name
            fields.append("name")
    if is_default is not None and is_default != view.is_default:
        if is_default:
            _default_clear(owner=actor, now=now, keep=view.pk)
        view.is_default = is_default
        fields.append("is_default")
    if fields:
        view.updated_at = now
        view.save(update_fields=[*fields, "updated_at"])
    return view


@transaction.atomic
def saved_view_delete(*, actor: User, view: SavedTicketView) -> None:
    _owner_check(actor=actor, view=view)
    SavedTicketView.objects.filter(pk=view.pk).delete()
