"""Assignment (issue 19 item 10): duty leaders and the project manager assign any ticket; engineers take a
ticket over themselves or hand their own (or an unassigned) ticket to a colleague. Every change is an
ASSIGNED event; the new assignee and the one it was taken from are told."""

import pytest

from core.exceptions import PermissionDenied, ValidationFailed
from core.models import Notification
from tickets.models import TicketEvent
from tickets.services.tickets import ticket_assign, ticket_claim
from tickets.services.transitions import ticket_actions_for

pytestmark = pytest.mark.django_db


# (who acts, who holds the ticket before: None, "self" or "other", to whom: "self" or "colleague") -> allowed
CASES = [
    ("engineer", None, "self", True),
    ("engineer", None, "colleague", True),
    ("engineer", "self", "colleague", True),
    ("engineer", "other", "self", True),
    ("engineer", "other", "colleague", False),
    ("tech_lead", "other", "colleague", False),
    ("duty_leader", "other", "colleague", True),
    ("project_manager", "other", "colleague", True),
]


@pytest.mark.parametrize(("role", "holder", "target", "allowed"), CASES,
                         ids=[f"{r}-{h}-{t}" for r, h, t, _a in CASES])
def test_who_may_assign_to_whom(users, new_ticket, role, holder, target, allowed):
    actor = users[role]
    colleague = users["engineer2"]
    other_holder = users["tech_lead"] if role != "tech_lead" else users["engineer"]
    ticket = new_ticket()
    if holder == "self":
        ticket_claim(actor=actor, ticket=ticket)
    elif holder == "other":
        ticket_claim(actor=other_holder, ticket=ticket)
    assignee = actor if target == "self" else colleague
    assert "assign" in ticket_actions_for(user=actor, ticket=ticket)
    if allowed:
        ticket_assign(actor=actor, ticket=ticket, assignee=assignee)
        ticket.refresh_from_db()
        assert ticket.assignee_id == assignee.pk
        event = ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED).get()
        assert event.actor_id == actor.pk and event.data["to"] == assignee.pk
    else:
        with pytest.raises(PermissionDenied):
            ticket_assign(actor=actor, ticket=ticket, assignee=assignee)
        ticket.refresh_from_db()
        assert ticket.assignee_id == other_holder.pk
        assert not ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED).exists()


def test_purchaser_staff_and_auditors_never_assign(users, new_ticket):
    ticket = new_ticket()
    for role in ("requester", "approver", "auditor"):
        assert "assign" not in ticket_actions_for(user=users[role], ticket=ticket)
        with pytest.raises(PermissionDenied):
            ticket_assign(actor=users[role], ticket=ticket, assignee=users["engineer"])


def test_only_provider_staff_are_assigned(users, new_ticket):
    ticket = new_ticket()
    with pytest.raises(ValidationFailed) as refused:
        ticket_assign(actor=users["engineer"], ticket=ticket, assignee=users["requester"])
    assert "assignee" in refused.value.fields


def test_taking_over_tells_the_previous_assignee_and_nobody_is_told_of_their_own_act(users, new_ticket):
    ticket = new_ticket()
    ticket_claim(actor=users["engineer2"], ticket=ticket)
    ticket_assign(actor=users["engineer"], ticket=ticket, assignee=users["engineer"])
    told = Notification.objects.filter(kind="ticket_assigned")
    assert list(told.values_list("recipient", flat=True)) == [users["engineer2"].pk]
    assert f"已改派给 {users['engineer'].display_name}" in told.get().title
    ticket_assign(actor=users["engineer"], ticket=ticket, assignee=users["tech_lead"])  # own ticket handed on
    assert sorted(told.values_list("recipient", flat=True)) == sorted([users["engineer2"].pk, users["tech_lead"].pk])
