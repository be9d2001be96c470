"""Inspections: schedules (denser in heavy-protection periods), rounds, anomalies to tickets, missed
rounds flagged to the duty leader, the shift's rounds on the duty log and handover."""

import datetime as dt

import pytest

from core.exceptions import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.models import Notification
from roster.services.periods import period_create
from routine.models import InspectionRound
from routine.services.inspections import (
    inspection_missed_due_ids,
    inspection_result_ticket,
    inspection_round_complete,
    inspection_round_flag_missed,
    inspection_rounds_plan,
)
from tickets.models import Ticket

from .conftest import local

pytestmark = pytest.mark.django_db


def answers(checklist, **override):
    items = {i.label: i.pk for i in checklist.items.all()}
    base = {"机房温度": {"value": "22"}, "磁盘使用率": {"value": "60"}, "核心服务状态": {"value": "ok"}, "告警灯与异响": {"value": "无"}}
    base.update(override)
    return {items[label]: value for label, value in base.items()}


def test_daily_schedule_becomes_per_shift_in_a_heavy_protection_period(users, manager, make_roster, daily_schedule):
    make_roster(dt.date(2026, 3, 1), dt.date(2026, 3, 4), positions=None)
    from roster.services.rosters import PositionSpec

    make_roster(dt.date(2026, 3, 1), dt.date(2026, 3, 4), name="夜班表",
                positions=[PositionSpec("night", "leader", 1)])
    period_create(actor=manager, name="两会", kind="two_sessions", start=dt.date(2026, 3, 3), end=dt.date(2026, 3, 4))
    created = inspection_rounds_plan(first_day=dt.date(2026, 3, 1), last_day=dt.date(2026, 3, 4), now=local(2026, 2, 28))
    slots = [(r.slot, r.heavy) for r in InspectionRound.objects.order_by("slot")]
    assert slots[:2] == [(local(2026, 3, 1, 9), False), (local(2026, 3, 2, 9), False)]
    # 3 and 4 March: every shift start (08:30 and 17:30 each day), marked heavy.
    assert slots[2:] == [(local(2026, 3, d, h, 30), True) for d in (3, 4) for h in (8, 17)]
    assert created == 6
    assert inspection_rounds_plan(first_day=dt.date(2026, 3, 1), last_day=dt.date(2026, 3, 4)) == 0  # idempotent


def _round(daily_schedule, day=dt.date(2026, 3, 2)):
    inspection_rounds_plan(first_day=day, last_day=day, now=local(2026, 3, 1))
    return InspectionRound.objects.get(slot__date=day) if False else InspectionRound.objects.order_by("-slot").first()


def test_a_round_with_an_abnormal_item_opens_one_ticket_linked_back(users, checklist, daily_schedule):
    round_ = _round(daily_schedule)
    done = inspection_round_complete(actor=users["engineer"], round_id=round_.pk,
                                     answers=answers(checklist, 磁盘使用率={"value": "91.5"}), now=local(2026, 3, 2, 9, 20))
    assert done.status == "done" and done.anomalies == 1
    disk = done.results.get(item__label="磁盘使用率")
    assert not disk.ok
    ticket = inspection_result_ticket(actor=users["engineer"], result_id=disk.pk)
    assert ticket.kind == "fault" and ticket.severity == "P3" and "91.5" in ticket.description and "≤ 85 %" in ticket.description
    disk.refresh_from_db()
    assert disk.ticket_id == ticket.pk
    with pytest.raises(Conflict):
        inspection_result_ticket(actor=users["engineer"], result_id=disk.pk)
    with pytest.raises(IllegalTransition):
        inspection_result_ticket(actor=users["engineer"], result_id=done.results.get(item__label="机房温度").pk)
    assert Ticket.objects.count() == 1


def test_bad_answers_store_nothing(users, checklist, daily_schedule):
    round_ = _round(daily_schedule)
    with pytest.raises(ValidationFailed) as err:
        inspection_round_complete(actor=users["engineer"], round_id=round_.pk,
                                  answers=answers(checklist, 机房温度={"value": "warm"}, 核心服务状态={"value": "abnormal"}))
    assert len(err.value.fields) == 2  # not a number; abnormal without a note
    round_.refresh_from_db()
    assert round_.status == "pending" and not round_.results.exists()


