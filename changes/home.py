"""Home-page panels of the changes app (core.home): what an approver has to decide (change approvals
and the purchaser's consents) and today's changes (the engineer's own, or all for the duty leader)."""

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from accounts.selectors import user_is_manager
from core.home import HomePanel

from .models import ChangeRequest
from .selectors import change_awaiting_approval_for_user, change_list_for_user

ROWS = 6


def _approvals(*, user, now):
    from core.consent import consent_pending_for

    changes = list(change_awaiting_approval_for_user(user=user).order_by("window_start", "pk")[:ROWS])
    items = [
        {"url": reverse("change-detail", args=[c.pk]), "number": c.number, "title": c.title, "what": _("变更审批")}
        for c in changes
    ]
    for kind, qs in consent_pending_for(user=user):
        for consent in qs[:ROWS]:
            url = consent.get_absolute_url() if hasattr(consent, "get_absolute_url") else ""
            items.append({"url": url, "number": "", "title": str(consent), "what": kind.label})
    return {
        "title": _("待我决定"),
        "items": items,
        "more_url": reverse("change-inbox"),
        "empty": _("没有待您审批或确认的事项。"),
    }


def changes_today(*, user, now: dt.datetime, mine: bool):
    """Changes whose window touches today (Beijing time) or that are being carried out; `mine`: only
    those the user implements."""
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    day_end = day_start + dt.timedelta(days=1)
    S = ChangeRequest.Status
    qs = change_list_for_user(user=user).filter(
        Q(status=S.IN_PROGRESS)
        | Q(status=S.APPROVED, window_start__lt=day_end, window_end__gt=day_start)
    )
    if mine:
        qs = qs.filter(implementers=user)
    return qs.order_by("window_start", "pk").distinct()


def _changes_panel(mine: bool):
    def build(*, user, now):
        if mine and user_is_manager(user):
            return None  # a duty leader sees all of today's changes in the other panel
        changes = list(changes_today(user=user, now=now, mine=mine)[:ROWS])
        return {
            "title": _("今天我实施的变更") if mine else _("今天的变更"),
            "changes": changes,
            "now": now,
            "more_url": reverse("change-calendar"),
            "empty": _("今天没有变更。"),
        }

    return build


HOME_PANELS = (
    HomePanel("approvals", "tickets/home/_items.html", _approvals, roles=frozenset({Role.APPROVER}), order=5),
    HomePanel("changes-mine-today", "changes/home/_changes.html", _changes_panel(mine=True),
              roles=frozenset({Role.ENGINEER}), order=40),
    HomePanel("changes-today", "changes/home/_changes.html", _changes_panel(mine=False),
              roles=frozenset({Role.DUTY_LEADER, Role.PROJECT_MANAGER}), order=41),
)
