import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from roster.demo import ROSTER_NAME
from roster.models import Assignment, HeavyProtectionPeriod, Roster, Shift
from roster.selectors.duty import on_duty_payload

pytestmark = pytest.mark.django_db


def test_demo_roster_has_a_leader_and_two_engineers_every_shift_and_is_idempotent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (Roster.objects.count(), Assignment.objects.count(), HeavyProtectionPeriod.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (Roster.objects.count(), Assignment.objects.count(), HeavyProtectionPeriod.objects.count()) == counts

    roster = Roster.objects.get(name=ROSTER_NAME)
    today = timezone.localdate()
    assert roster.status == "published" and roster.start_date == today - dt.timedelta(days=7) and roster.end_date == today + dt.timedelta(days=7)
    for shift in Shift.objects.filter(roster=roster).prefetch_related("assignments"):
        filled = sorted(a.position for a in shift.assignments.all() if a.member_id)
        assert filled == ["engineer", "engineer", "leader"], shift
    payload = on_duty_payload(at=timezone.now())
    assert payload["leader"] is not None and len(payload["on_duty"]) == 3
    kinds = set(HeavyProtectionPeriod.objects.filter(start__year=2026).values_list("kind", flat=True))
    assert kinds == {"spring_festival", "two_sessions", "national_day"}
    assert not HeavyProtectionPeriod.objects.filter(start__year=2027).exists()  # no 2027 calendar
