import datetime as dt

import pytest

from roster.models import Assignment
from roster.services.rosters import PositionSpec

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_night_roster(make_roster, team):
    """Leader on 24 h from 08:30; engineers on day 08:30–17:30 and night 17:30–08:30."""
    return make_roster(
        dt.date(2026, 12, 1), dt.date(2026, 12, 3),
        positions=[PositionSpec("full", "leader", 1), PositionSpec("day", "engineer", 1), PositionSpec("night", "engineer", 1), PositionSpec("day", "security", 1, "CISP")],
    )


def _on_duty(api, user, at: str):
    return api(user).get("/api/v1/roster/on-duty/", {"at": at})


def _seat(roster, date, template, position):
    return Assignment.objects.select_related("member__user").get(shift__roster=roster, shift__date=date, shift__template__code=template, position=position)


def test_on_duty_at_shift_boundaries_and_across_midnight(api, users, day_night_roster):
    r = day_night_roster
    night1 = _seat(r, dt.date(2026, 12, 1), "night", "engineer").member.user
    day2 = _seat(r, dt.date(2026, 12, 2), "day", "engineer").member.user
    leader1 = _seat(r, dt.date(2026, 12, 1), "full", "leader").member.user
    leader2 = _seat(r, dt.date(2026, 12, 2), "full", "leader").member.user

    body = _on_duty(api, users["engineer"], "2026-12-01T23:00:00+08:00").json()
    assert body["leader"]["user"] == leader1.pk and body["leader"]["position"] == "leader"
    assert [(p["user"], p["position"]) for p in body["on_duty"]] == [(leader1.pk, "leader"), (night1.pk, "engineer")]
    assert body["on_duty"][1]["start"] == "2026-12-01T17:30:00+08:00" and body["on_duty"][1]["end"] == "2026-12-02T08:30:00+08:00"
    assert body["on_duty"][1]["phone"] == night1.duty_member.phone and set(body["on_duty"][1]) >= {"user", "name", "position", "start", "end", "phone"}

    # 08:29 next morning: still the night shift and yesterday's leader; 08:30: the day shift and the new leader.
    before = _on_duty(api, users["engineer"], "2026-12-02T08:29:59+08:00").json()
    assert [p["user"] for p in before["on_duty"]] == [leader1.pk, night1.pk]
    at = _on_duty(api, users["engineer"], "2026-12-02T08:30:00+08:00").json()
    assert at["leader"]["user"] == leader2.pk
    assert {(p["user"], p["position"]) for p in at["on_duty"]} >= {(day2.pk, "engineer"), (leader2.pk, "leader")}
    assert [p["position"] for p in at["on_duty"]] == ["leader", "security", "engineer"]
    # UTC input works the same (00:30Z = 08:30 Beijing).
    assert _on_duty(api, users["engineer"], "2026-12-02T00:30:00Z").json()["leader"]["user"] == leader2.pk


def test_nobody_on_duty_outside_published_rosters(api, users, make_roster):
    make_roster(dt.date(2026, 12, 10), dt.date(2026, 12, 11), publish=False)
    body = _on_duty(api, users["auditor"], "2026-12-10T12:00:00+08:00").json()
    assert body == {"at": "2026-12-10T12:00:00+08:00", "leader": None, "on_duty": []}


def test_on_duty_permissions_and_bad_input(api, users, day_night_roster):
    assert _on_duty(api, users["requester"], "2026-12-01T12:00:00+08:00").status_code == 403
    assert _on_duty(api, users["approver"], "2026-12-01T12:00:00+08:00").json()["code"] == "permission_denied"
    assert _on_duty(api, users["auditor"], "2026-12-01T12:00:00+08:00").status_code == 200
    assert api().get("/api/v1/roster/on-duty/").status_code in (401, 403)
    bad = _on_duty(api, users["engineer"], "yesterday")
    assert bad.status_code == 400 and "at" in bad.json()["fields"]
    assert api(users["engineer"]).get("/api/v1/roster/on-duty/").status_code == 200


def test_on_duty_users_selector_is_what_escalation_reads(day_night_roster):
    from roster.selectors.duty import on_duty_users

    users = on_duty_users(at=local(2026, 12, 1, 23))
    assert users[0].username == _seat(day_night_roster, dt.date(2026, 12, 1), "full", "leader").member.user.username
    assert len(users) == 2
    assert on_duty_users(at=local(2027, 1, 1)) == []


