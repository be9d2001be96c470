"""The one transition-table shape (core.transitions) and the consent table built on it."""

from types import SimpleNamespace

import pytest

from accounts.roles import Role
from core.consent import CONSENT_TRANSITIONS, consent_counts_q, consent_is_own_act
from core.exceptions import IllegalTransition, PermissionDenied
from core.models import ConsentState
from core.transitions import Transition, TransitionTable

ANYONE = lambda user, obj: True  # noqa: E731
NOBODY = lambda user, obj: False  # noqa: E731

TABLE = TransitionTable(
    [
        Transition("open", frozenset({"closed"}), "open", ANYONE, "打开"),
        Transition("lock", frozenset({"open"}), "locked", NOBODY, "锁定"),
        Transition("note", frozenset({"open", "closed"}), None, ANYONE, "备注", guard=lambda u, o: "已有备注" if o.noted else None),
    ]
)


def test_check_returns_the_row_and_actions_for_lists_what_check_allows():
    obj = SimpleNamespace(status="closed", noted=False)
    assert TABLE.check(action="open", user=None, obj=obj).target == "open"
    assert TABLE.actions_for(user=None, obj=obj) == ["open", "note"]


def test_refusals_role_before_state_before_guard():
    with pytest.raises(PermissionDenied):
        TABLE.check(action="lock", user=None, obj=SimpleNamespace(status="closed", noted=False))
    with pytest.raises(IllegalTransition) as state:
        TABLE.check(action="open", user=None, obj=SimpleNamespace(status="open", noted=False))
    assert state.value.fields == {"state": ["open"]}
    with pytest.raises(IllegalTransition) as guard:
        TABLE.check(action="note", user=None, obj=SimpleNamespace(status="open", noted=True))
    assert str(guard.value.message) == "已有备注"
    assert TABLE.actions_for(user=None, obj=SimpleNamespace(status="open", noted=True)) == []


@pytest.mark.django_db
def test_consent_only_an_approver_of_the_owning_purchaser_decides(make_user, purchaser, other_purchaser):
    approver = make_user(Role.APPROVER)
    other_approver = make_user(Role.APPROVER, organization=other_purchaser)
    requester = make_user(Role.REQUESTER)
    pm = make_user(Role.PROJECT_MANAGER)
    consent = SimpleNamespace(state=ConsentState.REQUESTED, organization_id=purchaser.pk, requested_by_id=pm.pk)
    assert CONSENT_TRANSITIONS.actions_for(user=approver, obj=consent) == ["confirm", "reject"]
    assert CONSENT_TRANSITIONS.actions_for(user=other_approver, obj=consent) == []
    assert CONSENT_TRANSITIONS.actions_for(user=requester, obj=consent) == []
    # The provider who asked may only withdraw; it can never confirm its own request.
    assert CONSENT_TRANSITIONS.actions_for(user=pm, obj=consent) == ["withdraw"]
    consent.state = ConsentState.CONFIRMED
    assert CONSENT_TRANSITIONS.actions_for(user=approver, obj=consent) == ["dispute"]
    with pytest.raises(IllegalTransition):
        CONSENT_TRANSITIONS.check(action="confirm", user=approver, obj=consent)
    consent.state = ConsentState.DISPUTED
    assert CONSENT_TRANSITIONS.actions_for(user=approver, obj=consent) == ["confirm"]
    assert consent_is_own_act(actor=requester, organization_id=purchaser.pk)
    assert not consent_is_own_act(actor=pm, organization_id=purchaser.pk)
    assert consent_counts_q("exclusion__").children == [("exclusion__state", ConsentState.CONFIRMED)]
