"""Approval chains: order, roles, self-approval, sole holder → PM, rejection, standard and emergency."""

import datetime as dt
import re

import pytest
import time_machine

from accounts.roles import Role
from changes.models import ChangeApproval, ChangeEvent, ChangeRequest, ChangeTemplate
from changes.services import (
    change_approve,
    change_cancel,
    change_complete,
    change_create,
    change_reject,
    change_retrospective_flag_overdue,
    change_review,
    change_start,
    change_submit,
    change_update,
)
from changes.tasks import change_retrospective_overdue_scan
from core.exceptions import IllegalTransition, PermissionDenied, ValidationFailed
from core.models import Notification
from tests.append_only import assert_database_refuses_rewrites, assert_orm_refuses_rewrites

pytestmark = pytest.mark.django_db


def steps(change):
    return [(a.position, a.role, a.organization_id, a.status) for a in change.approvals.order_by("position")]


def test_number_is_daily_sequence(draft):
    first, second = draft(), draft()
    assert re.fullmatch(r"BG-\d{8}-0001", first.number)
    assert second.number == first.number[:-4] + "0002"


def test_submit_requires_the_mandatory_fields(users, systems):
    change = change_create(actor=users["engineer"], data={"title": "  "})
    with pytest.raises(ValidationFailed) as exc:
        change_submit(actor=users["engineer"], change_id=change.pk)
    assert set(exc.value.fields) == {
        "title", "business_systems", "reason", "plan", "rollback_plan", "verification_plan", "window_start", "window_end"
    }
    change.refresh_from_db()
    assert change.status == "draft"


def test_window_end_must_follow_start(draft):
    with pytest.raises(ValidationFailed) as exc:
        draft(window_end=dt.datetime(2026, 3, 20, 13, tzinfo=dt.UTC), window_start=dt.datetime(2026, 3, 20, 14, tzinfo=dt.UTC))
    assert "window_end" in exc.value.fields


def test_normal_change_goes_tech_lead_then_owner_approver(draft, users, purchaser):
    change = draft()
    change_submit(actor=users["engineer"], change_id=change.pk)
    change.refresh_from_db()
    assert change.status == "submitted"
    assert steps(change) == [(1, Role.TECH_LEAD, None, "pending"), (2, Role.APPROVER, purchaser.pk, "pending")]
    # The tech lead is told; the purchaser approver not yet.
    assert Notification.objects.filter(recipient=users["tech_lead"], kind="change_approval").count() == 1
    assert not Notification.objects.filter(recipient=users["approver"]).exists()

    # Out of order: the purchaser approver cannot decide step 1.
    with pytest.raises(PermissionDenied):
        change_approve(actor=users["approver"], change_id=change.pk)

    change = change_approve(actor=users["tech_lead"], change_id=change.pk, comment="方案可行")
    assert change.status == "in_approval"
    assert Notification.objects.filter(recipient=users["approver"], kind="change_approval").count() == 1

    # Another purchaser's approver holds the role but not for this system.
    with pytest.raises(PermissionDenied):
        change_approve(actor=users["other_approver"], change_id=change.pk)

    change = change_approve(actor=users["approver"], change_id=change.pk)
    assert change.status == "approved"
    assert change.approved_at is not None
    kinds = list(change.events.values_list("kind", flat=True))
    assert kinds == ["created", "submitted", "approved", "approved"]
    decided = [(a.decided_by_id, a.comment) for a in change.approvals.order_by("position")]
    assert decided == [(users["tech_lead"].pk, "方案可行"), (users["approver"].pk, "")]


def test_high_risk_adds_project_manager_step(draft, users):
    change = draft(risk="high")
    change_submit(actor=users["engineer"], change_id=change.pk)
    assert [a.role for a in change.approvals.order_by("position")] == [Role.TECH_LEAD, Role.APPROVER, Role.PROJECT_MANAGER]
    change_approve(actor=users["tech_lead"], change_id=change.pk)
    change = change_approve(actor=users["approver"], change_id=change.pk)
    assert change.status == "in_approval"
    change = change_approve(actor=users["project_manager"], change_id=change.pk)
    assert change.status == "approved"


