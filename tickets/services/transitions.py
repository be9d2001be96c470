"""The transition table of a ticket and who may do what: checked here, in one place.

Every service calls `ticket_action_check` before it changes anything; pages call `ticket_actions_for`
to show only the actions the state and the role allow.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from accounts.roles import Role
from accounts.selectors import (
    user_has_role,
    user_is_auditor,
    user_is_manager,
    user_is_provider_staff,
    user_roles,
    user_tenant_id,
)
from core.exceptions import IllegalTransition, NotFound, PermissionDenied

from ..models import OPEN_STATUSES as OPEN_STATUS_VALUES
from ..models import SatisfactionRating, Ticket, TicketKind

S = Ticket.Status
OPEN_STATUSES = frozenset(OPEN_STATUS_VALUES)
WORKING_STATUSES = frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.LOCATED})
ALL_STATUSES = frozenset(S.values)


@dataclass(frozen=True)
class Action:
    label: str
    sources: frozenset[str]
    target: str | None  # None: the status does not change
    who: str  # "staff", "manager", "tenant_or_staff", "tenant_or_manager", "tenant", "anyone", "pm"


# action -> (from which statuses, to which status, who may do it)
TRANSITIONS: dict[str, Action] = {
    "acknowledge": Action(pgettext_lazy("ticket action", "响应"), frozenset({S.NEW}), S.ACKNOWLEDGED, "staff"),
    "start": Action(pgettext_lazy("ticket action", "开始处理"), frozenset({S.ACKNOWLEDGED}), S.IN_PROGRESS, "staff"),
    "locate": Action(pgettext_lazy("ticket action", "定位"), frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS}), S.LOCATED, "staff"),
    "pend": Action(pgettext_lazy("ticket action", "待用户反馈"), WORKING_STATUSES, S.PENDING, "staff"),
    "resume": Action(pgettext_lazy("ticket action", "恢复处理"), frozenset({S.PENDING}), None, "tenant_or_staff"),  # back to where it was
    "resolve": Action(pgettext_lazy("ticket action", "解决"), WORKING_STATUSES, S.RESOLVED, "staff"),
    "close": Action(pgettext_lazy("ticket action", "确认关闭"), frozenset({S.RESOLVED}), S.CLOSED, "tenant_or_manager"),
    "reopen": Action(pgettext_lazy("ticket action", "重新打开"), frozenset({S.RESOLVED, S.CLOSED}), S.IN_PROGRESS, "tenant_or_staff"),
    # Cancel and merge open an exclusion (tickets.services.exclusions): the purchaser's own act takes
    # effect at once, the provider's once the purchaser confirms.
    "cancel": Action(pgettext_lazy("ticket action", "取消"), frozenset({S.NEW}), S.CANCELLED, "tenant_or_manager"),
    "merge": Action(pgettext_lazy("ticket action", "合并为重复"), OPEN_STATUSES, S.CANCELLED, "tenant_or_manager"),
    "claim": Action(pgettext_lazy("ticket action", "认领"), OPEN_STATUSES, None, "staff"),
    "assign": Action(pgettext_lazy("ticket action", "指派"), OPEN_STATUSES, None, "manager"),
    "update": Action(pgettext_lazy("ticket action", "修改"), OPEN_STATUSES, None, "tenant_or_staff"),
    "comment": Action(pgettext_lazy("ticket action", "评论"), ALL_STATUSES, None, "tenant_or_staff"),
    "attach": Action(pgettext_lazy("ticket action", "上传附件"), ALL_STATUSES, None, "tenant_or_staff"),
    "rate": Action(pgettext_lazy("ticket action", "评价"), frozenset({S.RESOLVED, S.CLOSED}), None, "tenant"),
    "downtime": Action(pgettext_lazy("ticket action", "记录停机"), ALL_STATUSES - {S.CANCELLED}, None, "staff"),
    "mark_major": Action(pgettext_lazy("ticket action", "认定重大安全事件"), ALL_STATUSES - {S.CANCELLED}, None, "pm"),
}

_STATUS_LABELS = dict(S.choices)


def _same_tenant(user, ticket: Ticket) -> bool:
    return user_tenant_id(user) == ticket.organization_id if getattr(user, "organization_id", None) else False


_WHO_ATTR = "_opsdesk_transition_roles"


def _role_flags(user) -> dict[str, bool]:
    """What the transition table asks of a user, derived once from their roles and kept on the user
    object beside the roles themselves (a queue page asks it for every action of every row). Derived
    again when the roles were re-read (accounts drops its cache when roles change)."""
    roles = user_roles(user)
    cached = user.__dict__.get(_WHO_ATTR)
    if cached is None or cached[0] is not roles:
        staff = user_is_provider_staff(user)
        flags = {
            "read_only": user_is_auditor(user) and not staff,
            "staff": staff,
            "manager": user_is_manager(user),
            "pm": user_has_role(user, Role.PROJECT_MANAGER),
            "tenant_role": not staff and user_has_role(user, Role.REQUESTER, Role.APPROVER),
        }
        cached = user.__dict__[_WHO_ATTR] = (roles, flags)
    return cached[1]


def _may(user, who: str, ticket: Ticket) -> bool:
    if user is None or not user.is_authenticated:
        return False
    flags = _role_flags(user)
    if flags["read_only"]:
        return False
    if who in ("staff", "manager", "pm"):
        return flags[who]
    tenant = flags["tenant_role"] and _same_tenant(user, ticket)
    if who == "tenant":
        return tenant
    if who == "tenant_or_staff":
        return tenant or flags["staff"]
    if who == "tenant_or_manager":
        return tenant or flags["manager"]
    raise KeyError(who)


def _extra_rule(action: str, user, ticket: Ticket) -> str | None:
    """Rules beyond state and role; returns the reason the action is refused, or None."""
    if action == "update" and not user_is_provider_staff(user) and ticket.status != S.NEW:
        return "工单已被响应，报障人不能再修改，请通过评论补充信息"
    if action == "mark_major":
        if ticket.kind != TicketKind.SECURITY:
            return "只有安全事件可以认定为重大安全事件"
        if ticket.major_incident:
            return "该安全事件已认定为重大安全事件"
    if action == "rate" and ticket_is_rated(ticket):
        return "该工单已评价过"
    if action == "claim" and ticket.assignee_id is not None:
        return "工单已有处理人"
    return None


def ticket_is_rated(ticket: Ticket) -> bool:
    """Whether the ticket has its rating (one query unless select_related("satisfaction") was used)."""
    try:
        return ticket.satisfaction is not None
    except SatisfactionRating.DoesNotExist:
        return False


def ticket_action_check(*, action: str, user, ticket: Ticket) -> Action:
    """Raise PermissionDenied (role), IllegalTransition (state) or return the table row.

    Users of another organisation get NotFound: the ticket does not exist for them."""
    spec = TRANSITIONS[action]
    if user is not None and not user_is_provider_staff(user) and not user_is_auditor(user) and not _same_tenant(user, ticket):
        raise NotFound(_("工单不存在"))
    if not _may(user, spec.who, ticket):
        raise PermissionDenied(_("您没有权限执行“%(action)s”") % {"action": spec.label})
    if ticket.status not in spec.sources:
        raise IllegalTransition(
            _("工单当前状态为“%(status)s”，不能执行“%(action)s”") % {"status": _STATUS_LABELS[ticket.status], "action": spec.label},
            fields={"status": [ticket.status]},
        )
    return spec


def ticket_actions_for(*, user, ticket: Ticket) -> list[str]:
    """The actions `user` may take on `ticket` now (in TRANSITIONS order), for pages and the API."""
    allowed = []
    for action, spec in TRANSITIONS.items():
        if ticket.status in spec.sources and _may(user, spec.who, ticket) and _extra_rule(action, user, ticket) is None:
            allowed.append(action)
    return allowed