def test_propose_api(api, users):
    ok = api(users["engineer"]).post("/api/v1/roster/periods/propose/", {"year": 2026, "lead_days": 0, "trail_days": 0}, format="json")
    assert ok.status_code == 200
    spring = next(p for p in ok.json() if p["kind"] == "spring_festival")
    assert spring == {"name": "2026年春节重保", "kind": "spring_festival", "start": "2026-02-15", "end": "2026-02-23", "level": 2}
    missing = api(users["engineer"]).post("/api/v1/roster/periods/propose/", {"year": 2027}, format="json")
    assert missing.status_code == 400 and "2027" in missing.json()["message"] and "year" in missing.json()["fields"]


def test_period_crud_is_for_managers_and_auditors_read(api, users):
    payload = {"name": "重要会议保障", "kind": "meeting", "start": "2026-12-20", "end": "2026-12-21", "level": 1}
    assert api(users["engineer"]).post("/api/v1/roster/periods/", payload, format="json").status_code == 403
    assert api(users["auditor"]).post("/api/v1/roster/periods/", payload, format="json").status_code == 403
    created = api(users["duty_leader"]).post("/api/v1/roster/periods/", payload, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api(users["auditor"]).get("/api/v1/roster/periods/", {"year": 2026}).json()["count"] == 1
    assert api(users["requester"]).get(f"/api/v1/roster/periods/{pk}/").status_code == 200
    bad = api(users["project_manager"]).patch(f"/api/v1/roster/periods/{pk}/", {"end": "2026-12-01"}, format="json")
    assert bad.status_code == 400 and "end" in bad.json()["fields"]
    assert api(users["auditor"]).delete(f"/api/v1/roster/periods/{pk}/").status_code == 403
    assert api(users["project_manager"]).delete(f"/api/v1/roster/periods/{pk}/").status_code == 204


def test_roster_api_create_generate_publish(api, users, team):
    client = api(users["duty_leader"])
    created = client.post("/api/v1/roster/rosters/", {
        "name": "12月值班表", "start_date": "2026-12-01", "end_date": "2026-12-07",
        "positions": [{"template": "full", "position": "leader"}, {"template": "full", "position": "engineer", "count": 2}],
        "member_ids": [m.pk for m in team.values()],
    }, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert client.post(f"/api/v1/roster/rosters/{pk}/generate/", {}, format="json").json() == {"filled": 21, "unfilled": 0}
    assert api(users["auditor"]).post(f"/api/v1/roster/rosters/{pk}/publish/").status_code == 403
    published = client.post(f"/api/v1/roster/rosters/{pk}/publish/")
    assert published.status_code == 200 and published.json()["number"] == 1
    assert client.post(f"/api/v1/roster/rosters/{pk}/publish/").status_code == 409
    fairness = api(users["auditor"]).get(f"/api/v1/roster/rosters/{pk}/fairness/").json()
    assert sum(row["shifts"] for row in fairness) == 21
    assert api(users["requester"]).get(f"/api/v1/roster/rosters/{pk}/").status_code == 403
    bad = client.post("/api/v1/roster/rosters/", {"name": "x", "start_date": "2026-12-07", "end_date": "2026-12-01", "positions": [], "member_ids": []}, format="json")
    assert bad.status_code == 400


def test_swap_flow_through_the_api(api, users, team, manager, make_roster, time_machine):
    time_machine.move_to(local(2026, 11, 28, 9))
    roster = make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 1), positions=[PositionSpec("day", "engineer", 1)])
    seat = Assignment.objects.select_related("member__user").get(shift__roster=roster)
    asker = seat.member.user
    helper = next(m for k, m in team.items() if k.startswith("e") and m.pk != seat.member_id)

    asked = api(asker).post("/api/v1/roster/swaps/", {"assignment": seat.pk, "counterpart": helper.pk, "reason": "家中有事"}, format="json")
    assert asked.status_code == 201, asked.json()
    swap = asked.json()["id"]
    assert asked.json()["kind"] == "substitute" and asked.json()["status"] == "requested"
    assert api(asker).post(f"/api/v1/roster/swaps/{swap}/approve/", {}, format="json").status_code == 403
    assert api(manager).post(f"/api/v1/roster/swaps/{swap}/approve/", {}, format="json").status_code == 409  # not accepted yet
    assert api(helper.user).post(f"/api/v1/roster/swaps/{swap}/accept/", {}, format="json").json()["status"] == "accepted"
    done = api(manager).post(f"/api/v1/roster/swaps/{swap}/approve/", {"note": "同意"}, format="json")
    assert done.json()["status"] == "approved"
    seat.refresh_from_db()
    roster.refresh_from_db()
    assert seat.member_id == helper.pk and roster.version == 2
    assert roster.versions.get(number=2).diff[0]["new_member"] == helper.pk
    from core.models import Notification
    from roster.models import SwapEvent

    assert list(SwapEvent.objects.filter(swap_id=swap).values_list("new_status", flat=True)) == ["requested", "accepted", "approved"]
    assert Notification.objects.filter(recipient=helper.user, kind="swap_requested").exists()
    assert Notification.objects.filter(recipient=asker, kind="swap_approved").exists()
    # The other engineer is not party to it and does not see it.
    outsider = next(m for k, m in team.items() if k.startswith("e") and m.pk != helper.pk and m.user_id != asker.pk)
    assert api(outsider.user).get("/api/v1/roster/swaps/").json()["count"] == 0
    assert api(outsider.user).post(f"/api/v1/roster/swaps/{swap}/cancel/", {}, format="json").status_code == 404


