"""Ticket numbers: GZ-YYYYMMDD-NNNN, one counter per kind prefix and day, never the same number twice."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from tickets.models import TicketNumberCounter
from tickets.services.tickets import ticket_number_next


@pytest.mark.django_db
def test_numbers_count_per_prefix_and_day():
    day = dt.date(2026, 11, 28)
    assert ticket_number_next(kind="fault", day=day) == "GZ-20261128-0001"
    assert ticket_number_next(kind="fault", day=day) == "GZ-20261128-0002"
    assert ticket_number_next(kind="security", day=day) == "AQ-20261128-0001"
    assert ticket_number_next(kind="fault", day=day + dt.timedelta(days=1)) == "GZ-20261129-0001"
    assert TicketNumberCounter.objects.get(prefix="GZ", day=day).last == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creators_get_distinct_consecutive_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so real concurrent upserts cannot be exercised")
    day = dt.date(2026, 11, 30)
    n = 8
    barrier = threading.Barrier(n)
    numbers: list[str] = []

    def take():
        try:
            barrier.wait()
            with transaction.atomic():
                numbers.append(ticket_number_next(kind="request", day=day))
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(numbers) == [f"FW-20261130-{i:04d}" for i in range(1, n + 1)]
