"""The one shape of a state machine: a table of transitions (state, action, who may, guard).

Each app declares its table once, next to its model, and asks it twice: services call `check` before
they change anything (one domain error for each kind of refusal), pages and the API call `actions_for`
to offer exactly the actions `check` would let through. Who may act is a predicate over (user, obj)
that the app supplies, so the table knows nothing of roles; a guard is a rule beyond state and role
("already rated", "the window has not opened") that returns the refusal, or None.

Two optional parts every table may need: `visible(user, obj)` — a user who may not see the object at
all (another organisation's) is refused with NotFound before anything else, and is offered nothing;
`state_refusal(state_label, action_label)` — the words of the state refusal, when a table has its own
(the ticket's "工单当前状态为…"), with `state_field` the key its `fields` carry. A transition may word
its own refusals (`denied`, `wrong_state`) where the generic sentence says less than the rule.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .exceptions import DomainError, IllegalTransition, NotFound, PermissionDenied

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
    denied: str = ""  # the role refusal's words, when this action has its own ("只有申请人可以撤回")
    wrong_state: str = ""  # the state refusal's words, when this action has its own


@dataclass
class TransitionTable:
    """Transitions in the order pages offer them. `state_of` reads the object's state and
    `state_label` names a state for messages."""

    transitions: Iterable[Transition]
    state_of: Callable[[object], str] = lambda obj: obj.status
    state_label: Callable[[str], str] = str
    visible: Callable[[object, object], bool] | None = None
    not_found: Callable[[], str] = lambda: _("对象不存在")
    state_refusal: Callable[[str, str], str] | None = None
    state_field: str = "state"
    # A refusal that comes before any row's (the read-only auditor's), or None.
    precheck: Callable[[object, object], DomainError | None] | None = None
    # Where the state tells more than the role (a change: "只有草稿状态的变更可以修改" before "只有申请人…"):
    # state, then guard, then role. Otherwise role, state, guard.
    state_first: bool = False
    by_action: dict[str, Transition] = field(init=False)

    def __post_init__(self) -> None:
        self.transitions = tuple(self.transitions)
        self.by_action = {t.action: t for t in self.transitions}

    def __getitem__(self, action: str) -> Transition:
        return self.by_action[action]

    def __contains__(self, action: str) -> bool:
        return action in self.by_action

    def __iter__(self):
        return iter(self.transitions)

    def labels(self) -> dict[str, str]:
        """{action: label} for pages (button and heading words)."""
        return {t.action: t.label or t.action for t in self.transitions}

    def refusal(self, *, action: str, user, obj) -> DomainError | None:
        """Why `user` may not take `action` on `obj` now, or None: not visible, the precheck, then role,
        state and guard (state, guard and role with `state_first`)."""
        spec = self.by_action[action]
        if self.visible is not None and not self.visible(user, obj):
            return NotFound(self.not_found())
        if self.precheck is not None and (early := self.precheck(user, obj)) is not None:
            return early
        steps = (self._state_refusal, self._guard_refusal, self._role_refusal) if self.state_first else (
            self._role_refusal, self._state_refusal, self._guard_refusal)
        for step in steps:
            if (refused := step(spec, user, obj)) is not None:
                return refused
        return None

    def _role_refusal(self, spec: Transition, user, obj) -> DomainError | None:
        if spec.who(user, obj):
            return None
        return PermissionDenied(spec.denied or _("您没有权限执行“%(action)s”") % {"action": spec.label or spec.action})

    def _state_refusal(self, spec: Transition, user, obj) -> DomainError | None:
        state = self.state_of(obj)
        if state in spec.sources:
            return None
        if spec.wrong_state:
            message = spec.wrong_state
        elif self.state_refusal is not None:
            message = self.state_refusal(self.state_label(state), spec.label or spec.action)
        else:
            message = _("当前状态为“%(state)s”，不能执行“%(action)s”") % {
                "state": self.state_label(state), "action": spec.label or spec.action}
        return IllegalTransition(message, fields={self.state_field: [state]})

    def _guard_refusal(self, spec: Transition, user, obj) -> DomainError | None:
        if spec.guard is None:
            return None
        reason = spec.guard(user, obj)
        if isinstance(reason, DomainError):
            return reason
        if reason:
            return IllegalTransition(reason, fields={self.state_field: [self.state_of(obj)]})
        return None

    def check(self, *, action: str, user, obj) -> Transition:
        """The table row for `action`, or raise the refusal (403 role, 409 state or guard)."""
        refusal = self.refusal(action=action, user=user, obj=obj)
        if refusal is not None:
            raise refusal
        return self.by_action[action]

    def allows(self, *, action: str, user, obj) -> bool:
        """Whether `check` would let `action` through, without wording the refusals (pages ask this
        for every action of every row)."""
        if self.visible is not None and not self.visible(user, obj):
            return False
        if self.precheck is not None and self.precheck(user, obj) is not None:
            return False
        spec = self.by_action[action]
        return self.state_of(obj) in spec.sources and self._allows(spec, user, obj)

    @staticmethod
    def _allows(spec: Transition, user, obj) -> bool:
        """Role and guard (the caller has matched the state)."""
        return spec.who(user, obj) and (spec.guard is None or not spec.guard(user, obj))

    def actions_for(self, *, user, obj) -> list[str]:
        """The actions `user` may take on `obj` now, in table order."""
        if self.visible is not None and not self.visible(user, obj):
            return []
        if self.precheck is not None and self.precheck(user, obj) is not None:
            return []
        state = self.state_of(obj)
        return [t.action for t in self.transitions if state in t.sources and self._allows(t, user, obj)]
