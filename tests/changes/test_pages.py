"""Pages of change requests: rendering, the actions shown, the form keeping input, the calendar,
the approval inbox, tenant isolation and query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from changes.models import ChangeRequest
from changes.services import change_approve, change_submit

from .conftest import at

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def submitted(draft, users, **kw):
    change = draft(**kw)
    change_submit(actor=users["engineer"], change_id=change.pk)
    return change


def test_detail_shows_chain_and_only_the_users_actions(draft, users):
    change = submitted(draft, users)
    page = client_for(users["tech_lead"]).get(f"/changes/{change.pk}/").content.decode()
    assert "服务商技术负责人审批" in page and "业务系统所属采购人审批" in page
    assert f"/changes/{change.pk}/approve/" in page and f"/changes/{change.pk}/reject/" in page
    assert f"/changes/{change.pk}/start/" not in page
    page = client_for(users["approver"]).get(f"/changes/{change.pk}/").content.decode()
    assert f"/changes/{change.pk}/approve/" not in page  # not their step yet
    page = client_for(users["auditor"]).get(f"/changes/{change.pk}/").content.decode()
    assert "可执行的操作" not in page


def test_approve_through_the_page(draft, users):
    change = submitted(draft, users)
    r = client_for(users["tech_lead"]).post(f"/changes/{change.pk}/approve/", {"comment": "同意"})
    assert r.status_code == 302
    change.refresh_from_db()
    assert change.status == "in_approval"
    r = client_for(users["approver"]).post(f"/changes/{change.pk}/reject/", {"comment": ""}, follow=True)
    assert "驳回时必须填写审批意见" in r.content.decode()
    change.refresh_from_db()
    assert change.status == "in_approval"


def test_action_forms_share_the_form_look_and_keep_input_when_refused(draft, users):
    """Issue 19 item 8: the action forms render through the one form renderer (no colons, the fields
    an action needs marked); a refused action comes back on the page with what was typed, its reason
    once, beside the field."""
    change = submitted(draft, users)
    c = client_for(users["tech_lead"])
    page = c.get(f"/changes/{change.pk}/").content.decode()
    assert '<div class="field required">\n<label for="reject-comment">' in page
    assert '<label for="approve-comment">' in page and ":</label>" not in page
    r = c.post(f"/changes/{change.pk}/reject/", {"comment": "   "})
    page = r.content.decode()
    assert r.status_code == 200
    assert page.count("驳回时必须填写审批意见") == 1
    assert 'class="field required has-error">\n<label for="reject-comment">' in page
    change.refresh_from_db()
    assert change.status == "submitted"
    # Refused because the state moved on (cancelled meanwhile): no action is left, the form and its reason stay.
    from changes.services import change_cancel
    change_cancel(actor=users["engineer"], change_id=change.pk, reason="需求取消")
    r = c.post(f"/changes/{change.pk}/reject/", {"comment": "窗口过长"})
    page = r.content.decode()
    assert r.status_code in (200, 409) and "窗口过长" in page and 'aria-labelledby="h-actions"' in page
    # An action without a form (submit, start) goes back to the page with the reason as its message.
    r = client_for(users["engineer"]).post(f"/changes/{change.pk}/start/", follow=True)
    assert r.redirect_chain and "msg-error" in r.content.decode()


def test_a_refused_completion_keeps_the_notes(draft, users):
    change = submitted(draft, users)
    change_approve(actor=users["tech_lead"], change_id=change.pk)
    change_approve(actor=users["approver"], change_id=change.pk)
    ChangeRequest.objects.filter(pk=change.pk).update(status="in_progress")
    c = client_for(users["engineer"])
    r = c.post(f"/changes/{change.pk}/complete/", {"outcome": "", "notes": "已完成升级，业务拨测正常"})
    page = r.content.decode()
    assert r.status_code == 200 and "已完成升级，业务拨测正常" in page
    assert page.count("请选择实施结果") == 1 and '<option value="" selected>请选择</option>' in page
    r = c.post(f"/changes/{change.pk}/complete/", {"outcome": "nonsense", "notes": "x"})
    assert r.status_code == 200 and 'class="field required has-error">\n<label for="complete-outcome">' in r.content.decode()
    change.refresh_from_db()
    assert change.status == "in_progress"


def test_user_text_is_escaped(draft, users):
    change = draft(title="<script>alert(1)</script>", reason="<b>x</b>")
    page = client_for(users["engineer"]).get(f"/changes/{change.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_form_keeps_input_and_shows_chinese_errors(users, systems):
    c = client_for(users["engineer"])
    data = {
        "title": "数据库扩容", "category": "normal", "risk": "medium", "business_systems": [systems["own"].pk],
        "window_start": "2026-06-02T22:00", "window_end": "2026-06-02T21:00", "reason": "容量不足",
        "plan": "", "rollback_plan": "", "verification_plan": "",
    }
    r = c.post("/changes/new/", data)
    page = r.content.decode()
    assert r.status_code == 200
    assert "计划结束时间必须晚于开始时间" in page
    assert 'value="数据库扩容"' in page and "容量不足" in page
    assert ChangeRequest.objects.count() == 0
    data["window_end"] = "2026-06-03T01:00"
    data["submit"] = "1"
    r = c.post("/changes/new/", data)
    page = r.content.decode()
    assert r.status_code == 200 and "提交前必须填写此项" in page  # saved as draft, submission refused
    change = ChangeRequest.objects.get()
    # Said once: why it was not submitted heads the form, the fields to fix are links, nothing above the page.
    assert page.count(f"草稿 {change.number} 已保存，但未能提交：变更信息不完整，不能提交") == 1
    assert '<a href="#id_plan">实施步骤</a>' in page and 'class="messages"' not in page
    assert change.status == "draft" and f"/changes/{change.pk}/edit/" in page
    data.update(plan="扩容", rollback_plan="缩回", verification_plan="检查")
    r = c.post(f"/changes/{change.pk}/edit/", data)
    assert r.status_code == 302
    change.refresh_from_db()
    assert change.status == "submitted"
    assert change.window_start == at(2026, 6, 2, 22)


def test_create_page_forbidden_to_auditors_and_purchaser_approvers(users):
    assert client_for(users["auditor"]).get("/changes/new/").status_code == 403
    assert client_for(users["approver"]).get("/changes/new/").status_code == 403
    assert client_for(users["requester"]).get("/changes/new/").status_code == 200


def test_other_purchaser_gets_404(draft, users, systems):
    change = draft()
    other = client_for(users["other_requester"])
    assert other.get(f"/changes/{change.pk}/").status_code == 404
    assert other.post(f"/changes/{change.pk}/cancel/").status_code == 404
    assert change.number not in other.get("/changes/").content.decode()
    assert change.number in client_for(users["requester"]).get("/changes/").content.decode()


def test_inbox_lists_changes_awaiting_the_user(draft, users, systems):
    change = submitted(draft, users)
    assert change.number in client_for(users["tech_lead"]).get("/changes/inbox/").content.decode()
    assert change.number not in client_for(users["approver"]).get("/changes/inbox/").content.decode()
    change_approve(actor=users["tech_lead"], change_id=change.pk)
    assert change.number in client_for(users["approver"]).get("/changes/inbox/").content.decode()
    assert change.number not in client_for(users["other_approver"]).get("/changes/inbox/").content.decode()
    assert change.number not in client_for(users["tech_lead"]).get("/changes/inbox/").content.decode()


def test_calendar_shows_windows_and_shades_periods(draft, users, period):
    period(dt.date(2026, 3, 4), dt.date(2026, 3, 11))
    change = submitted(draft, users, window_start=at(2026, 3, 20, 22), window_end=at(2026, 3, 21, 2))
    page = client_for(users["engineer"]).get("/changes/calendar/?month=2026-03").content.decode()
    assert page.count(change.number) == 2  # the 20th and the 21st
    assert page.count(" period") == 8  # 03-04 .. 03-11 shaded
    assert page.count('<span class="period-name">全国两会</span>') == 8
    assert client_for(users["engineer"]).get("/changes/calendar/?month=bad").status_code == 200


def _many(draft, users, n):
    for i in range(n):
        submitted(draft, users, window_start=at(2026, 3, 1 + i, 22), window_end=at(2026, 3, 2 + i, 1))


@pytest.mark.parametrize("url", ["/changes/", "/changes/inbox/", "/changes/calendar/?month=2026-03"])
def test_page_query_counts_are_constant(draft, users, url):
    _many(draft, users, 2)
    counts = []
    for extra in (0, 3):
        _many(draft, users, extra)
        c = client_for(User.objects.get(pk=users["tech_lead"].pk))
        c.get(url)  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        counts.append(len(ctx))
    assert counts == [EXPECTED[url]] * 2, counts


def test_detail_query_count(draft, users, django_assert_num_queries):
    change = submitted(draft, users)
    c = client_for(users["tech_lead"])
    c.get(f"/changes/{change.pk}/")
    with django_assert_num_queries(EXPECTED_DETAIL_QUERIES):
        c.get(f"/changes/{change.pk}/")


EXPECTED_DETAIL_QUERIES = 13  # + the panels other apps add (monitoring: the alerts the change silenced)
# session, user with organisation and roles (one query since accounts.authentication: one fewer than
# before on each page, two on the inbox, which read the user's organisation), nav/unread badge …
# constant in the number of changes shown.
EXPECTED = {"/changes/": 7, "/changes/inbox/": 7, "/changes/calendar/?month=2026-03": 5}


def test_the_form_marks_what_submission_requires_and_filters_hosts_by_system(users, systems):
    page = client_for(users["engineer"]).get("/changes/new/").content.decode()
    for name in ("title", "business_systems", "window_start", "reason", "plan", "rollback_plan", "verification_plan"):
        assert f'<div class="field required">\n<label for="id_{name}">' in page, name
    assert '<div class="field">\n<label for="id_linked_tickets">' in page
    assert "---------" not in page and ":</label>" not in page
    assert 'data-filter-by="business_systems"' in page
    assert f'data-group="{systems["own"].pk}">t-host-01（测试大数据平台）</option>' in page
