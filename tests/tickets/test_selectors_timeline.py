"""The timeline selector: purchaser staff see every public event (including the many without an
"internal" key) and none of the internal ones; provider staff see everything."""

import pytest

from tickets.models import TicketEvent
from tickets.selectors.tickets import ticket_event_list
from tickets.services.comments import ticket_comment
from tickets.services.tickets import ticket_acknowledge, ticket_claim

pytestmark = pytest.mark.django_db


def test_requesters_see_public_events_but_not_internal_ones(users, new_ticket):
    ticket = new_ticket()
    ticket_claim(actor=users["engineer"], ticket=ticket)
    ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    ticket_comment(actor=users["engineer"], ticket=ticket, body="内部排查记录", internal=True)
    ticket_comment(actor=users["engineer"], ticket=ticket, body="已在处理", internal=False)
    all_kinds = [e.kind for e in ticket_event_list(user=users["engineer"], ticket=ticket)]
    requester_events = list(ticket_event_list(user=users["requester"], ticket=ticket))

    assert all_kinds.count(TicketEvent.Kind.COMMENTED) == 2
    assert {TicketEvent.Kind.CREATED, TicketEvent.Kind.CLAIMED, TicketEvent.Kind.ACKNOWLEDGED} <= {
        e.kind for e in requester_events
    }
    comments = [e for e in requester_events if e.kind == TicketEvent.Kind.COMMENTED]
    assert len(comments) == 1 and comments[0].note == "已在处理"
    assert len(requester_events) == len(all_kinds) - 1
