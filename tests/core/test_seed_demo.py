import pytest
from django.core.management import call_command

from accounts.models import Organization, User
from tickets.models import BusinessSystem, Contract, Host, ServiceItem

pytestmark = pytest.mark.django_db


def _counts():
    return tuple(m.objects.count() for m in (Organization, User, BusinessSystem, Host, Contract, ServiceItem))


def test_seed_demo_is_idempotent_and_complete():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _counts() == first
    assert BusinessSystem.objects.count() == 6
    assert Host.objects.count() == 40
    assert set(User.objects.values_list("username", flat=True)) >= {
        "pm", "lead", "eng1", "eng2", "eng3", "eng4", "req1", "appr1", "req2", "appr2", "audit", "qa"
    }
    # Two purchasers served by the one provider, so tenant isolation is visible.
    assert Organization.objects.filter(kind="purchaser", parent=None).count() == 2
    pm = User.objects.get(username="pm")
    assert pm.check_password("opsdesk-demo") and pm.real_name


def test_seed_demo_tickets_are_realistic_history_and_idempotent():
    from django.utils import timezone

    from tickets.models import SlaClock, Ticket, TicketEvent

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    count = Ticket.objects.count()
    assert count >= 30
    now = timezone.now()
    assert not Ticket.objects.filter(reported_at__gt=now).exists()
    assert not TicketEvent.objects.filter(at__gt=now).exists()
    assert Ticket.objects.filter(reported_at__lt=now - timezone.timedelta(days=80)).exists()
    assert set(Ticket.objects.values_list("kind", flat=True)) == {"fault", "security", "resource", "request"}
    assert Ticket.objects.filter(status="closed").exists() and SlaClock.objects.filter(breached=True).exists()
    assert SlaClock.objects.filter(breached=False, stopped_at__isnull=False).exists()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert Ticket.objects.count() == count
