"""The one shape of a state machine: a table of transitions (state, action, who may, guard).

Each app declares its table once, next to its model, and asks it twice: services call `check` before
they change anything (one domain error for each kind of refusal), pages and the API call `actions_for`
to offer exactly the actions `check` would let through. Who may act is a predicate over (user, obj)
that the app supplies, so the table knows nothing of roles; a guard is a rule beyond state and role
("already rated", "the window has not opened") that returns the refusal, or None.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .exceptions import DomainError, IllegalTransition, PermissionDenied

Who = Callable[[object, object], bool]
Guard = Callable[[object, object], "str | DomainError | None"]


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the state does not change
    who: Who
    label: str = ""
    guard: Guard | None = None


@dataclass
class TransitionTable:
    """Transitions in the order pages offer them. `state_of` reads the object's state and
    `state_label` names a state for messages."""

    transitions: Iterable[Transition]
    state_of: Callable[[object], str] = lambda obj: obj.status
    state_label: Callable[[str], str] = str
    by_action: dict[str, Transition] = field(init=False)

    def __post_init__(self) -> None:
        self.transitions = tuple(self.transitions)
        self.by_action = {t.action: t for t in self.transitions}

    def __getitem__(self, action: str) -> Transition:
        return self.by_action[action]

    def __contains__(self, action: str) -> bool:
        return action in self.by_action

    def refusal(self, *, action: str, user, obj) -> DomainError | None:
        """Why `user` may not take `action` on `obj` now (role first, then state, then guard), or None."""
        spec = self.by_action[action]
        label = spec.label or action
        if not spec.who(user, obj):
            return PermissionDenied(_("您没有权限执行“%(action)s”") % {"action": label})
        state = self.state_of(obj)
        if state not in spec.sources:
            return IllegalTransition(
                _("当前状态为“%(state)s”，不能执行“%(action)s”") % {"state": self.state_label(state), "action": label},
                fields={"state": [state]},
            )
        if spec.guard is not None:
            reason = spec.guard(user, obj)
            if isinstance(reason, DomainError):
                return reason
            if reason:
                return IllegalTransition(reason, fields={"state": [state]})
        return None

    def check(self, *, action: str, user, obj) -> Transition:
        """The table row for `action`, or raise the refusal (403 role, 409 state or guard)."""
        refusal = self.refusal(action=action, user=user, obj=obj)
        if refusal is not None:
            raise refusal
        return self.by_action[action]

    def actions_for(self, *, user, obj) -> list[str]:
        """The actions `user` may take on `obj` now, in table order."""
        return [t.action for t in self.transitions if self.refusal(action=t.action, user=user, obj=obj) is None]
