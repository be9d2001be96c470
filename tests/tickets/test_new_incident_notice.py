"""A new fault or security incident is announced to the people on duty as it is reported (the contract
gives 15 minutes to answer it), not first at 50 % of its response time."""

from unittest import mock

import pytest

from core.models import Notification, OutboxMessage
from tickets.models import TicketEvent
from tickets.services.notify import ticket_notifications_suppressed

pytestmark = pytest.mark.django_db


def _created_event(ticket):
    return TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.CREATED)


def test_with_nobody_on_duty_the_duty_leaders_hear_of_a_new_fault(users, new_ticket, settings):
    settings.OPSDESK_WEBHOOK_URL = "http://robot.example.test/hook"
    ticket = new_ticket("fault", "P2", title="门户无法访问")
    notes = Notification.objects.filter(kind="ticket_new")
    assert list(notes.values_list("recipient", flat=True)) == [users["duty_leader"].pk]
    note = notes.get()
    assert note.title == f"【新故障 P2】{ticket.number} 门户无法访问"
    assert "响应时限 15 分钟" in note.body and note.url == f"/tickets/{ticket.pk}/"
    assert note.dedupe_key == f"ticket-new:{ticket.pk}"
    assert _created_event(ticket).data["notified"] == [users["duty_leader"].pk]
    # E-mail to the leader and, for P1/P2, one post to the group robot, delivered after commit.
    channels = sorted(OutboxMessage.objects.values_list("channel", flat=True))
    assert channels == ["email", "webhook"]


def test_the_people_on_duty_are_told_but_not_whoever_recorded_it(users, new_ticket):
    on_duty = [users["engineer"], users["engineer2"]]
    with mock.patch("roster.selectors.duty.on_duty_users", return_value=on_duty) as asked:
        ticket = new_ticket("security", "P3", actor=users["engineer"], channel="phone", requester=users["requester"])
    assert asked.call_count == 1
    told = list(Notification.objects.filter(kind="ticket_new").values_list("recipient", flat=True))
    assert told == [users["engineer2"].pk]
    assert _created_event(ticket).data["notified"] == [users["engineer2"].pk]
    assert not OutboxMessage.objects.filter(channel="webhook").exists()  # P3: no robot post


@pytest.mark.parametrize("kind", ["request", "resource"])
def test_requests_and_resource_orders_wait_for_the_queue(users, new_ticket, kind):
    ticket = new_ticket(kind, "P3")
    assert not Notification.objects.filter(kind="ticket_new").exists()
    assert "notified" not in _created_event(ticket).data


def test_replayed_history_tells_nobody(users, new_ticket):
    with ticket_notifications_suppressed():
        ticket = new_ticket("fault", "P1")
    assert not Notification.objects.filter(kind="ticket_new").exists()
    assert _created_event(ticket).data["notified"] == []


def test_a_p1_reaches_the_group_robot_even_when_nobody_else_is_left_to_tell(users, new_ticket, settings):
    """The only duty leader records a P1 from a phone call at night, nobody on the roster: no inbox
    row for anyone (he knows), but the group robot still gets the post."""
    settings.OPSDESK_WEBHOOK_URL = "http://robot.example.test/hook"
    ticket = new_ticket("fault", "P1", actor=users["duty_leader"], channel="phone", requester=users["requester"])
    assert not Notification.objects.filter(kind="ticket_new").exists()
    robot = OutboxMessage.objects.get(channel="webhook")
    assert ticket.number in robot.subject and robot.recipient == "http://robot.example.test/hook"
    assert _created_event(ticket).data["notified"] == []


def test_the_notice_is_written_in_chinese_whatever_the_recorders_language(users, new_ticket):
    from django.utils import translation

    with translation.override("en"):
        ticket = new_ticket("security", "P2", actor=users["engineer"], channel="email", requester=users["requester"])
    note = Notification.objects.get(kind="ticket_new")
    assert note.title.startswith(f"【新安全事件 P2】{ticket.number}"), note.title
    assert "邮件" in note.body and "Email" not in note.body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_is_announced_for_a_creation_that_rolls_back(users, systems):
    from django.core import mail
    from django.db import transaction

    from tickets.services.tickets import ticket_create

    with pytest.raises(RuntimeError), transaction.atomic():
        ticket_create(actor=users["requester"], title="回滚的故障", kind="fault", severity="P1", business_system=systems["own"])
        raise RuntimeError("a later step failed")
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists() and not mail.outbox
