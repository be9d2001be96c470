"""Concurrency on PostgreSQL: two processors racing on one group open one ticket; two processors on one
batch process it once (SELECT … FOR UPDATE SKIP LOCKED). SQLite serialises writers, so these need the
real database."""

import threading

import pytest
from django.db import connection, connections

from monitoring.models import Alert, AlertBatch
from monitoring.services.intake import alert_batch_process
from tickets.models import Ticket

from .conftest import am_alert, am_payload

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and SKIP LOCKED need PostgreSQL (DATABASE_URL)"),
]


@pytest.fixture
def stored(integration, post, monkeypatch):
    """stored(payload) -> id of a batch received and left pending (its task never queued)."""
    from monitoring.services import intake

    monkeypatch.setattr(intake, "_queue", lambda batch_id: None)

    def store(payload) -> int:
        post(integration, payload, process=False)
        return AlertBatch.objects.order_by("-pk").values_list("pk", flat=True).first()

    return store


def _race(calls: list) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.parametrize("existing", [False, True], ids=["new group", "existing group"])
@pytest.mark.parametrize("round_", range(3))
def test_two_processors_on_one_group_open_one_ticket(stored, existing, round_):
    if existing:
        # The group exists without a ticket (its only alert arrived resolved): no insert to wait on, only
        # the group's row lock keeps the two processors from both opening a ticket.
        alert_batch_process(batch_id=stored(am_payload(am_alert("Down", "resolved", instance="z"))))
        assert not Ticket.objects.exists()
    # Two batches of the same group, each stored and left pending, then processed at the same moment.
    first = stored(am_payload(am_alert("Down", instance="a")))
    second = stored(am_payload(am_alert("Down", instance="b"), am_alert("Down", instance="c")))
    counts = _race([lambda: alert_batch_process(batch_id=first), lambda: alert_batch_process(batch_id=second)])
    assert sorted(counts) == [1, 2]
    assert Ticket.objects.count() == 1
    ticket = Ticket.objects.get()
    assert set(Alert.objects.filter(status="firing").values_list("ticket_id", flat=True)) == {ticket.pk}
    assert ticket.events.filter(kind="alerts_attached").count() == 1


def test_two_processors_on_one_batch_process_it_once(stored):
    batch_id = stored(am_payload(am_alert("Down", instance="a"), am_alert("Disk", instance="a")))
    counts = _race([lambda: alert_batch_process(batch_id=batch_id) for _ in range(3)])
    assert sorted(counts) == [0, 0, 2]
    assert Alert.objects.count() == 2 and all(a.receipts == 1 for a in Alert.objects.all())
    assert Ticket.objects.count() == 2
