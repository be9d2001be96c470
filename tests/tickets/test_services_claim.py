"""Claim races: exactly one winner among many concurrent claimers (row lock)."""

import threading

import pytest
from django.db import connection

from core.exceptions import Conflict
from tickets.models import Ticket, TicketEvent
from tickets.services.tickets import ticket_claim


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_claims_have_exactly_one_winner(users, new_ticket, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so real concurrent row locks cannot be exercised")
    from accounts.roles import Role

    ticket = new_ticket("fault", "P2")
    engineers = [make_user(Role.ENGINEER) for _ in range(8)]
    barrier = threading.Barrier(len(engineers))
    results: dict[int, str] = {}

    def claim(engineer):
        try:
            barrier.wait()
            ticket_claim(actor=engineer, ticket=Ticket.objects.get(pk=ticket.pk))
            results[engineer.pk] = "won"
        except Conflict:
            results[engineer.pk] = "409"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[engineer.pk] = repr(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=claim, args=(e,)) for e in engineers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results.values()) == ["409"] * 7 + ["won"], results
    winner = next(pk for pk, r in results.items() if r == "won")
    ticket.refresh_from_db()
    assert ticket.assignee_id == winner and ticket.status == "new"
    assert TicketEvent.objects.filter(ticket=ticket, kind="claimed").count() == 1
    assert ticket.clocks.filter(stopped_at__isnull=False).count() == 0