def test_nobody_approves_their_own_change(draft, users, make_user):
    make_user(Role.TECH_LEAD, Role.ENGINEER)  # a second tech lead, so the step stays with tech leads
    change = draft(actor=users["tech_lead"])
    change_submit(actor=users["tech_lead"], change_id=change.pk)
    assert change.approvals.get(position=1).role == Role.TECH_LEAD
    with pytest.raises(PermissionDenied) as exc:
        change_approve(actor=users["tech_lead"], change_id=change.pk)
    assert exc.value.code == "self_approval"


def test_sole_holder_drafter_hands_the_step_to_the_project_manager(draft, users):
    change = draft(actor=users["tech_lead"])  # the only tech lead drafts
    change_submit(actor=users["tech_lead"], change_id=change.pk)
    first = change.approvals.get(position=1)
    assert (first.role, first.delegated_from_role) == (Role.PROJECT_MANAGER, Role.TECH_LEAD)
    assert Notification.objects.filter(recipient=users["project_manager"], kind="change_approval").exists()
    with pytest.raises(PermissionDenied):
        change_approve(actor=users["tech_lead"], change_id=change.pk)
    change = change_approve(actor=users["project_manager"], change_id=change.pk)
    assert change.status == "in_approval"


def test_purchaser_sole_approver_drafting_is_handed_to_pm(users, systems, make_user, purchaser_dept):
    both = make_user(Role.REQUESTER, Role.APPROVER, organization=purchaser_dept)
    users["approver"].groups.clear()  # `both` is now the purchaser's only approver
    change = change_create(actor=both, data={
        "title": "门户首页改版", "category": "normal", "risk": "low", "business_systems": [systems["own_normal"].pk],
        "reason": "r", "plan": "p", "rollback_plan": "rb", "verification_plan": "v",
        "window_start": dt.datetime(2026, 5, 10, 14, tzinfo=dt.UTC), "window_end": dt.datetime(2026, 5, 10, 16, tzinfo=dt.UTC),
    })
    change_submit(actor=both, change_id=change.pk)
    second = change.approvals.get(position=2)
    assert (second.role, second.delegated_from_role, second.organization_id) == (Role.PROJECT_MANAGER, Role.APPROVER, None)


def test_rejection_ends_the_request(draft, users):
    change = draft()
    change_submit(actor=users["engineer"], change_id=change.pk)
    with pytest.raises(ValidationFailed):
        change_reject(actor=users["tech_lead"], change_id=change.pk, comment=" ")
    change = change_reject(actor=users["tech_lead"], change_id=change.pk, comment="回退方案不充分")
    assert change.status == "rejected"
    assert steps(change)[1][3] == "void"
    assert Notification.objects.filter(recipient=users["engineer"], kind="change_rejected").exists()
    for act in (lambda: change_approve(actor=users["approver"], change_id=change.pk),
                lambda: change_start(actor=users["engineer"], change_id=change.pk),
                lambda: change_cancel(actor=users["engineer"], change_id=change.pk)):
        with pytest.raises(IllegalTransition):
            act()


def test_illegal_moves_are_refused(draft, users):
    change = draft()
    with pytest.raises(IllegalTransition):
        change_start(actor=users["engineer"], change_id=change.pk)
    with pytest.raises(IllegalTransition):
        change_complete(actor=users["engineer"], change_id=change.pk, outcome="successful")
    change_submit(actor=users["engineer"], change_id=change.pk)
    with pytest.raises(IllegalTransition):
        change_update(actor=users["engineer"], change_id=change.pk, data={"title": "x"})
    with pytest.raises(IllegalTransition):
        change_start(actor=users["engineer"], change_id=change.pk)  # a normal change waits for all approvals
    with pytest.raises(IllegalTransition):
        change_submit(actor=users["engineer"], change_id=change.pk)


