"""Inspection rounds on the one transition-table shape (core.transitions): pending → done (provider
staff), pending → missed (the scheduler only). inspection_round_actions_for is what the page offers and
what the API lists; every illegal move is 409 in the API and a message on the page."""

import datetime as dt

import pytest
import time_machine

from core.exceptions import IllegalTransition, PermissionDenied
from routine.models import InspectionRound
from routine.selectors.inspections import inspection_round_actions_for
from routine.services.inspections import (
    ROUND_TRANSITIONS,
    inspection_round_complete,
    inspection_round_flag_missed,
    inspection_rounds_plan,
)

from .conftest import local
from .test_inspections import answers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(local(2026, 3, 2, 9, 30), tick=False):
        yield


@pytest.fixture
def rounds(daily_schedule):
    inspection_rounds_plan(first_day=dt.date(2026, 3, 1), last_day=dt.date(2026, 3, 2), now=local(2026, 2, 28))
    missed, pending = InspectionRound.objects.order_by("slot")
    assert inspection_round_flag_missed(round_id=missed.pk, now=local(2026, 3, 1, 11))
    missed.refresh_from_db()
    return {"missed": missed, "pending": pending}


def test_the_table(users, rounds):
    pending, missed = rounds["pending"], rounds["missed"]
    assert inspection_round_actions_for(actor=users["engineer"], round_=pending) == ["complete"]
    assert inspection_round_actions_for(actor=users["engineer"], round_=missed) == []
    for who in ("requester", "approver", "auditor"):
        assert inspection_round_actions_for(actor=users[who], round_=pending) == []
    assert ROUND_TRANSITIONS.actions_for(user=None, obj=pending) == ["miss"]
    assert isinstance(ROUND_TRANSITIONS.refusal(action="miss", user=users["engineer"], obj=pending), PermissionDenied)
    assert isinstance(ROUND_TRANSITIONS.refusal(action="complete", user=users["engineer"], obj=missed), IllegalTransition)


def test_a_done_round_is_not_missed_and_not_done_twice(users, checklist, rounds):
    pending = rounds["pending"]
    inspection_round_complete(actor=users["engineer"], round_id=pending.pk, answers=answers(checklist))
    assert inspection_round_flag_missed(round_id=pending.pk, now=local(2026, 3, 3)) is False
    with pytest.raises(IllegalTransition) as err:
        inspection_round_complete(actor=users["engineer2"], round_id=pending.pk, answers=answers(checklist))
    assert "已完成" in str(err.value.message)


@pytest.mark.parametrize("state", ["done", "missed"])
def test_every_illegal_completion_is_409_in_the_api(api, users, checklist, rounds, state):
    round_ = rounds["missed"] if state == "missed" else rounds["pending"]
    if state == "done":
        inspection_round_complete(actor=users["engineer"], round_id=round_.pk, answers=answers(checklist))
    body = {"answers": {str(k): v for k, v in answers(checklist).items()}}
    response = api(users["engineer2"]).post(f"/api/v1/inspection-rounds/{round_.pk}/complete/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition" and "不能提交巡检" in response.json()["message"]
    # refused before the body is read: an empty body is still 409, not 400
    assert api(users["engineer2"]).post(f"/api/v1/inspection-rounds/{round_.pk}/complete/", {}, format="json").status_code == 409
    assert api(users["engineer"]).get(f"/api/v1/inspection-rounds/{round_.pk}/").json()["actions"] == []


def test_api_lists_the_actions_and_refuses_purchasers(api, users, checklist, rounds):
    pending = rounds["pending"]
    assert api(users["engineer"]).get(f"/api/v1/inspection-rounds/{pending.pk}/").json()["actions"] == ["complete"]
    assert api(users["requester"]).get(f"/api/v1/inspection-rounds/{pending.pk}/").json()["actions"] == []
    assert api(users["requester"]).post(f"/api/v1/inspection-rounds/{pending.pk}/complete/", {}, format="json").status_code == 403
    assert api(users["other_requester"]).post(f"/api/v1/inspection-rounds/{pending.pk}/complete/", {}, format="json").status_code == 404


def _post_data(checklist) -> dict:
    data = {}
    for item_id, answer in answers(checklist).items():
        data[f"value_{item_id}"] = answer["value"]
        data[f"note_{item_id}"] = answer.get("note", "")
    return data


@pytest.mark.parametrize("state", ["done", "missed"])
def test_page_shows_the_refusal_as_a_message(client, users, checklist, rounds, state):
    round_ = rounds["missed"] if state == "missed" else rounds["pending"]
    if state == "done":
        inspection_round_complete(actor=users["engineer"], round_id=round_.pk, answers=answers(checklist))
    client.force_login(users["engineer2"])
    assert 'name="value_' not in client.get(f"/routine/inspections/rounds/{round_.pk}/").content.decode()
    response = client.post(f"/routine/inspections/rounds/{round_.pk}/", _post_data(checklist))
    html = response.content.decode()
    assert response.status_code == 200 and "不能提交巡检" in html
    round_.refresh_from_db()
    assert round_.status == state and (state == "missed" or round_.done_by == users["engineer"])


def test_page_offers_the_form_to_staff_only(client, users, checklist, rounds):
    pending = rounds["pending"]
    client.force_login(users["requester"])
    assert 'name="value_' not in client.get(f"/routine/inspections/rounds/{pending.pk}/").content.decode()
    assert client.post(f"/routine/inspections/rounds/{pending.pk}/", _post_data(checklist)).status_code == 403
    client.force_login(users["engineer"])
    assert 'name="value_' in client.get(f"/routine/inspections/rounds/{pending.pk}/").content.decode()
    assert client.post(f"/routine/inspections/rounds/{pending.pk}/", _post_data(checklist)).status_code == 302
    pending.refresh_from_db()
    assert pending.status == "done"


def test_drill_record_and_sign_are_refused_before_the_body_by_the_same_table(api, users, systems, purchaser):
    from routine.services.drills import drill_plan, drill_record

    drill = drill_plan(actor=users["engineer"], kind="emergency", title="演练", organization=purchaser, systems=[systems["own"]],
                       plan="p", scenario="s", planned_on=dt.date(2026, 3, 20), rto_target_minutes=30, rpo_target_minutes=5,
                       participants="张三")
    assert api(users["approver"]).post(f"/api/v1/drills/{drill.pk}/sign/", {}, format="json").status_code == 409
    assert api(users["requester"]).post(f"/api/v1/drills/{drill.pk}/record/", {}, format="json").status_code == 403
    drill_record(actor=users["engineer"], drill_id=drill.pk, rto_achieved_minutes=1, rpo_achieved_minutes=1, outcome="ok")
    assert api(users["engineer"]).post(f"/api/v1/drills/{drill.pk}/record/", {}, format="json").status_code == 409
    assert api(users["engineer"]).post(f"/api/v1/drills/{drill.pk}/sign/", {}, format="json").status_code == 403