def test_purchasers_cannot_do_rounds(users, checklist, daily_schedule):
    with pytest.raises(PermissionDenied):
        inspection_round_complete(actor=users["requester"], round_id=_round(daily_schedule).pk, answers=answers(checklist))


def test_a_round_not_done_in_time_is_missed_and_the_duty_leader_told(users, checklist, daily_schedule):
    round_ = _round(daily_schedule)
    assert inspection_missed_due_ids(now=local(2026, 3, 2, 9, 59)) == []
    assert inspection_missed_due_ids(now=local(2026, 3, 2, 10, 1)) == [round_.pk]
    assert inspection_round_flag_missed(round_id=round_.pk, now=local(2026, 3, 2, 10, 1))
    assert not inspection_round_flag_missed(round_id=round_.pk, now=local(2026, 3, 2, 10, 6))  # once
    round_.refresh_from_db()
    assert round_.status == "missed"
    assert Notification.objects.filter(recipient=users["duty_leader"], kind="inspection_missed").count() == 1
    with pytest.raises(IllegalTransition):
        inspection_round_complete(actor=users["engineer"], round_id=round_.pk, answers=answers(checklist))


def test_the_duty_log_and_handover_show_the_shifts_rounds(client, users, team, make_roster, daily_schedule, checklist):
    roster = make_roster(dt.date(2026, 3, 2), dt.date(2026, 3, 2))
    shift = roster.shifts.get()
    _round(daily_schedule)
    client.force_login(team["e1"].user)
    for page in ("/roster/log/", "/roster/handover/"):
        html = client.get(f"{page}?shift={shift.pk}").content.decode()
        assert "本班巡检" in html and "机房巡检" in html and "待巡检" in html, page


def test_round_page_and_ticket_button(client, users, checklist, daily_schedule):
    round_ = _round(daily_schedule)
    client.force_login(users["engineer"])
    form = client.get(f"/routine/inspections/rounds/{round_.pk}/").content.decode()
    assert 'inputmode="decimal"' in form and "18–27 ℃" in form
    items = {i.label: i.pk for i in checklist.items.all()}
    post = {f"value_{items['机房温度']}": "30", f"value_{items['磁盘使用率']}": "50", f"value_{items['核心服务状态']}": "ok",
            f"value_{items['告警灯与异响']}": "无"}
    assert client.post(f"/routine/inspections/rounds/{round_.pk}/", post).status_code == 302
    result = round_.results.get(item__label="机房温度")
    html = client.get(f"/routine/inspections/rounds/{round_.pk}/").content.decode()
    assert "开工单" in html
    response = client.post(f"/routine/inspections/results/{result.pk}/ticket/", {"severity": "P2"})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == f"/tickets/{ticket.pk}/" and ticket.severity == "P2"
    client.force_login(users["other_requester"])
    assert client.get(f"/routine/inspections/rounds/{round_.pk}/").status_code == 404


def test_rounds_api_and_export(api, client, users, checklist, daily_schedule, django_assert_num_queries):
    round_ = _round(daily_schedule)
    engineer = api(users["engineer"])
    body = {"answers": {str(k): v for k, v in answers(checklist, 核心服务状态={"value": "abnormal", "note": "nginx 未运行"}).items()}}
    response = engineer.post(f"/api/v1/inspection-rounds/{round_.pk}/complete/", body, format="json")
    assert response.status_code == 200 and response.json()["anomalies"] == 1
    assert engineer.post(f"/api/v1/inspection-rounds/{round_.pk}/complete/", body, format="json").status_code == 409
    bad = next(r for r in response.json()["results"] if not r["ok"])
    assert engineer.post(f"/api/v1/inspection-results/{bad['id']}/ticket/", {}, format="json").status_code == 201
    reader = api(users["requester"])
    with django_assert_num_queries(3):  # roles, count, page
        rows = reader.get("/api/v1/inspection-rounds/?with_anomalies=true").json()["results"]
    assert [r["id"] for r in rows] == [round_.pk]
    assert api(users["other_requester"]).get("/api/v1/inspection-rounds/").json()["results"] == []
    client.force_login(users["auditor"])
    csv = client.get("/routine/inspections/anomalies/?export=csv").content.decode("utf-8-sig")
    assert "核心服务状态" in csv and "nginx 未运行" in csv
