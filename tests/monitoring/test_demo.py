import pytest
from django.core.management import call_command

from monitoring.demo import NAME
from monitoring.models import Alert, AlertBatch, Integration
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_demo_integration_has_history_through_the_real_intake_and_is_idempotent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    integration = Integration.objects.get(name=NAME)
    assert AlertBatch.objects.filter(integration=integration, status="processed").count() == 3
    assert set(Alert.objects.filter(integration=integration).values_list("status", "receipts")) == {("resolved", 3), ("resolved", 2)}
    ticket = Ticket.objects.get(channel="monitoring", title__contains="内存使用率")
    assert [h.name for h in ticket.host_list()] == ["bj-gov-01-02", "bj-gov-01-03"]
    assert ticket.events.filter(kind=TicketEvent.Kind.MONITOR_RECOVERED).count() == 1
