"""Bulk assign and bulk comment (issue 19 item 10): the duty leader ticks rows; each ticket goes through
its own service with the actor (rules, history rows, notifications as if done one by one); a refusal
is reported per ticket and leaves that ticket untouched."""

import pytest

from core.exceptions import DomainError, PermissionDenied, ValidationFailed
from core.models import Notification
from tickets.models import TicketComment, TicketEvent
from tickets.services import tickets as ticket_services
from tickets.services.bulk import BULK_MAX_TICKETS, ticket_bulk_run
from tickets.services.exclusions import ticket_cancel

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(new_ticket, users):
    """Two open tickets and one the requester cancelled (assigning it is refused by its state)."""
    first, second = new_ticket(title="一号"), new_ticket(title="二号")
    cancelled = new_ticket(title="已取消")
    ticket_cancel(actor=users["requester"], ticket=cancelled, reason="误报")
    return [first, second, cancelled]


def test_bulk_assign_runs_the_assign_service_per_ticket_and_reports_each(users, three):
    first, second, cancelled = three
    outcomes = ticket_bulk_run(actor=users["duty_leader"], action="assign",
                               ticket_ids=[first.pk, cancelled.pk, second.pk, 987654321, first.pk],
                               assignee=users["engineer2"])
    assert [(o.ticket_id, o.ok, o.code) for o in outcomes] == [
        (first.pk, True, ""), (cancelled.pk, False, "illegal_transition"), (second.pk, True, ""),
        (987654321, False, "not_found")]
    assert "已取消" in outcomes[1].message
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.assignee_id == users["engineer2"].pk
        event = ticket.events.get(kind=TicketEvent.Kind.ASSIGNED)
        assert event.actor_id == users["duty_leader"].pk and event.data == {"from": None, "to": users["engineer2"].pk}
    cancelled.refresh_from_db()
    assert cancelled.assignee_id is None and not cancelled.events.filter(kind=TicketEvent.Kind.ASSIGNED).exists()
    told = Notification.objects.filter(kind="ticket_assigned", recipient=users["engineer2"])
    assert sorted(told.values_list("title", flat=True)) == sorted(
        [f"工单 {first.number} 已指派给您", f"工单 {second.number} 已指派给您"])


def test_a_ticket_that_fails_midway_is_left_whole_and_the_others_done(users, three, monkeypatch):
    """The notice of the second ticket fails after its row and event were written: that ticket's
    savepoint takes both back, the first stays done."""
    first, second, _cancelled = three
    real_notify = ticket_services.ticket_notify

    def notify(**kwargs):
        if second.number in kwargs["title"]:
            raise DomainError("通知服务不可用")
        return real_notify(**kwargs)

    monkeypatch.setattr(ticket_services, "ticket_notify", notify)
    outcomes = ticket_bulk_run(actor=users["duty_leader"], action="assign", ticket_ids=[first.pk, second.pk],
                               assignee=users["engineer"])
    assert [(o.ok, o.message) for o in outcomes] == [(True, ""), (False, "通知服务不可用")]
    second.refresh_from_db()
    assert second.assignee_id is None and not second.events.filter(kind=TicketEvent.Kind.ASSIGNED).exists()
    first.refresh_from_db()
    assert first.assignee_id == users["engineer"].pk
    assert first.events.filter(kind=TicketEvent.Kind.ASSIGNED).count() == 1


def test_bulk_comment_writes_one_comment_and_event_per_ticket(users, three):
    first, second, cancelled = three
    outcomes = ticket_bulk_run(actor=users["duty_leader"], action="comment", ticket_ids=[first.pk, cancelled.pk],
                               body="机房停电，统一跟进", internal=True)
    assert all(o.ok for o in outcomes)  # a cancelled ticket still takes comments
    comments = TicketComment.objects.filter(body="机房停电，统一跟进")
    assert sorted(comments.values_list("ticket_id", "internal", "author_id")) == sorted(
        [(first.pk, True, users["duty_leader"].pk), (cancelled.pk, True, users["duty_leader"].pk)])
    assert not second.comments.exists()


def test_input_wrong_for_every_ticket_is_refused_once_and_nothing_is_done(users, three):
    first, second, _cancelled = three
    with pytest.raises(ValidationFailed) as refused:
        ticket_bulk_run(actor=users["duty_leader"], action="assign", ticket_ids=[first.pk, second.pk],
                        assignee=users["requester"])
    assert "assignee" in refused.value.fields
    with pytest.raises(ValidationFailed):
        ticket_bulk_run(actor=users["duty_leader"], action="comment", ticket_ids=[first.pk], body="  ", internal=False)
    with pytest.raises(ValidationFailed):
        ticket_bulk_run(actor=users["duty_leader"], action="close", ticket_ids=[first.pk])
    with pytest.raises(ValidationFailed):
        ticket_bulk_run(actor=users["duty_leader"], action="comment", ticket_ids=list(range(1, BULK_MAX_TICKETS + 2)),
                        body="多", internal=False)
    assert not TicketEvent.objects.filter(kind__in=[TicketEvent.Kind.ASSIGNED, TicketEvent.Kind.COMMENTED]).exists()


