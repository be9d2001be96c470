"""Swap and substitute requests: every step re-checks the rules, keeps history and tells people."""

import datetime as dt

import pytest

from core.exceptions import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from roster.models import Assignment, SwapRequest
from roster.services.members import unavailability_add
from roster.services.rosters import PositionSpec, roster_seats_edit
from roster.services.swaps import (
    shift_swap_accept,
    shift_swap_approve,
    shift_swap_cancel,
    shift_swap_decline,
    shift_swap_reject,
    shift_swap_request,
)
from tests.append_only import assert_database_refuses_rewrites, assert_orm_refuses_rewrites

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(make_roster, team, time_machine):
    time_machine.move_to(local(2026, 11, 28, 9))
    roster = make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 1), positions=[PositionSpec("day", "engineer", 1)])
    seat = Assignment.objects.select_related("member__user").get(shift__roster=roster)
    helper = next(m for k, m in team.items() if k.startswith("e") and m.pk != seat.member_id)
    return roster, seat, helper


def test_decline_cancel_and_reject_end_the_request(setup, manager):
    _roster, seat, helper = setup
    asker = seat.member.user
    swap = shift_swap_request(actor=asker, assignment_id=seat.pk, counterpart_id=helper.pk)
    with pytest.raises(Conflict):
        shift_swap_request(actor=asker, assignment_id=seat.pk, counterpart_id=helper.pk)  # one open request per seat
    with pytest.raises(PermissionDenied):
        shift_swap_accept(actor=asker, swap_id=swap.pk)
    assert shift_swap_decline(actor=helper.user, swap_id=swap.pk).status == SwapRequest.Status.DECLINED
    with pytest.raises(IllegalTransition):
        shift_swap_accept(actor=helper.user, swap_id=swap.pk)

    second = shift_swap_request(actor=asker, assignment_id=seat.pk, counterpart_id=helper.pk)
    with pytest.raises(PermissionDenied):
        shift_swap_cancel(actor=helper.user, swap_id=second.pk)
    assert shift_swap_cancel(actor=asker, swap_id=second.pk).status == SwapRequest.Status.CANCELLED

    third = shift_swap_request(actor=asker, assignment_id=seat.pk, counterpart_id=helper.pk)
    shift_swap_accept(actor=helper.user, swap_id=third.pk)
    with pytest.raises(PermissionDenied):
        shift_swap_reject(actor=helper.user, swap_id=third.pk)
    assert shift_swap_reject(actor=manager, swap_id=third.pk, note="人手不足").status == SwapRequest.Status.REJECTED
    seat.refresh_from_db()
    assert seat.member.user == asker
    assert list(third.events.values_list("old_status", "new_status")) == [("", "requested"), ("requested", "accepted"), ("accepted", "rejected")]


def test_rules_are_rechecked_when_approving(setup, manager):
    _roster, seat, helper = setup
    swap = shift_swap_request(actor=seat.member.user, assignment_id=seat.pk, counterpart_id=helper.pk)
    shift_swap_accept(actor=helper.user, swap_id=swap.pk)
    unavailability_add(actor=helper.user, member=helper, kind="trip", start=local(2026, 12, 1), end=local(2026, 12, 2))
    with pytest.raises(ValidationFailed) as err:
        shift_swap_approve(actor=manager, swap_id=swap.pk)
    assert any("请假、出差或培训" in m for m in err.value.fields["rules"])
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.ACCEPTED


def test_a_seat_changed_meanwhile_voids_the_request(setup, manager, team):
    roster, seat, helper = setup
    swap = shift_swap_request(actor=seat.member.user, assignment_id=seat.pk, counterpart_id=helper.pk)
    shift_swap_accept(actor=helper.user, swap_id=swap.pk)
    third = next(m for k, m in team.items() if k.startswith("e") and m.pk not in (helper.pk, seat.member_id))
    roster_seats_edit(actor=manager, roster_id=roster.pk, changes={seat.pk: third.pk})
    with pytest.raises(Conflict):
        shift_swap_approve(actor=manager, swap_id=swap.pk)