def test_swap_breaking_a_rule_is_refused_at_request(api, team, make_roster, time_machine):
    time_machine.move_to(local(2026, 11, 28, 9))
    roster = make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 1), positions=[PositionSpec("day", "security", 1, "CISP"), PositionSpec("day", "engineer", 1)])
    seat = Assignment.objects.get(shift__roster=roster, position="security")
    asked = api(seat.member.user).post("/api/v1/roster/swaps/", {"assignment": seat.pk, "counterpart": team["e1"].pk}, format="json")
    assert asked.status_code == 400 and any("不能担任该岗位" in m for m in asked.json()["fields"]["rules"])


def _duty_rows(roster, manager, time_machine):
    """A swap, a log entry, a report and a handover on `roster` (published, future)."""
    from roster.services.duty import duty_log_add, duty_report_submit, handover_submit
    from roster.services.swaps import shift_swap_request

    shifts = list(roster.shifts.order_by("start"))
    time_machine.move_to(shifts[0].start - dt.timedelta(days=1))
    from core.exceptions import ValidationFailed

    seats = list(Assignment.objects.filter(shift__roster=roster, position="engineer").select_related("member__user"))
    for mine in seats:  # the first trade the rules allow
        for theirs in seats:
            try:
                shift_swap_request(actor=mine.member.user, assignment_id=mine.pk, counterpart_id=theirs.member_id, counterpart_assignment_id=theirs.pk)
            except ValidationFailed:
                continue
            break
        else:
            continue
        break

    time_machine.move_to(shifts[0].start + dt.timedelta(hours=2))
    duty_log_add(actor=manager, shift_id=shifts[0].pk, kind="inspection", text="巡检正常", ticket_ref="GD-1")
    duty_report_submit(actor=manager, shift_id=shifts[0].pk, kind="zero")
    handover_submit(actor=manager, shift_id=shifts[0].pk, manual_items=["无"])


@pytest.mark.parametrize("path", ["rosters/", "shifts/", "assignments/", "swaps/", "duty-logs/", "duty-reports/", "handovers/", "members/", "periods/"])
def test_list_query_counts_do_not_grow_with_rows(api, users, manager, make_user, make_roster, django_assert_num_queries, time_machine, path):
    from roster.services.periods import period_create

    client = api(users["auditor"])
    _duty_rows(make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 2)), manager, time_machine)
    period_create(actor=users["duty_leader"], name="会议", kind="meeting", start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 2))
    client.get(f"/api/v1/roster/{path}")  # warm the role cache of this client's user
    with django_assert_num_queries(3 if path == "rosters/" else 2):  # count + page (+ positions with their templates)
        body = client.get(f"/api/v1/roster/{path}").json()
    assert body["count"] >= 1
    time_machine.move_to(dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    _duty_rows(make_roster(dt.date(2026, 12, 10), dt.date(2026, 12, 20)), manager, time_machine)
    period_create(actor=users["duty_leader"], name="活动", kind="event", start=dt.date(2026, 12, 10), end=dt.date(2026, 12, 12))
    from accounts.roles import Role
    from roster.services.members import duty_member_set

    duty_member_set(actor=manager, user=make_user(Role.ENGINEER), positions=["onsite"], qualifications=[])
    with django_assert_num_queries(3 if path == "rosters/" else 2):
        assert client.get(f"/api/v1/roster/{path}").json()["count"] > body["count"]


def test_purchasers_get_403_on_every_duty_list(api, users):
    for path in ["rosters/", "shifts/", "assignments/", "swaps/", "duty-logs/", "handovers/", "members/"]:
        assert api(users["requester"]).get(f"/api/v1/roster/{path}").status_code == 403, path


def test_on_duty_api_query_count_is_constant(api, users, make_roster, django_assert_num_queries):
    client = api(users["engineer"])
    client.get("/api/v1/roster/on-duty/")
    make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 3))
    with django_assert_num_queries(1):
        assert len(client.get("/api/v1/roster/on-duty/", {"at": "2026-12-02T09:00:00+08:00"}).json()["on_duty"]) == 3
