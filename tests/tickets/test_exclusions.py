"""The exclusion ledger (issue 15 items 1, 2): the consent flow through a concrete model, provider
cancellation as a request, duplicates, the figures counting only confirmed exclusions, the API."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.consent import consent_history
from core.models import ConsentEvent, ConsentState, Notification
from reports.selectors.kpis import Scope, kpis_compute
from reports.selectors.periods import month_of
from tickets.models import Exclusion, Ticket, TicketEvent
from tickets.services.exclusions import exclusion_decide, ticket_cancel, ticket_merge
from tickets.services.tickets import ticket_acknowledge

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
S = ConsentState


def at(d, hh, mm=0, ss=0):
    return dt.datetime(2026, 10, d, hh, mm, ss, tzinfo=BJ)


def post(client, url, data=None):
    return client.post(url, data or {}, format="json")


@pytest.fixture
def october_fault(new_ticket, time_machine):
    time_machine.move_to(at(10, 10), tick=False)
    return new_ticket("fault", "P3")


def _response_kpi(purchaser, now):
    result = kpis_compute(period=month_of(now), scope=Scope(organization_id=purchaser.pk), now=now)
    return result.figures["response_rate"]


# ---------------------------------------------------------------- the consent flow, in the database


def test_provider_cancellation_waits_for_the_purchaser_and_changes_nothing_meanwhile(october_fault, users, api, time_machine):
    time_machine.move_to(at(10, 10, 5), tick=False)
    res = post(api(users["duty_leader"]), f"/api/v1/tickets/{october_fault.pk}/cancel/", {"reason": "误报"})
    assert res.status_code == 202
    body = res.json()
    assert (body["kind"], body["state"], body["ticket"], body["reason"]) == ("cancellation", "requested", october_fault.pk, "误报")
    assert body["requested_by"]["id"] == users["duty_leader"].pk and body["requested_at"]
    ticket = Ticket.objects.get(pk=october_fault.pk)
    assert ticket.status == "new" and ticket.next_due_at is not None  # still in the queues, on its clocks
    assert not ticket.clocks.filter(stopped_at__isnull=False).exists()
    # The purchaser's approver is told; the history has the opening row; the timeline shows the request.
    assert Notification.objects.filter(recipient=users["approver"], kind="consent_requested").exists()
    exclusion = Exclusion.objects.get(pk=body["id"])
    assert [(e.action, e.from_state, e.to_state) for e in consent_history(exclusion)] == [("open", "", "requested")]
    assert ticket.events.filter(kind=TicketEvent.Kind.EXCLUSION_REQUESTED).exists()
    # A second request while one waits is a conflict.
    assert post(api(users["project_manager"]), f"/api/v1/tickets/{october_fault.pk}/cancel/", {"reason": "x"}).status_code == 409


def test_confirmation_cancels_the_ticket_and_deciding_twice_is_409_with_the_state(october_fault, users, api, time_machine):
    time_machine.move_to(at(10, 10, 5), tick=False)
    exclusion = ticket_cancel(actor=users["duty_leader"], ticket=october_fault, reason="误报")
    time_machine.move_to(at(10, 11), tick=False)
    approver = api(users["approver"])
    res = post(approver, f"/api/v1/exclusions/{exclusion.pk}/confirm/", {"note": "同意"})
    assert res.status_code == 200 and res.json()["state"] == "confirmed" and res.json()["counts"] is True
    ticket = Ticket.objects.get(pk=october_fault.pk)
    assert (ticket.status, ticket.cancelled_at) == ("cancelled", at(10, 11))
    again = post(approver, f"/api/v1/exclusions/{exclusion.pk}/confirm/", {})
    assert again.status_code == 409 and again.json()["fields"] == {"state": ["confirmed"]}
    assert post(approver, f"/api/v1/exclusions/{exclusion.pk}/reject/", {"note": "x"}).status_code == 409
    assert Notification.objects.filter(recipient=users["duty_leader"], kind="consent_confirm").exists()
    assert list(ConsentEvent.objects.filter(object_id=exclusion.pk).values_list("action", flat=True)) == ["open", "confirm"]


def test_only_an_approver_of_the_owning_purchaser_decides(october_fault, users, api, time_machine, make_user):
    exclusion = ticket_cancel(actor=users["duty_leader"], ticket=october_fault, reason="误报")
    url = f"/api/v1/exclusions/{exclusion.pk}/confirm/"
    # The provider cannot confirm its own request, whoever asks on its side.
    for role in ("duty_leader", "project_manager", "engineer", "requester"):
        assert post(api(users[role]), url).status_code == 403, role
    # Another purchaser's approver does not see it at all.
    assert post(api(users["other_approver"]), url).status_code == 404
    assert api(users["other_approver"]).get(f"/api/v1/exclusions/{exclusion.pk}/").status_code == 404
    exclusion.refresh_from_db()
    assert exclusion.state == S.REQUESTED and ConsentEvent.objects.filter(object_id=exclusion.pk).count() == 1
    assert Ticket.objects.get(pk=october_fault.pk).status == "new"


def test_no_admin_route_confirms_an_exclusion(october_fault, users, client):
    from accounts.models import User

    exclusion = ticket_cancel(actor=users["duty_leader"], ticket=october_fault, reason="误报")
    admin = User.objects.create_superuser(username="root-x", password="pw-Opsdesk-2026", real_name="管理员")
    client.force_login(admin)
    res = client.post(f"/admin/tickets/exclusion/{exclusion.pk}/change/", {"state": "confirmed"})
    assert res.status_code in (302, 403)
    exclusion.refresh_from_db()
    assert exclusion.state == S.REQUESTED


def test_the_purchasers_own_cancellation_is_confirmed_at_once(october_fault, users, api, time_machine):
    time_machine.move_to(at(10, 10, 3), tick=False)
    res = post(api(users["requester"]), f"/api/v1/tickets/{october_fault.pk}/cancel/", {"reason": "重复提交"})
    assert res.status_code == 200 and res.json()["status"] == "cancelled"
    exclusion = Exclusion.objects.get(ticket=october_fault)
    assert (exclusion.state, exclusion.decided_by, exclusion.applied_at) == (S.CONFIRMED, users["requester"], at(10, 10, 3))
    assert not Notification.objects.filter(kind="consent_requested").exists()


def test_reject_needs_a_reason_and_leaves_the_ticket_counted(october_fault, users, api, time_machine):
    exclusion = ticket_cancel(actor=users["project_manager"], ticket=october_fault, reason="用户口头撤回")
    url = f"/api/v1/exclusions/{exclusion.pk}/reject/"
    res = post(api(users["approver"]), url, {})
    assert res.status_code == 400 and "note" in res.json()["fields"]
    assert post(api(users["approver"]), url, {"note": "未撤回，请处理"}).status_code == 200
    assert Ticket.objects.get(pk=october_fault.pk).status == "new"
    # Never acknowledged and past due at 10:20: a miss of the response rate.
    figure = _response_kpi(october_fault.organization, at(10, 10, 20))
    assert (figure["count"], figure["within_target"]) == (1, 0)


def test_a_waiting_cancellation_leaves_the_figure_as_if_it_did_not_exist(october_fault, users, time_machine):
    ticket_cancel(actor=users["duty_leader"], ticket=october_fault, reason="误报")
    figure = _response_kpi(october_fault.organization, at(10, 10, 20))
    assert (figure["count"], figure["value"]) == (1, 0.0)


def test_a_disputed_cancellation_counts_again_as_an_unanswered_fault(october_fault, users, time_machine):
    exclusion = ticket_cancel(actor=users["duty_leader"], ticket=october_fault, reason="误报")
    time_machine.move_to(at(10, 10, 8), tick=False)
    exclusion_decide(actor=users["approver"], exclusion=exclusion, action="confirm")
    assert _response_kpi(october_fault.organization, at(10, 10, 20))["count"] == 0
    exclusion_decide(actor=users["approver"], exclusion=exclusion, action="dispute", note="实际未恢复")
    figure = _response_kpi(october_fault.organization, at(10, 10, 20))
    # The ticket stays cancelled, but its clocks stopped by the cancellation answered nothing.
    assert Ticket.objects.get(pk=october_fault.pk).status == "cancelled"
    assert (figure["count"], figure["within_target"], figure["value"]) == (1, 0, 0.0)
    assert list(ConsentEvent.objects.filter(object_id=exclusion.pk).values_list("action", flat=True)) == ["open", "confirm", "dispute"]


def test_withdraw_is_for_the_one_who_asked(october_fault, users, api):
    exclusion = ticket_cancel(actor=users["duty_leader"], ticket=october_fault, reason="误报")
    assert post(api(users["project_manager"]), f"/api/v1/exclusions/{exclusion.pk}/withdraw/").status_code == 403
    assert post(api(users["duty_leader"]), f"/api/v1/exclusions/{exclusion.pk}/withdraw/").json()["state"] == "withdrawn"


# ---------------------------------------------------------------- duplicates


def test_merge_into_an_earlier_ticket_of_the_same_purchaser(new_ticket, users, api, time_machine, systems):
    time_machine.move_to(at(10, 10), tick=False)
    first = new_ticket("fault", "P3")
    other_org = new_ticket("fault", "P3", actor=users["other_requester"], system=systems["other"])
    time_machine.move_to(at(10, 10, 2), tick=False)
    second = new_ticket("fault", "P3")
    client = api(users["duty_leader"])
    url = f"/api/v1/tickets/{first.pk}/merge/"
    assert post(client, url, {"duplicate_of": second.pk, "reason": "重复"}).status_code == 400  # reported later
    res = post(client, f"/api/v1/tickets/{second.pk}/merge/", {"duplicate_of": other_org.pk, "reason": "重复"})
    assert res.status_code == 400 and "duplicate_of" in res.json()["fields"]
    res = post(client, f"/api/v1/tickets/{second.pk}/merge/", {"duplicate_of": first.pk, "reason": "同一故障"})
    assert res.status_code == 202 and res.json()["kind"] == "duplicate" and res.json()["duplicate_of"] == first.pk
    assert Ticket.objects.get(pk=second.pk).status == "new"
    exclusion_decide(actor=users["approver"], exclusion=Exclusion.objects.get(pk=res.json()["id"]), action="confirm")
    second = Ticket.objects.get(pk=second.pk)
    assert second.status == "cancelled" and second.events.filter(kind=TicketEvent.Kind.MERGED).exists()


def test_the_requester_merges_its_own_duplicate_at_once(new_ticket, users, time_machine):
    time_machine.move_to(at(10, 10), tick=False)
    first = new_ticket("fault", "P3")
    second = new_ticket("fault", "P3")
    exclusion = ticket_merge(actor=users["requester"], ticket=second, duplicate_of=first, reason="点了两次")
    assert exclusion.state == S.CONFIRMED and Ticket.objects.get(pk=second.pk).status == "cancelled"


# ---------------------------------------------------------------- the ledger API


def test_ledger_filters_and_access(new_ticket, users, api, time_machine, systems, django_assert_num_queries):
    time_machine.move_to(at(10, 10), tick=False)
    a = new_ticket("fault", "P3")
    b = new_ticket("fault", "P3")
    ticket_cancel(actor=users["duty_leader"], ticket=a, reason="误报")
    ticket_cancel(actor=users["requester"], ticket=b, reason="重复提交")
    time_machine.move_to(dt.datetime(2026, 11, 2, 9, tzinfo=BJ), tick=False)
    c = new_ticket("fault", "P3")
    ticket_acknowledge(actor=users["engineer"], ticket=c)
    client = api(users["approver"])
    rows = client.get("/api/v1/exclusions/").json()["results"]
    assert {r["ticket"] for r in rows} == {a.pk, b.pk}
    assert {r["ticket"] for r in client.get("/api/v1/exclusions/?state=requested").json()["results"]} == {a.pk}
    assert client.get("/api/v1/exclusions/?month=2026-11").json()["results"] == []
    assert len(client.get("/api/v1/exclusions/?month=2026-10&kind=cancellation").json()["results"]) == 2
    bad = client.get("/api/v1/exclusions/?month=2026-13&state=maybe")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"month", "state"}
    assert api(users["other_approver"]).get("/api/v1/exclusions/").json()["results"] == []
    assert len(api(users["engineer"]).get("/api/v1/exclusions/").json()["results"]) == 2
    row = next(r for r in rows if r["ticket"] == a.pk)
    assert row["actions"] == ["confirm", "reject"]
    client.get("/api/v1/exclusions/")  # warm the user's roles
    with django_assert_num_queries(2):  # the count and the page (rows with their relations joined)
        client.get("/api/v1/exclusions/")


# ---------------------------------------------------------------- pages


def test_inbox_ledger_and_decision_pages(october_fault, users, client):
    exclusion = ticket_cancel(actor=users["duty_leader"], ticket=october_fault, reason="误报")
    client.force_login(users["approver"])
    inbox = client.get("/exclusions/inbox/")
    assert inbox.status_code == 200 and october_fault.number in inbox.content.decode()
    assert october_fault.number in client.get("/exclusions/?state=requested").content.decode()
    page = client.get(f"/exclusions/{exclusion.pk}/").content.decode()
    assert f"/exclusions/{exclusion.pk}/confirm/" in page and f"/exclusions/{exclusion.pk}/reject/" in page
    refused = client.post(f"/exclusions/{exclusion.pk}/reject/", {"note": ""})
    assert refused.status_code == 200 and "请填写理由" in refused.content.decode()
    # One form look (issue 19 item 8): the reason once, beside the refused form's note; the others untouched.
    refused_page = refused.content.decode()
    assert refused_page.count("请填写理由") == 1
    assert '<div class="field required has-error">\n<label for="reject-note">说明</label>' in refused_page
    assert '<div class="field">\n<label for="confirm-note">说明</label>' in refused_page
    ledger = client.get("/exclusions/?month=2026-13&state=maybe").content.decode()
    assert ledger.count("月份格式应为 YYYY-MM") == 1 and 'class="field has-error">\n<label for="id_state">' in ledger
    assert client.post(f"/exclusions/{exclusion.pk}/confirm/", {"note": ""}).status_code == 302
    # Decided meanwhile: a late rejection is refused with its reason and the note kept, though no decision is left.
    late = client.post(f"/exclusions/{exclusion.pk}/reject/", {"note": "晚到的驳回"})
    assert "晚到的驳回" in late.content.decode() and 'role="alert"' in late.content.decode()
    assert Ticket.objects.get(pk=october_fault.pk).status == "cancelled"
    # The provider sees the ledger but no decision form.
    client.force_login(users["duty_leader"])
    page = client.get(f"/exclusions/{exclusion.pk}/").content.decode()
    assert "/confirm/" not in page and client.post(f"/exclusions/{exclusion.pk}/dispute/", {"note": "x"}).status_code == 403
    client.force_login(users["other_approver"])
    assert client.get(f"/exclusions/{exclusion.pk}/").status_code == 404
