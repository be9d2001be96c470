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
        "pm", "lead", "eng1", "eng2", "eng3", "eng4", "req1", "appr1", "req2", "appr2", "audit"
    }
    # Two purchasers served by the one provider, so tenant isolation is visible.
    assert Organization.objects.filter(kind="purchaser", parent=None).count() == 2
    pm = User.objects.get(username="pm")
    assert pm.check_password("opsdesk-demo") and pm.real_name