def test_only_the_drafter_edits_and_submits(draft, users):
    change = draft()
    with pytest.raises(PermissionDenied):
        change_update(actor=users["engineer2"], change_id=change.pk, data={"title": "x"})
    with pytest.raises(PermissionDenied):
        change_submit(actor=users["tech_lead"], change_id=change.pk)


def test_auditors_and_purchaser_approvers_cannot_draft(users):
    for who in ("auditor", "approver"):
        with pytest.raises(PermissionDenied):
            change_create(actor=users[who], data={"title": "x"})


def test_purchaser_requester_drafts_only_for_own_systems(users, systems):
    with pytest.raises(ValidationFailed) as exc:
        change_create(actor=users["requester"], data={"title": "x", "business_systems": [systems["other"].pk]})
    assert "business_systems" in exc.value.fields
    change = change_create(actor=users["requester"], data={"title": "x", "business_systems": [systems["own"].pk]})
    assert change.requester == users["requester"]


def test_hosts_must_belong_to_the_chosen_systems(draft, systems):
    with pytest.raises(ValidationFailed) as exc:
        draft(hosts=[systems["other_host"].pk])
    assert "hosts" in exc.value.fields


def test_full_lifecycle_to_review(draft, users):
    change = draft()
    change_submit(actor=users["engineer"], change_id=change.pk)
    change_approve(actor=users["tech_lead"], change_id=change.pk)
    change_approve(actor=users["approver"], change_id=change.pk)
    with pytest.raises(PermissionDenied):
        change_start(actor=users["approver"], change_id=change.pk)  # purchaser staff do not implement
    change = change_start(actor=users["engineer"], change_id=change.pk)
    assert change.status == "in_progress" and not change.started_before_approval
    with pytest.raises(ValidationFailed):
        change_complete(actor=users["engineer"], change_id=change.pk, outcome="done")
    change = change_complete(actor=users["engineer"], change_id=change.pk, outcome="failed_rolled_back", notes="回退完成")
    assert (change.status, change.outcome) == ("completed", "failed_rolled_back")
    with pytest.raises(ValidationFailed):
        change_review(actor=users["tech_lead"], change_id=change.pk, notes="")
    change = change_review(actor=users["tech_lead"], change_id=change.pk, notes="升级包兼容性未验证", lessons="先在测试环境演练")
    assert change.status == "reviewed"
    assert list(change.events.values_list("to_status", flat=True).exclude(to_status="")) == [
        "draft", "submitted", "in_approval", "approved", "in_progress", "completed", "reviewed"
    ]


def test_standard_change_from_template_skips_approval(users, systems):
    template = ChangeTemplate.objects.get(name="SSL 证书到期更换")
    change = change_create(actor=users["engineer"], data={
        "template": template.pk, "business_systems": [systems["own"].pk], "reason": "证书将于下月到期",
        "window_start": dt.datetime(2026, 4, 1, 14, tzinfo=dt.UTC), "window_end": dt.datetime(2026, 4, 1, 15, tzinfo=dt.UTC),
    })
    assert (change.category, change.risk, change.plan) == ("standard", "low", template.plan)
    change = change_submit(actor=users["engineer"], change_id=change.pk)
    assert change.status == "approved"
    assert not change.approvals.exists()
    assert list(change.events.values_list("kind", flat=True)) == ["created", "submitted", "pre_approved"]


def test_standard_category_needs_a_template(users):
    with pytest.raises(ValidationFailed) as exc:
        change_create(actor=users["engineer"], data={"title": "x", "category": "standard"})
    assert "template" in exc.value.fields


def test_cancel_by_requester_voids_pending_steps(draft, users):
    change = draft()
    change_submit(actor=users["engineer"], change_id=change.pk)
    with pytest.raises(PermissionDenied):
        change_cancel(actor=users["engineer2"], change_id=change.pk)
    change = change_cancel(actor=users["engineer"], change_id=change.pk, reason="需求取消")
    assert change.status == "cancelled"
    assert {a.status for a in change.approvals.all()} == {"void"}


