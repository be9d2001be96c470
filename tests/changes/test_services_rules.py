"""Rules: the heavy-protection freeze across period boundaries, internet remote access, window conflicts."""

import datetime as dt

import pytest

from accounts.roles import Role
from changes.services import change_approve, change_start, change_submit
from core.exceptions import Conflict

from .conftest import at

pytestmark = pytest.mark.django_db

# The Two Sessions: 2026-03-04 .. 2026-03-11 inclusive, i.e. [03-04 00:00, 03-12 00:00) Asia/Shanghai.
P_START, P_END = dt.date(2026, 3, 4), dt.date(2026, 3, 11)


@pytest.fixture
def two_sessions(period):
    return period(P_START, P_END)


def approve_all(change, users):
    change_approve(actor=users["tech_lead"], change_id=change.pk)
    return change_approve(actor=users["approver"], change_id=change.pk)


class TestFreeze:
    def test_window_ending_exactly_at_period_start_does_not_touch_it(self, draft, users, two_sessions):
        change = draft(window_start=at(2026, 3, 3, 22), window_end=at(2026, 3, 4, 0, 0))
        assert change_submit(actor=users["engineer"], change_id=change.pk).status == "submitted"

    def test_window_ending_a_minute_into_the_period_is_frozen(self, draft, users, two_sessions):
        change = draft(window_start=at(2026, 3, 3, 22), window_end=at(2026, 3, 4, 0, 1))
        with pytest.raises(Conflict) as exc:
            change_submit(actor=users["engineer"], change_id=change.pk)
        assert exc.value.code == "change_freeze"
        assert "全国两会" in str(exc.value.message)
        change.refresh_from_db()
        assert change.status == "draft"  # saved as a draft all along

    def test_window_starting_at_the_day_after_the_end_is_free(self, draft, users, two_sessions):
        change = draft(window_start=at(2026, 3, 12, 0, 0), window_end=at(2026, 3, 12, 4))
        assert change_submit(actor=users["engineer"], change_id=change.pk).status == "submitted"

    def test_window_starting_a_minute_before_the_day_after_the_end_is_frozen(self, draft, users, two_sessions):
        change = draft(window_start=at(2026, 3, 11, 23, 59), window_end=at(2026, 3, 12, 4))
        with pytest.raises(Conflict) as exc:
            change_submit(actor=users["engineer"], change_id=change.pk)
        assert exc.value.code == "change_freeze"

    def test_utc_input_is_judged_in_shanghai_time(self, draft, users, two_sessions):
        # 2026-03-03 16:00 UTC is 03-04 00:00 in Shanghai: ending there does not touch the period.
        ok = draft(window_start=dt.datetime(2026, 3, 3, 14, tzinfo=dt.UTC), window_end=dt.datetime(2026, 3, 3, 16, tzinfo=dt.UTC))
        assert change_submit(actor=users["engineer"], change_id=ok.pk).status == "submitted"
        frozen = draft(window_start=dt.datetime(2026, 3, 3, 15, tzinfo=dt.UTC), window_end=dt.datetime(2026, 3, 3, 16, 1, tzinfo=dt.UTC))
        with pytest.raises(Conflict):
            change_submit(actor=users["engineer"], change_id=frozen.pk)

    def test_period_declared_after_approval_blocks_the_start(self, draft, users, period):
        change = draft(window_start=at(2026, 3, 5, 22), window_end=at(2026, 3, 6, 1))
        change_submit(actor=users["engineer"], change_id=change.pk)
        approve_all(change, users)
        period(P_START, P_END)
        with pytest.raises(Conflict) as exc:
            change_start(actor=users["engineer"], change_id=change.pk)
        assert exc.value.code == "change_freeze"

    def test_emergency_in_a_period_needs_the_pm_before_it_starts(self, draft, users, two_sessions):
        change = draft(category="emergency", window_start=at(2026, 3, 5, 22), window_end=at(2026, 3, 6, 1))
        change_submit(actor=users["engineer"], change_id=change.pk)
        chain = [(a.role, a.required_before_start) for a in change.approvals.order_by("position")]
        assert chain == [(Role.TECH_LEAD, True), (Role.PROJECT_MANAGER, True), (Role.APPROVER, False)]
        change_approve(actor=users["tech_lead"], change_id=change.pk)
        from core.exceptions import IllegalTransition

        with pytest.raises(IllegalTransition):
            change_start(actor=users["engineer"], change_id=change.pk)
        change_approve(actor=users["project_manager"], change_id=change.pk)
        change = change_start(actor=users["engineer"], change_id=change.pk)
        assert change.status == "in_progress"
        assert change.approvals.get(position=3).retrospective

    def test_high_risk_emergency_in_a_period_moves_the_pm_step_forward(self, draft, users, two_sessions):
        change = draft(category="emergency", risk="high", window_start=at(2026, 3, 5, 22), window_end=at(2026, 3, 6, 1))
        change_submit(actor=users["engineer"], change_id=change.pk)
        roles = [a.role for a in change.approvals.order_by("position")]
        assert roles == [Role.TECH_LEAD, Role.PROJECT_MANAGER, Role.APPROVER]

    def test_emergency_outside_periods_has_no_pm_step(self, draft, users, two_sessions):
        change = draft(category="emergency", window_start=at(2026, 3, 12, 0), window_end=at(2026, 3, 12, 2))
        change_submit(actor=users["engineer"], change_id=change.pk)
        assert [a.role for a in change.approvals.order_by("position")] == [Role.TECH_LEAD, Role.APPROVER]

    @pytest.mark.parametrize("category", ["emergency", "normal"])
    def test_internet_remote_access_in_a_period_is_refused(self, draft, users, two_sessions, category):
        change = draft(category=category, internet_remote_access=True,
                       window_start=at(2026, 3, 10, 22), window_end=at(2026, 3, 11, 1))
        with pytest.raises(Conflict) as exc:
            change_submit(actor=users["engineer"], change_id=change.pk)
        assert exc.value.code == "change_remote_access_frozen"
        assert "internet_remote_access" in exc.value.fields

    def test_internet_remote_access_outside_periods_is_allowed(self, draft, users, two_sessions):
        change = draft(internet_remote_access=True, window_start=at(2026, 3, 12, 9), window_end=at(2026, 3, 12, 10))
        assert change_submit(actor=users["engineer"], change_id=change.pk).status == "submitted"


