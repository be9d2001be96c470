"""The transition table of a ticket and who may do what: checked here, in one place.

Every service calls `ticket_action_check` before it changes anything; pages and the API call
`ticket_actions_for` to show only the actions the state, the role and the guards allow. The table is a
core.transitions.TransitionTable like every other state machine's (changes, rosters, swaps, consent).
"""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from accounts.roles import Role
from accounts.selectors import (
    concrete_user,
    user_has_role,
    user_is_auditor,
    user_is_manager,
    user_is_provider_staff,
    user_roles,
    user_sees_all_tenants,
    user_tenant_id,
)
from core.exceptions import Conflict, IllegalTransition, ValidationFailed
from core.exceptions import PermissionDenied as DomainPermissionDenied
from core.transitions import Transition, TransitionTable

from ..models import OPEN_STATUSES as OPEN_STATUS_VALUES
from ..models import SatisfactionRating, Ticket, TicketKind

S = Ticket.Status
OPEN_STATUSES = frozenset(OPEN_STATUS_VALUES)
WORKING_STATUSES = frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.LOCATED})
ALL_STATUSES = frozenset(S.values)

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


# Who may: predicates over (user, ticket), from the flags above. Auditors (read-only) may do nothing.


def _active_flags(user) -> dict[str, bool] | None:
    if user is None or not user.is_authenticated:
        return None
    flags = _role_flags(user)
    return None if flags["read_only"] else flags


def _tenant(user, ticket: Ticket, flags: dict[str, bool]) -> bool:
    return flags["tenant_role"] and _same_tenant(user, ticket)


def staff(user, ticket: Ticket) -> bool:
    flags = _active_flags(user)
    return bool(flags and flags["staff"])


def manager(user, ticket: Ticket) -> bool:
    flags = _active_flags(user)
    return bool(flags and flags["manager"])


def project_manager(user, ticket: Ticket) -> bool:
    flags = _active_flags(user)
    return bool(flags and flags["pm"])


def tenant(user, ticket: Ticket) -> bool:
    flags = _active_flags(user)
    return bool(flags and _tenant(user, ticket, flags))


def tenant_or_staff(user, ticket: Ticket) -> bool:
    flags = _active_flags(user)
    return bool(flags and (flags["staff"] or _tenant(user, ticket, flags)))


def tenant_or_manager(user, ticket: Ticket) -> bool:
    flags = _active_flags(user)
    return bool(flags and (flags["manager"] or _tenant(user, ticket, flags)))


# Guards: rules beyond state and role, each returning the refusal the service raises (or None).


def _editable(user, ticket: Ticket):
    if not user_is_provider_staff(user) and ticket.status != S.NEW:
        return IllegalTransition(_("工单已被响应，报障人不能再修改，请通过评论补充信息"))
    return None


def _unclaimed(user, ticket: Ticket):
    if ticket.assignee_id is None:
        return None
    if ticket.assignee_id == user.pk:
        return Conflict(_("您已认领该工单"))
    return Conflict(_("工单已由%(name)s认领") % {"name": ticket.assignee.display_name})


def _unrated(user, ticket: Ticket):
    return Conflict(_("该工单已评价过")) if ticket_is_rated(ticket) else None


def _major_candidate(user, ticket: Ticket):
    if ticket.kind not in (TicketKind.FAULT, TicketKind.SECURITY):
        return ValidationFailed(fields={"kind": [_("只有故障或安全事件可以认定为重大责任安全事件")]})
    if ticket.major_incident:
        return Conflict(_("该工单已认定为重大责任安全事件"))
    return None


def pm_or_tenant_approver(user, ticket: Ticket) -> bool:
    """The project manager proposes; an approver of the ticket's purchaser classifies (issue 15 item 9)."""
    flags = _active_flags(user)
    if not flags:
        return False
    return flags["pm"] or (not flags["staff"] and user_has_role(user, Role.APPROVER) and _same_tenant(user, ticket))


def ticket_is_rated(ticket: Ticket) -> bool:
    """Whether the ticket has its rating (one query unless select_related("satisfaction") was used)."""
    try:
        return ticket.satisfaction is not None
    except SatisfactionRating.DoesNotExist:
        return False


def _visible(user, ticket: Ticket) -> bool:
    """Users of another organisation get NotFound: the ticket does not exist for them (no user: the
    system's own acts, refused by the role check)."""
    return user is None or user_sees_all_tenants(user) or _same_tenant(user, ticket)