class TestEmergency:
    START = dt.datetime(2026, 3, 20, 14, tzinfo=dt.UTC)

    def submit(self, draft, users, **kw):
        change = draft(category="emergency", **kw)
        change_submit(actor=users["engineer"], change_id=change.pk)
        return change

    def started_after_first_step(self, draft, users):
        """Submitted, its first step approved and started at START: the owner's approval is now retrospective."""
        change = self.submit(draft, users)
        change_approve(actor=users["tech_lead"], change_id=change.pk)
        with time_machine.travel(self.START, tick=False):
            change_start(actor=users["engineer"], change_id=change.pk)
        return change

    def test_may_start_after_first_step_and_rest_is_retrospective(self, draft, users):
        change = self.submit(draft, users)
        with pytest.raises(IllegalTransition):
            change_start(actor=users["engineer"], change_id=change.pk)  # not even the first step yet
        change_approve(actor=users["tech_lead"], change_id=change.pk)
        with time_machine.travel(dt.datetime(2026, 3, 20, 14, tzinfo=dt.UTC), tick=False):
            change = change_start(actor=users["engineer"], change_id=change.pk)
        assert change.status == "in_progress" and change.started_before_approval
        pending = change.approvals.get(position=2)
        assert pending.retrospective
        assert pending.due_at == dt.datetime(2026, 3, 21, 14, tzinfo=dt.UTC)
        assert Notification.objects.filter(recipient=users["approver"], kind="change_approval").exists()

        change = change_complete(actor=users["engineer"], change_id=change.pk, outcome="successful")
        with pytest.raises(IllegalTransition) as exc:
            change_review(actor=users["tech_lead"], change_id=change.pk, notes="ok")
        assert exc.value.code == "approval_pending"
        change = change_approve(actor=users["approver"], change_id=change.pk, comment="补批同意")
        assert change.status == "completed" and change.approved_at is not None
        change = change_review(actor=users["tech_lead"], change_id=change.pk, notes="ok")
        assert change.status == "reviewed"

    def test_retrospective_rejection_ends_the_request(self, draft, users):
        change = self.submit(draft, users)
        change_approve(actor=users["tech_lead"], change_id=change.pk)
        change_start(actor=users["engineer"], change_id=change.pk)
        change = change_reject(actor=users["approver"], change_id=change.pk, comment="未经同意停机")
        assert change.status == "rejected"

    def test_overdue_retrospective_approval_is_flagged_to_pm_once(self, draft, users):
        change, start = self.started_after_first_step(draft, users), self.START
        with time_machine.travel(start + dt.timedelta(hours=23, minutes=59), tick=False):
            assert change_retrospective_overdue_scan() == 0
        with time_machine.travel(start + dt.timedelta(hours=24), tick=False):
            assert change_retrospective_overdue_scan() == 1
            assert change_retrospective_overdue_scan() == 0  # idempotent
            step = change.approvals.get(position=2)
            assert change_retrospective_flag_overdue(approval_id=step.pk, now=start + dt.timedelta(hours=25)) is False
        assert Notification.objects.filter(recipient=users["project_manager"], kind="change_retrospective_overdue").count() == 1
        assert ChangeEvent.objects.filter(change=change, kind="retrospective_overdue").count() == 1
        assert step.overdue_flagged_at == start + dt.timedelta(hours=24)

    def test_decided_in_time_is_never_flagged(self, draft, users):
        change, start = self.started_after_first_step(draft, users), self.START
        with time_machine.travel(start + dt.timedelta(hours=5), tick=False):
            change_approve(actor=users["approver"], change_id=change.pk)
        with time_machine.travel(start + dt.timedelta(hours=30), tick=False):
            assert change_retrospective_overdue_scan() == 0


def test_timeline_is_append_only(draft):
    change = draft()
    assert_orm_refuses_rewrites(change.events.get(), note="tampered")


def test_database_refuses_timeline_rewrites_on_postgresql(draft):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    assert_database_refuses_rewrites(draft().events.get())


def test_models_are_exported():
    assert ChangeRequest.Status.IN_APPROVAL == "in_approval"
    assert ChangeApproval.Status.VOID == "void"
