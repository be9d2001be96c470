"""Issue 19 item 4: a change is not started before its approved window opens (409 naming the window);
an emergency change follows its own rule; a change still in implementation after its window is flagged."""

import datetime as dt

import pytest
import time_machine

from changes.selectors import change_actions_for_user, change_overrun
from changes.services import change_approve, change_start, change_submit
from core.exceptions import IllegalTransition

from .conftest import at

pytestmark = pytest.mark.django_db


def _approved(draft, users, **kw):
    change = draft(**kw)
    change_submit(actor=users["engineer"], change_id=change.pk)
    change_approve(actor=users["tech_lead"], change_id=change.pk)
    return change_approve(actor=users["approver"], change_id=change.pk)


def test_a_normal_change_starts_when_its_window_opens_not_a_minute_before(draft, users, api):
    change = _approved(draft, users)
    assert change.status == "approved"
    with time_machine.travel(at(2026, 3, 20, 21, 59), tick=False):
        assert "start" not in change_actions_for_user(change=change, user=users["engineer"])
        with pytest.raises(IllegalTransition) as refused:
            change_start(actor=users["engineer"], change_id=change.pk)
        assert refused.value.code == "window_not_open" and "2026-03-20 22:00 — 2026-03-21 02:00" in str(refused.value.message)
        answer = api(users["engineer"]).post(f"/api/v1/changes/{change.pk}/start/", {}, format="json")
        assert answer.status_code == 409 and answer.json()["code"] == "window_not_open"
        assert answer.json()["fields"]["window_start"] == ["2026-03-20 22:00 — 2026-03-21 02:00"]
    change.refresh_from_db()
    assert change.status == "approved" and change.started_at is None  # nothing written
    with time_machine.travel(at(2026, 3, 20, 22, 0), tick=False):
        assert change_start(actor=users["engineer"], change_id=change.pk).status == "in_progress"


def test_an_emergency_change_may_start_before_its_window(draft, users):
    change = draft(category="emergency")
    change_submit(actor=users["engineer"], change_id=change.pk)
    change_approve(actor=users["tech_lead"], change_id=change.pk)
    with time_machine.travel(at(2026, 3, 20, 14), tick=False):
        assert change_start(actor=users["engineer"], change_id=change.pk).status == "in_progress"


def test_a_started_change_past_its_window_end_is_flagged(draft, users, api, client):
    change = _approved(draft, users)
    with time_machine.travel(at(2026, 3, 20, 22, 30), tick=False):
        change = change_start(actor=users["engineer"], change_id=change.pk)
        assert not change_overrun(change, now=at(2026, 3, 21, 2, 0))
        assert api(users["engineer"]).get(f"/api/v1/changes/{change.pk}/").json()["overrun"] is False
    with time_machine.travel(at(2026, 3, 21, 2, 1), tick=False):
        assert change_overrun(change, now=dt.datetime.now(dt.UTC))
        assert api(users["engineer"]).get(f"/api/v1/changes/{change.pk}/").json()["overrun"] is True
        client.force_login(users["engineer"])
        assert "已超出窗口" in client.get(f"/changes/{change.pk}/").content.decode()
        assert "已超出窗口" in client.get("/changes/").content.decode()


def test_the_change_page_names_the_window_instead_of_offering_the_start(draft, users, client):
    change = _approved(draft, users)
    client.force_login(users["engineer"])
    with time_machine.travel(at(2026, 3, 20, 21, 59), tick=False):
        html = client.get(f"/changes/{change.pk}/").content.decode()
        assert "计划时间窗口（2026-03-20 22:00 — 2026-03-21 02:00）尚未开始，不能开始实施" in html
        assert 'disabled aria-describedby="start-wait"' in html
        # The same form posted anyway: refused with the window, nothing started.
        after = client.post(f"/changes/{change.pk}/start/", follow=True).content.decode()
        assert "尚未开始，不能开始实施" in after and "已开始实施。" not in after
    change.refresh_from_db()
    assert change.status == "approved"
    with time_machine.travel(at(2026, 3, 20, 22, 0), tick=False):
        html = client.get(f"/changes/{change.pk}/").content.decode()
        assert 'id="start-wait"' not in html and "开始实施" in html
    # Somebody who may not implement it is not told when to start.
    client.force_login(users["approver"])
    with time_machine.travel(at(2026, 3, 20, 21, 59), tick=False):
        assert 'id="start-wait"' not in client.get(f"/changes/{change.pk}/").content.decode()