# The actions in the order pages offer them: (from which statuses, to which status, who may, guard).
# Target None: the status does not change ("resume" goes back to where it was).
TRANSITIONS = TransitionTable(
    [
        Transition("acknowledge", frozenset({S.NEW}), S.ACKNOWLEDGED, staff, pgettext_lazy("ticket action", "响应")),
        Transition("start", frozenset({S.ACKNOWLEDGED}), S.IN_PROGRESS, staff, pgettext_lazy("ticket action", "开始处理")),
        Transition("locate", frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS}), S.LOCATED, staff, pgettext_lazy("ticket action", "定位")),
        Transition("pend", WORKING_STATUSES, S.PENDING, staff, pgettext_lazy("ticket action", "待用户反馈")),
        Transition("resume", frozenset({S.PENDING}), None, tenant_or_staff, pgettext_lazy("ticket action", "恢复处理")),
        Transition("resolve", WORKING_STATUSES, S.RESOLVED, staff, pgettext_lazy("ticket action", "解决")),
        Transition("close", frozenset({S.RESOLVED}), S.CLOSED, tenant_or_manager, pgettext_lazy("ticket action", "确认关闭")),
        Transition("reopen", frozenset({S.RESOLVED, S.CLOSED}), S.IN_PROGRESS, tenant_or_staff, pgettext_lazy("ticket action", "重新打开")),
        # Cancel and merge open an exclusion (tickets.services.exclusions): the purchaser's own act takes
        # effect at once, the provider's once the purchaser confirms.
        Transition("cancel", frozenset({S.NEW}), S.CANCELLED, tenant_or_manager, pgettext_lazy("ticket action", "取消")),
        Transition("merge", OPEN_STATUSES, S.CANCELLED, tenant_or_manager, pgettext_lazy("ticket action", "合并为重复")),
        Transition("claim", OPEN_STATUSES, None, staff, pgettext_lazy("ticket action", "认领"), _unclaimed),
        # Managers assign any ticket; an engineer takes one over or hands their own (or an unassigned)
        # one to a colleague: ticket_assign_check, which knows the new assignee.
        Transition("assign", OPEN_STATUSES, None, staff, pgettext_lazy("ticket action", "指派")),
        Transition("update", OPEN_STATUSES, None, tenant_or_staff, pgettext_lazy("ticket action", "修改"), _editable),
        Transition("comment", ALL_STATUSES, None, tenant_or_staff, pgettext_lazy("ticket action", "评论")),
        Transition("attach", ALL_STATUSES, None, tenant_or_staff, pgettext_lazy("ticket action", "上传附件")),
        Transition("rate", frozenset({S.RESOLVED, S.CLOSED}), None, tenant, pgettext_lazy("ticket action", "评价"), _unrated),
        Transition("downtime", ALL_STATUSES - {S.CANCELLED}, None, staff, pgettext_lazy("ticket action", "记录停机")),
        Transition(
            "mark_major", ALL_STATUSES - {S.CANCELLED}, None, pm_or_tenant_approver,
            pgettext_lazy("ticket action", "认定重大责任安全事件"), _major_candidate,
        ),
        # Raise (provider) or lower (provider: a downgrade exclusion for a fault or security incident;
        # the purchaser's own users on its tickets at once): tickets.services.regrade.
        Transition("regrade", ALL_STATUSES - {S.CANCELLED}, None, tenant_or_staff, pgettext_lazy("ticket action", "调整级别")),
    ],
    visible=_visible,
    not_found=lambda: _("工单不存在"),
    state_label=lambda status: _STATUS_LABELS[status],
    state_refusal=lambda status, action: _("工单当前状态为“%(status)s”，不能执行“%(action)s”") % {"status": status, "action": action},
    state_field="status",
)


def ticket_assign_check(*, user, ticket: Ticket, assignee) -> None:
    """The part of "assign" that depends on the new assignee (issue 19 item 10): duty leaders and the
    project manager assign any ticket to anyone; other provider staff take a ticket over themselves, or
    hand to a colleague a ticket that is theirs or nobody's, never move a ticket between two others.
    Caller checked the "assign" row of the table first."""
    if manager(user, ticket) or assignee.pk == user.pk or ticket.assignee_id in (None, user.pk):
        return
    raise DomainPermissionDenied(
        _("只有值班负责人或项目经理可以把他人处理的工单改派给别人；您可以转给自己，或改派自己的工单"))


def ticket_action_check(*, action: str, user, ticket: Ticket) -> Transition:
    """The table row for `action`, or raise: NotFound (another organisation's ticket), PermissionDenied
    (role), IllegalTransition (state), or the guard's own error (already claimed or rated, …)."""
    return TRANSITIONS.check(action=action, user=user, obj=ticket)


def ticket_actions_for(*, user, ticket: Ticket) -> list[str]:
    """The actions `user` may take on `ticket` now (in table order), for pages and the API. The table asks
    the user's role flags for every action: the concrete user, not request.user's lazy wrapper."""
    return TRANSITIONS.actions_for(user=concrete_user(user), obj=ticket)
