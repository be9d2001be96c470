"""The transition tables of rosters and swap requests (core.transitions.TransitionTable, the shape of
every state machine here), and the one `*_actions_for` per table that pages and the API both call.

Services check the table before they change anything; the hard duty rules (rest, nights,
availability) are re-checked by the services themselves under the roster lock, because they depend on
the whole roster, not on the row.
"""

from django.utils.translation import gettext, gettext_lazy

from core.transitions import Transition, TransitionTable

from ..models import Roster, SwapRequest
from .access import is_manager

R = Roster.Status
S = SwapRequest.Status
SWAP_OPEN = frozenset({S.REQUESTED, S.ACCEPTED})
MANAGER_ONLY = gettext_lazy("只有值班负责人或项目经理可以执行此操作")


def _manager(user, obj) -> bool:
    return is_manager(user)


def _counterpart(user, swap: SwapRequest) -> bool:
    return user is not None and swap.counterpart.user_id == user.pk


def _requester(user, swap: SwapRequest) -> bool:
    return user is not None and swap.requester.user_id == user.pk


# Editing a published roster does not change its status: it makes a new version.
ROSTER_TRANSITIONS = TransitionTable(
    [
        Transition(
            "generate", frozenset({R.DRAFT}), None, _manager, gettext_lazy("自动排班"),
            denied=MANAGER_ONLY, wrong_state=gettext_lazy("已发布的值班表不能重新自动排班，请手工调整或换班"),
        ),
        Transition(
            "publish", frozenset({R.DRAFT}), R.PUBLISHED, _manager, gettext_lazy("发布"),
            denied=MANAGER_ONLY, wrong_state=gettext_lazy("值班表已发布；后续调整会自动生成新版本"),
        ),
        Transition("edit", frozenset({R.DRAFT, R.PUBLISHED}), None, _manager, gettext_lazy("手工调整"), denied=MANAGER_ONLY),
        Transition("feed", frozenset({R.DRAFT, R.PUBLISHED}), None, _manager, gettext_lazy("订阅链接"), denied=MANAGER_ONLY),
    ],
    state_label=lambda status: str(R(status).label),
)

# request → the counterpart accepts (or declines) → a duty leader or the PM approves (or rejects);
# the requester may withdraw while it is open.
SWAP_TRANSITIONS = TransitionTable(
    [
        Transition("accept", frozenset({S.REQUESTED}), S.ACCEPTED, _counterpart, gettext_lazy("接受"), denied=gettext_lazy("只有被请求的人可以接受")),
        Transition("decline", frozenset({S.REQUESTED}), S.DECLINED, _counterpart, gettext_lazy("拒绝"), denied=gettext_lazy("只有被请求的人可以拒绝")),
        Transition("approve", frozenset({S.ACCEPTED}), S.APPROVED, _manager, gettext_lazy("批准"), denied=MANAGER_ONLY),
        Transition("reject", SWAP_OPEN, S.REJECTED, _manager, gettext_lazy("驳回"), denied=MANAGER_ONLY),
        Transition("cancel", SWAP_OPEN, S.CANCELLED, _requester, gettext_lazy("撤回"), denied=gettext_lazy("只有申请人可以撤回")),
    ],
    state_label=lambda status: str(S(status).label),
    state_refusal=lambda status, action: gettext("申请当前为“%(status)s”，不能%(action)s") % {"status": status, "action": action},
)


def roster_actions_for(*, user, roster: Roster) -> list[str]:
    """The actions `user` may take on `roster` now (table order), for the roster page and the API."""
    return ROSTER_TRANSITIONS.actions_for(user=user, obj=roster)


def shift_swap_actions_for(*, user, swap: SwapRequest) -> list[str]:
    """The actions `user` may take on `swap` now (table order), for the swap page and the API. Needs
    the requester and counterpart loaded (swap_list_for_user selects them)."""
    return SWAP_TRANSITIONS.actions_for(user=user, obj=swap)
