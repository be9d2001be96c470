"""API of change requests: fields, 400/404/409 answers, permissions and query counts."""

import pytest

from accounts.models import User
from changes.models import ChangeTemplate

pytestmark = pytest.mark.django_db

URL = "/api/v1/changes/"


def body(systems, users, **kw):
    data = {
        "title": "执法办案系统中间件升级", "category": "normal", "risk": "medium",
        "business_systems": [systems["own"].pk], "hosts": [systems["host"].pk], "reason": "安全加固",
        "plan": "升级", "rollback_plan": "回退", "verification_plan": "拨测", "expected_interruption_minutes": 15,
        "window_start": "2026-05-10T22:00:00+08:00", "window_end": "2026-05-11T01:00:00+08:00",
        "internet_remote_access": False, "implementers": [users["engineer"].pk],
    }
    data.update(kw)
    return data


def test_create_submit_approve_over_the_api(api, users, systems):
    eng = api(users["engineer"])
    r = eng.post(URL, body(systems, users), format="json")
    assert r.status_code == 201, r.json()
    change = r.json()
    assert change["status"] == "draft" and change["number"].startswith("BG-")
    assert change["business_systems"] == [systems["own"].pk]
    assert set(change["actions"]) == {"update", "submit", "cancel"}
    pk = change["id"]
    r = eng.patch(f"{URL}{pk}/", {"title": "执法办案系统中间件升级（含补丁）"}, format="json")
    assert r.status_code == 200 and r.json()["title"].endswith("（含补丁）")
    r = eng.post(f"{URL}{pk}/submit/")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert [a["role"] for a in r.json()["approvals"]] == ["tech_lead", "approver"]
    r = api(users["tech_lead"]).post(f"{URL}{pk}/approve/", {"comment": "同意"}, format="json")
    assert r.json()["status"] == "in_approval"
    r = api(users["approver"]).post(f"{URL}{pk}/approve/", {}, format="json")
    assert r.json()["status"] == "approved"
    assert eng.post(f"{URL}{pk}/start/").json()["status"] == "in_progress"
    r = eng.post(f"{URL}{pk}/complete/", {"outcome": "nope"}, format="json")
    assert r.status_code == 400 and "outcome" in r.json()["fields"]
    assert eng.post(f"{URL}{pk}/complete/", {"outcome": "successful"}, format="json").json()["status"] == "completed"
    r = api(users["tech_lead"]).post(f"{URL}{pk}/review/", {"notes": "顺利", "lessons": "无"}, format="json")
    assert r.json()["status"] == "reviewed" and r.json()["review_notes"] == "顺利"


def test_submit_incomplete_answers_400_with_field_messages(api, users, systems):
    eng = api(users["engineer"])
    pk = eng.post(URL, {"title": "只有标题"}, format="json").json()["id"]
    r = eng.post(f"{URL}{pk}/submit/")
    assert r.status_code == 400
    assert r.json()["code"] == "validation_failed"
    assert r.json()["fields"]["plan"] == ["提交前必须填写此项"]
    assert "business_systems" in r.json()["fields"]


def test_bad_input_answers_400(api, users, systems):
    eng = api(users["engineer"])
    r = eng.post(URL, body(systems, users, window_end="2026-05-10T21:00:00+08:00"), format="json")
    assert r.status_code == 400 and "window_end" in r.json()["fields"]
    r = eng.post(URL, body(systems, users, category="urgent"), format="json")
    assert r.status_code == 400 and "category" in r.json()["fields"]
    r = eng.post(URL, body(systems, users, business_systems=[999999]), format="json")
    assert r.status_code == 400 and "business_systems" in r.json()["fields"]


def test_freeze_answers_409_change_freeze_naming_the_period(api, users, systems, period):
    import datetime as dt

    period(dt.date(2026, 5, 11), dt.date(2026, 5, 12), name="重要会议保障")
    eng = api(users["engineer"])
    pk = eng.post(URL, body(systems, users), format="json").json()["id"]  # ends 05-11 01:00: touches
    r = eng.post(f"{URL}{pk}/submit/")
    assert r.status_code == 409
    assert r.json()["code"] == "change_freeze" and "重要会议保障" in r.json()["message"]
    assert eng.get(f"{URL}{pk}/").json()["status"] == "draft"


def test_illegal_moves_answer_409(api, users, systems):
    eng = api(users["engineer"])
    pk = eng.post(URL, body(systems, users), format="json").json()["id"]
    r = eng.post(f"{URL}{pk}/start/")
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    eng.post(f"{URL}{pk}/submit/")
    r = eng.patch(f"{URL}{pk}/", {"title": "x"}, format="json")
    assert r.status_code == 409