def test_requests_need_an_own_future_seat_of_a_published_roster(setup, team, make_roster, time_machine):
    _roster, seat, helper = setup
    with pytest.raises(PermissionDenied):
        shift_swap_request(actor=helper.user, assignment_id=seat.pk, counterpart_id=helper.pk)
    with pytest.raises(ValidationFailed):
        shift_swap_request(actor=seat.member.user, assignment_id=seat.pk, counterpart_id=seat.member_id)
    draft = make_roster(dt.date(2026, 12, 5), dt.date(2026, 12, 5), publish=False, positions=[PositionSpec("day", "engineer", 1)])
    draft_seat = Assignment.objects.select_related("member__user").get(shift__roster=draft)
    with pytest.raises(IllegalTransition):
        shift_swap_request(actor=draft_seat.member.user, assignment_id=draft_seat.pk, counterpart_id=helper.pk)
    time_machine.move_to(local(2026, 12, 1, 9))
    with pytest.raises(ValidationFailed):
        shift_swap_request(actor=seat.member.user, assignment_id=seat.pk, counterpart_id=helper.pk)


def test_auditors_cannot_write_through_the_api(api, users, setup):
    roster, seat, helper = setup
    auditor = api(users["auditor"])
    assert auditor.post("/api/v1/roster/swaps/", {"assignment": seat.pk, "counterpart": helper.pk}, format="json").status_code == 403
    assert auditor.post("/api/v1/roster/duty-logs/", {"shift": seat.shift_id, "kind": "note", "text": "x"}, format="json").status_code == 403
    assert auditor.post("/api/v1/roster/handovers/", {"shift": seat.shift_id}, format="json").status_code == 403
    assert auditor.post("/api/v1/roster/duty-reports/", {"shift": seat.shift_id, "kind": "zero"}, format="json").status_code == 403
    assert auditor.patch(f"/api/v1/roster/assignments/{seat.pk}/", {"member": helper.pk}, format="json").status_code == 403
    assert auditor.post(f"/api/v1/roster/rosters/{roster.pk}/edit/", {"changes": [{"assignment": seat.pk, "member": helper.pk}]}, format="json").status_code == 403
    assert auditor.post(f"/api/v1/roster/rosters/{roster.pk}/feed-token/", {}, format="json").status_code == 403
    assert auditor.get(f"/api/v1/roster/rosters/{roster.pk}/versions/").status_code == 200


def test_roster_and_swap_history_is_append_only(setup):
    """Like the ticket and change timelines: no update, no delete (model, queryset, PostgreSQL), and
    deleting what the history is about is refused instead of taking the history with it."""
    from django.db import DatabaseError, IntegrityError, transaction

    from roster.models import RosterEvent, SwapEvent

    roster, seat, helper = setup
    swap = shift_swap_request(actor=seat.member.user, assignment_id=seat.pk, counterpart_id=helper.pk)
    for model, event, owner in ((RosterEvent, roster.events.first(), roster), (SwapEvent, swap.events.get(), swap)):
        assert_orm_refuses_rewrites(event, at=event.at)
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            type(owner).objects.filter(pk=owner.pk).delete()  # PROTECT: the history outlives nothing
        assert model.objects.filter(pk=event.pk).exists()
        assert_database_refuses_rewrites(event)


def test_swap_and_roster_actions_come_from_their_tables(setup, manager, client):
    """One `*_actions_for` per table: each party is offered what the service would let through, and
    the page shows exactly those buttons."""
    from roster.services.transitions import roster_actions_for, shift_swap_actions_for

    roster, seat, helper = setup
    asker = seat.member.user
    swap = shift_swap_request(actor=asker, assignment_id=seat.pk, counterpart_id=helper.pk)
    swap = SwapRequest.objects.select_related("requester", "counterpart").get(pk=swap.pk)
    assert shift_swap_actions_for(user=asker, swap=swap) == ["cancel"]
    assert shift_swap_actions_for(user=helper.user, swap=swap) == ["accept", "decline"]
    assert shift_swap_actions_for(user=manager, swap=swap) == ["reject"]
    client.force_login(helper.user)
    html = client.get("/roster/swaps/").content.decode()
    assert 'value="accept"' in html and 'value="decline"' in html and 'value="approve"' not in html and 'value="cancel"' not in html
    with pytest.raises(IllegalTransition) as refused:
        shift_swap_approve(actor=manager, swap_id=swap.pk)
    assert str(refused.value.message) == "申请当前为“待对方确认”，不能批准"
    shift_swap_accept(actor=helper.user, swap_id=swap.pk)
    swap.refresh_from_db()
    assert shift_swap_actions_for(user=manager, swap=swap) == ["approve", "reject"]
    assert shift_swap_actions_for(user=helper.user, swap=swap) == []

    assert roster.status == "published"
    assert roster_actions_for(user=manager, roster=roster) == ["edit", "feed"]
    assert roster_actions_for(user=helper.user, roster=roster) == []
    client.force_login(manager)
    html = client.get(f"/roster/rosters/{roster.pk}/").content.decode()
    assert "/publish/" not in html and "/generate/" not in html and "/feed/" in html
