import datetime as dt

import pytest

from core.exceptions import IllegalTransition, ValidationFailed
from core.models import Notification
from roster.models import Assignment, Roster, RosterVersion
from roster.services.engine_io import person_of, slot_of
from roster.services.members import unavailability_add
from roster.services.rosters import PositionSpec, roster_create, roster_generate, roster_publish, roster_seats_edit
from roster.services.rules import Rules, Slot, check_all

from .conftest import local

pytestmark = pytest.mark.django_db


def _all_rules_hold(roster):
    seats = list(Assignment.objects.filter(shift__roster=roster).select_related("shift"))
    people = [person_of(m) for m in roster.members.prefetch_related("unavailabilities").select_related("user")]
    rules = Rules(min_rest=dt.timedelta(hours=roster.min_rest_hours), max_consecutive_nights=roster.max_consecutive_nights)
    return check_all(slots=[slot_of(a) for a in seats], people=people, assignments={a.pk: a.member_id for a in seats if a.member_id}, rules=rules)


def test_generation_fills_a_leader_and_two_engineers_a_day(make_roster, team):
    roster = make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 14))

    seats = Assignment.objects.filter(shift__roster=roster)
    assert seats.count() == 14 * 3 and not seats.filter(member__isnull=True).exists()
    assert set(seats.filter(position="leader").values_list("member__user__username", flat=True)) == {"lead1", "lead2"}
    assert _all_rules_hold(roster) == []
    assert seats.first().shift.start == local(2026, 12, 1, 8, 30)


def test_same_input_same_roster(make_roster):
    a = make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 7), publish=False)
    b = make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 7), publish=False)
    seats = lambda r: list(Assignment.objects.filter(shift__roster=r).order_by("shift__start", "position", "seat").values_list("member_id", flat=True))  # noqa: E731
    assert seats(a) == seats(b)


def test_unfillable_seats_are_kept_with_their_reason(make_roster, team):
    roster = make_roster(
        dt.date(2026, 12, 1), dt.date(2026, 12, 2), publish=False,
        positions=[PositionSpec("day", "security", 2, "CISP"), PositionSpec("day", "onsite", 1)],
    )
    security = Assignment.objects.filter(shift__roster=roster, position="security").order_by("shift__date", "seat")
    assert [a.member.user.username if a.member else None for a in security] == ["e3", None, "e3", None]
    assert security[1].unfilled_reason == "无人可排：5 人不能担任该岗位；1 人同一时间已有班次"
    onsite = Assignment.objects.filter(shift__roster=roster, position="onsite").first()
    assert onsite.member is None and onsite.unfilled_reason == "无人可排：6 人不能担任该岗位"


def test_leave_is_respected(make_roster, team, manager):
    unavailability_add(actor=manager, member=team["e1"], kind="leave", start=local(2026, 12, 1), end=local(2026, 12, 8))
    roster = make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 7))
    assert not Assignment.objects.filter(shift__roster=roster, member=team["e1"]).exists()
    assert _all_rules_hold(roster) == []


def test_history_of_earlier_rosters_counts(make_roster, team):
    first = make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 3))
    counts = lambda r: {m: Assignment.objects.filter(shift__roster=r, member=team[m], position="engineer").count() for m in ("e1", "e2", "e3", "e4")}  # noqa: E731
    before = counts(first)
    second = make_roster(dt.date(2026, 12, 4), dt.date(2026, 12, 5))
    after = counts(second)
    total = {m: before[m] + after[m] for m in before}
    assert max(total.values()) - min(total.values()) <= 1


def test_publish_then_edit_makes_a_version_with_a_diff_and_tells_the_people(make_roster, team, manager):
    roster = make_roster(dt.date(2026, 12, 10), dt.date(2026, 12, 10))
    assert roster.status == Roster.Status.PUBLISHED and roster.version == 1
    with pytest.raises(IllegalTransition):
        roster_publish(actor=manager, roster_id=roster.pk)
    with pytest.raises(IllegalTransition):
        roster_generate(actor=manager, roster_id=roster.pk)
    seat = Assignment.objects.filter(shift__roster=roster, position="engineer").order_by("shift__start").first()
    old = seat.member
    new = next(m for k, m in team.items() if k.startswith("e") and not Assignment.objects.filter(shift=seat.shift, member=m).exists())

    version = roster_seats_edit(actor=manager, roster_id=roster.pk, changes={seat.pk: new.pk}, reason="调休")

    assert version.number == 2 and RosterVersion.objects.get(roster=roster, number=1).snapshot != version.snapshot
    assert version.diff == [{
        "assignment": seat.pk, "date": "2026-12-10", "template": "24小时班", "position": "engineer", "seat": seat.seat,
        "old_member": old.pk, "old_name": old.user.display_name, "new_member": new.pk, "new_name": new.user.display_name,
    }]
    notified = set(Notification.objects.filter(kind="roster_version", title__contains="第 2 版").values_list("recipient__username", flat=True))
    assert notified == {old.user.username, new.user.username}


def test_manual_edits_are_checked_by_the_same_rules(make_roster, team, manager):
    roster = make_roster(dt.date(2026, 12, 10), dt.date(2026, 12, 12), publish=False)
    seat = Assignment.objects.filter(shift__roster=roster, position="engineer", shift__date=dt.date(2026, 12, 11)).first()
    yesterday = Assignment.objects.filter(shift__roster=roster, position="engineer", shift__date=dt.date(2026, 12, 10)).first().member
    with pytest.raises(ValidationFailed) as err:
        roster_seats_edit(actor=manager, roster_id=roster.pk, changes={seat.pk: yesterday.pk})
    assert "间隔不足 11 小时" in err.value.fields["changes"][0] or "同一时间已有班次" in err.value.fields["changes"][0]
    leader_seat = Assignment.objects.filter(shift__roster=roster, position="leader").first()
    with pytest.raises(ValidationFailed) as err:
        roster_seats_edit(actor=manager, roster_id=roster.pk, changes={leader_seat.pk: team["e1"].pk})
    assert "不能担任该岗位" in err.value.fields["changes"][0]


def test_roster_input_is_validated(manager, team):
    with pytest.raises(ValidationFailed) as err:
        roster_create(actor=manager, name="", start_date=dt.date(2026, 12, 2), end_date=dt.date(2026, 12, 1), positions=[], member_ids=[])
    assert {"name", "end_date", "positions"} <= set(err.value.fields)


def test_holiday_weight_marks_the_eve_and_first_day_of_spring_festival(make_roster):
    roster = make_roster(dt.date(2026, 2, 14), dt.date(2026, 2, 18), publish=False, positions=[PositionSpec("day", "engineer", 1)])
    weights = dict(roster.shifts.values_list("date", "holiday_weight"))
    assert weights == {dt.date(2026, 2, 14): 0, dt.date(2026, 2, 15): 0, dt.date(2026, 2, 16): 3, dt.date(2026, 2, 17): 3, dt.date(2026, 2, 18): 1}
    _ = Slot
