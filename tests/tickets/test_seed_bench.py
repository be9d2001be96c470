"""seed_bench (benchmark data): PostgreSQL only (it streams with COPY)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from tickets.models import SlaClock, SlaEscalation, Ticket, TicketEvent, TicketNumberCounter
from tickets.services.tickets import ticket_number_next

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="seed_bench uses PostgreSQL COPY")


@pytest.mark.django_db
def test_seed_bench_writes_consistent_tickets_clocks_and_timeline():
    indexes_before = _indexes()
    call_command("seed_bench", tickets=400, no_rosters=True, stdout=__import__("io").StringIO())
    now = timezone.now()
    assert Ticket.objects.count() == 400
    assert not Ticket.objects.filter(reported_at__gt=now).exists()
    assert set(Ticket.objects.values_list("kind", flat=True)) == {"fault", "security", "resource", "request"}
    # A stopped clock is breached exactly when it stopped after its due time (cancelled: never).
    stopped = SlaClock.objects.filter(stopped_at__isnull=False).exclude(ticket__status="cancelled")
    assert stopped.exists()
    assert not stopped.filter(breached=True, stopped_at__lte=F("due_at")).exists()
    assert not stopped.filter(breached=False, stopped_at__gt=F("due_at")).exists()
    # Open tickets carry the earliest due time of their running clocks; closed ones none.
    for ticket in Ticket.objects.filter(next_due_at__isnull=False).prefetch_related("clocks"):
        running = [c.due_at for c in ticket.clocks.all() if c.stopped_at is None and c.paused_at is None]
        assert ticket.next_due_at == min(running)
    assert not Ticket.objects.filter(status__in=["closed", "cancelled"], next_due_at__isnull=False).exists()
    # Milestones in order; a closed ticket was resolved first.
    assert not Ticket.objects.filter(acknowledged_at__lt=F("reported_at")).exists()
    assert not Ticket.objects.filter(Q(status="closed") & Q(resolved_at__isnull=True)).exists()
    # Escalation marks only for running clocks' past thresholds.
    assert not SlaEscalation.objects.filter(at__gt=now).exists()
    # About five timeline events a ticket, append-only rows like any other.
    events = TicketEvent.objects.count()
    assert 4 * 400 <= events <= 7 * 400
    # Numbers continue after the seeded ones (no collision for tickets created afterwards).
    last = Ticket.objects.order_by("-reported_at").first()
    prefix, _day, seq = last.number.split("-")
    counter = TicketNumberCounter.objects.get(prefix=prefix, day=timezone.localdate(last.reported_at))
    assert counter.last >= int(seq)
    assert ticket_number_next(kind=last.kind, day=counter.day) != last.number
    # The indexes dropped for the load are all back, with the same definitions.
    assert _indexes() == indexes_before


def _indexes() -> set[tuple]:
    """Name, columns, uniqueness and partial-or-not of every index on the tickets tables (the text of a
    rebuilt predicate differs in its casts from the migration's, so it is not compared)."""
    with connection.cursor() as c:
        c.execute(
            "SELECT x.relname, i.indkey::text, i.indisunique, i.indpred IS NOT NULL FROM pg_index i "
            "JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname LIKE 'tickets\\_%%'"
        )
        return set(c.fetchall())


@pytest.mark.django_db
def test_seed_bench_refuses_a_database_with_tickets(new_ticket):
    new_ticket("fault", "P3")
    with pytest.raises(CommandError):
        call_command("seed_bench", tickets=10, no_rosters=True)