class TestConflicts:
    def booked(self, draft, users, **kw):
        change = draft(**kw)
        change_submit(actor=users["engineer"], change_id=change.pk)
        return approve_all(change, users)

    def test_overlap_on_the_same_system_is_flagged_to_approvers(self, draft, users):
        first = self.booked(draft, users, window_start=at(2026, 4, 1, 22), window_end=at(2026, 4, 2, 2))
        second = draft(hosts=[], window_start=at(2026, 4, 2, 1), window_end=at(2026, 4, 2, 3))
        change_submit(actor=users["engineer"], change_id=second.pk)
        flagged = second.events.get(kind="conflict_flagged")
        assert flagged.data == {"changes": [first.number]}
        from core.models import Notification

        note = Notification.objects.get(recipient=users["tech_lead"], kind="change_approval", url__endswith=f"/{second.pk}/")
        assert first.number in note.body
        assert approve_all(second, users).status == "approved"  # medium risk both: flagged, not blocked

    def test_overlap_on_a_shared_host_only(self, draft, users, systems):
        first = self.booked(draft, users, business_systems=[systems["own"].pk], hosts=[systems["host"].pk],
                            window_start=at(2026, 4, 1, 22), window_end=at(2026, 4, 2, 2))
        second = draft(business_systems=[systems["own_normal"].pk, systems["own"].pk], hosts=[systems["host"].pk],
                       risk="high", window_start=at(2026, 4, 1, 23), window_end=at(2026, 4, 2, 1))
        with pytest.raises(Conflict) as exc:
            change_submit(actor=users["engineer"], change_id=second.pk)
        assert exc.value.code == "change_conflict" and first.number in str(exc.value.message)

    def test_back_to_back_windows_do_not_conflict(self, draft, users):
        self.booked(draft, users, risk="high", window_start=at(2026, 4, 1, 22), window_end=at(2026, 4, 2, 2))
        second = draft(risk="high", window_start=at(2026, 4, 2, 2), window_end=at(2026, 4, 2, 4))
        change = change_submit(actor=users["engineer"], change_id=second.pk)
        assert not change.events.filter(kind="conflict_flagged").exists()

    def test_other_systems_do_not_conflict(self, draft, users, systems):
        self.booked(draft, users, risk="high", window_start=at(2026, 4, 1, 22), window_end=at(2026, 4, 2, 2))
        second = draft(business_systems=[systems["own_normal"].pk], hosts=[], risk="high",
                       window_start=at(2026, 4, 1, 22), window_end=at(2026, 4, 2, 2))
        assert change_submit(actor=users["engineer"], change_id=second.pk).status == "submitted"

    def test_high_risk_overlap_approved_meanwhile_blocks_the_final_approval(self, draft, users):
        # Both submitted while nothing was booked; the first one's approval books the window.
        a = draft(risk="high", window_start=at(2026, 4, 1, 22), window_end=at(2026, 4, 2, 2))
        b = draft(window_start=at(2026, 4, 2, 0), window_end=at(2026, 4, 2, 3))
        change_submit(actor=users["engineer"], change_id=a.pk)
        change_submit(actor=users["engineer"], change_id=b.pk)
        approve_all(a, users)
        change_approve(actor=users["project_manager"], change_id=a.pk)
        change_approve(actor=users["tech_lead"], change_id=b.pk)
        with pytest.raises(Conflict) as exc:
            change_approve(actor=users["approver"], change_id=b.pk)
        assert exc.value.code == "change_conflict"
        b.refresh_from_db()
        assert b.status == "in_approval"