@pytest.mark.parametrize("role", ["engineer", "tech_lead", "requester", "approver", "auditor"])
def test_only_the_duty_leader_and_the_project_manager_act_in_bulk(users, three, role):
    with pytest.raises(PermissionDenied):
        ticket_bulk_run(actor=users[role], action="comment", ticket_ids=[three[0].pk], body="批量", internal=False)


def test_the_api_answers_per_ticket(api, users, three):
    first, _second, cancelled = three
    response = api(users["project_manager"]).post(
        "/api/v1/tickets/bulk/", {"action": "assign", "tickets": [first.pk, cancelled.pk], "assignee": users["engineer"].pk},
        format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["done"] == 1 and body["failed"] == 1
    assert body["results"][0] == {"id": first.pk, "number": first.number, "ok": True, "code": "", "message": "",
                                  "fields": {}}
    assert body["results"][1]["code"] == "illegal_transition"
    bad = api(users["duty_leader"]).post("/api/v1/tickets/bulk/", {"action": "assign", "tickets": [first.pk]}, format="json")
    assert bad.status_code == 400 and "assignee" in bad.json()["fields"]
    bad = api(users["duty_leader"]).post("/api/v1/tickets/bulk/", {"action": "comment", "tickets": []}, format="json")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"tickets"}
    bad = api(users["duty_leader"]).post("/api/v1/tickets/bulk/", {"action": "assign", "tickets": [first.pk],
                                                                    "assignee": users["requester"].pk}, format="json")
    assert bad.status_code == 400 and "assignee" in bad.json()["fields"]
    assert api(users["engineer"]).post("/api/v1/tickets/bulk/", {"action": "comment", "tickets": [first.pk], "body": "x"},
                                       format="json").status_code == 403


def test_bulk_query_count_is_a_constant_per_ticket(api, users, new_ticket, django_assert_num_queries):
    """the tickets (one query; the warm-up request cached the actor's roles), then per ticket six:
    the service's savepoint, the comment and its audit entry, the event and its audit entry, the release."""
    client = api(users["duty_leader"])
    tickets = [new_ticket(title=f"批量{i}") for i in range(4)]
    client.post("/api/v1/tickets/bulk/", {"action": "comment", "tickets": [tickets[0].pk], "body": "预热"}, format="json")

    def run(ids):
        return client.post("/api/v1/tickets/bulk/", {"action": "comment", "tickets": ids, "body": "统一跟进"}, format="json")

    with django_assert_num_queries(7):
        assert run([tickets[0].pk]).json()["done"] == 1
    with django_assert_num_queries(7 + 3 * 6):
        assert run([t.pk for t in tickets]).json()["done"] == 4


def test_the_list_page_offers_ticking_rows_to_the_duty_leader_only(client, users, three):
    client.force_login(users["duty_leader"])
    html = client.get("/tickets/").content.decode()
    assert 'id="bulk-form"' in html and f'name="tickets" value="{three[0].pk}" form="bulk-form"' in html
    html = client.get("/tickets/queue/open/").content.decode()
    assert 'id="bulk-form"' in html and 'id="bulk-all"' in html
    client.force_login(users["engineer"])
    html = client.get("/tickets/queue/open/").content.decode()
    assert 'bulk-form' not in html


def test_the_page_reports_each_ticket_and_goes_back_to_the_filtered_list(client, users, three):
    first, second, cancelled = three
    client.force_login(users["duty_leader"])
    response = client.post("/tickets/bulk/", {
        "action": "assign", "tickets": [first.pk, second.pk, cancelled.pk], "assignee": users["engineer"].pk,
        "next": "/tickets/queue/open/?severity=P2"}, follow=True)
    assert response.redirect_chain[-1][0] == "/tickets/queue/open/?severity=P2"
    said = [str(m) for m in response.context["messages"]]
    assert said[0] == "已指派 2 张工单。"
    assert said[1].startswith(f"{cancelled.number} 未处理：") and len(said) == 2
    response = client.post("/tickets/bulk/", {"action": "assign", "next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/tickets/"
    said = [str(m) for m in response.context["messages"]]
    assert any("请先勾选工单" in m for m in said) and any("请选择处理人" in m for m in said)
    client.force_login(users["engineer"])
    assert client.post("/tickets/bulk/", {"action": "comment", "tickets": [first.pk], "body": "x"}).status_code == 403