def test_self_approval_and_role_checks_answer_403(api, users, systems, make_user):
    from accounts.roles import Role

    make_user(Role.TECH_LEAD)
    lead = api(users["tech_lead"])
    pk = lead.post(URL, body(systems, users), format="json").json()["id"]
    lead.post(f"{URL}{pk}/submit/")
    r = lead.post(f"{URL}{pk}/approve/", {}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "self_approval"
    r = api(users["engineer2"]).post(f"{URL}{pk}/approve/", {}, format="json")
    assert r.status_code == 403


def test_reject_needs_a_comment(api, users, systems):
    eng = api(users["engineer"])
    pk = eng.post(URL, body(systems, users), format="json").json()["id"]
    eng.post(f"{URL}{pk}/submit/")
    r = api(users["tech_lead"]).post(f"{URL}{pk}/reject/", {"comment": ""}, format="json")
    assert r.status_code == 400 and "comment" in r.json()["fields"]
    r = api(users["tech_lead"]).post(f"{URL}{pk}/reject/", {"comment": "窗口过长"}, format="json")
    assert r.json()["status"] == "rejected"


def test_purchaser_sees_only_changes_touching_their_systems(api, users, systems):
    eng = api(users["engineer"])
    own = eng.post(URL, body(systems, users), format="json").json()["id"]
    other = eng.post(URL, body(systems, users, business_systems=[systems["other"].pk], hosts=[]), format="json").json()["id"]
    mine = api(users["requester"])
    assert [c["id"] for c in mine.get(URL).json()["results"]] == [own]
    assert mine.get(f"{URL}{other}/").status_code == 404
    assert mine.post(f"{URL}{other}/cancel/").status_code == 404
    assert api(users["other_requester"]).get(f"{URL}{own}/").status_code == 404
    assert {c["id"] for c in api(users["provider_auditor"]).get(URL).json()["results"]} == {own, other}
    # A purchaser's auditor reads its purchaser's changes only (issue 15 item 10).
    assert {c["id"] for c in api(users["auditor"]).get(URL).json()["results"]} == {own}
    assert api(users["auditor"]).get(f"{URL}{other}/").status_code == 404


def test_auditors_are_read_only(api, users, systems):
    eng = api(users["engineer"])
    pk = eng.post(URL, body(systems, users), format="json").json()["id"]
    aud = api(users["auditor"])
    assert aud.get(f"{URL}{pk}/").json()["actions"] == []
    assert aud.post(URL, body(systems, users), format="json").status_code == 403
    assert aud.patch(f"{URL}{pk}/", {"title": "x"}, format="json").status_code == 403
    assert aud.post(f"{URL}{pk}/cancel/").status_code == 403


def test_purchaser_requester_drafts_a_change(api, users, systems):
    r = api(users["requester"]).post(URL, body(systems, users, hosts=[], implementers=[]), format="json")
    assert r.status_code == 201
    assert api(users["approver"]).post(URL, body(systems, users), format="json").status_code == 403


def test_list_filters(api, users, systems):
    eng = api(users["engineer"])
    a = eng.post(URL, body(systems, users, risk="high"), format="json").json()["id"]
    b = eng.post(URL, body(systems, users, business_systems=[systems["own_normal"].pk], hosts=[], title="门户"), format="json").json()["id"]
    eng.post(f"{URL}{a}/submit/")
    ids = lambda q: [c["id"] for c in eng.get(URL + q).json()["results"]]  # noqa: E731
    assert ids("?risk=high") == [a]
    assert ids("?status=draft") == [b]
    assert ids(f"?business_system={systems['own_normal'].pk}") == [b]
    assert ids("?q=门户") == [b]
    assert ids("?window_from=2026-05-11T02:00:00%2B08:00") == []
    assert eng.get(URL + "?status=bogus").status_code == 400


def test_list_query_count_is_constant(api, users, systems, django_assert_num_queries):
    eng = api(users["engineer"])
    for _ in range(2):
        pk = eng.post(URL, body(systems, users), format="json").json()["id"]
        eng.post(f"{URL}{pk}/submit/")
    fresh = lambda: api(User.objects.get(pk=users["tech_lead"].pk))  # noqa: E731 - roles not yet cached
    client = fresh()
    # roles (1), count (1), page (1), prefetch systems/hosts/implementers/tickets/approvals (5)
    with django_assert_num_queries(8):
        assert client.get(URL).status_code == 200
    for _ in range(3):
        pk = eng.post(URL, body(systems, users, risk="high"), format="json").json()["id"]
        eng.post(f"{URL}{pk}/submit/")
    client = fresh()
    with django_assert_num_queries(8):
        assert len(client.get(URL).json()["results"]) == 5


def test_change_templates(api, users):
    r = api(users["requester"]).get("/api/v1/change-templates/")
    assert r.status_code == 200
    assert r.json()["count"] == ChangeTemplate.objects.count() >= 3
    first = r.json()["results"][0]
    assert api(users["engineer"]).get(f"/api/v1/change-templates/{first['id']}/").json()["name"] == first["name"]


def test_schema_has_no_warnings_about_changes(capsys):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--file", "/dev/null")
    err = capsys.readouterr().err
    assert "apis_changes" not in err and "Change" not in err and "DelegatedFromRole" not in err, err
