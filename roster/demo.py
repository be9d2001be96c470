"""Demo duty data (seed_demo): the duty team, the 2026 (and, when the calendar has it, 2027)
heavy-protection periods, and a published roster from a week before today to a week after, each
24 h duty day with a leader and two duty engineers. Idempotent.

Why 24 h shifts: four engineers cannot staff a day shift and a night shift with two people each
under an 11 h minimum rest (that needs six person-days a day); with 24 h duty days each engineer
works every other day, and pm and lead alternate as the leader on duty. No extra accounts needed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.exceptions import ValidationFailed

from .models import DutyMember, HeavyProtectionPeriod, Roster, Shift
from .services.duty import duty_report_submit, handover_sign, handover_submit
from .services.members import duty_member_set
from .services.periods import period_create, period_propose
from .services.rosters import PositionSpec, roster_create, roster_generate, roster_publish

ROSTER_NAME = "演示值班表（本周前后）"

# username: positions, certificates (clause 9.3: CISP, network planner, IS project manager, DBA)
TEAM = {
    "pm": (["leader"], ["project_manager"]),
    "lead": (["leader"], ["network_planner", "project_manager"]),
    "eng1": (["engineer", "onsite"], ["network_planner", "datacenter_access"]),
    "eng2": (["engineer", "onsite"], ["project_manager", "datacenter_access"]),
    "eng3": (["engineer", "security"], ["CISP"]),
    "eng4": (["engineer"], ["dba"]),
}


@transaction.atomic
def seed() -> None:
    users = {u.username: u for u in User.objects.filter(username__in=TEAM)}
    if len(users) != len(TEAM):
        return  # accounts seeder has not run
    pm = users["pm"]
    members = {}
    for username, (positions, quals) in TEAM.items():
        existing = DutyMember.objects.filter(user=users[username]).first()
        members[username] = existing or duty_member_set(actor=pm, user=users[username], positions=positions, qualifications=quals)

    today = timezone.localdate()
    for year in (2026, 2027):
        try:
            proposals = period_propose(year=year)
        except ValidationFailed:
            continue  # no holiday calendar for that year yet: no periods proposed
        for p in proposals:
            if not HeavyProtectionPeriod.objects.filter(kind=p["kind"], start__year=year).exists():
                period_create(actor=pm, name=p["name"], kind=p["kind"], start=p["start"], end=p["end"], level=p["level"])

    if Roster.objects.filter(name=ROSTER_NAME).exists():
        return
    roster = roster_create(
        actor=pm, name=ROSTER_NAME, start_date=today - dt.timedelta(days=7), end_date=today + dt.timedelta(days=7),
        positions=[PositionSpec("full", "leader", 1), PositionSpec("full", "engineer", 2)],
        member_ids=[m.pk for m in members.values()],
    )
    roster_generate(actor=pm, roster_id=roster.pk)
    roster_publish(actor=pm, roster_id=roster.pk)
    _past_duty_records(roster)


def _past_duty_records(roster: Roster) -> None:
    """Reports and signed handovers for the shifts already over, except the last two (so the
    flags for a missing report and an unsigned handover can be seen)."""
    now = timezone.now()
    shifts = list(Shift.objects.filter(roster=roster, end__lte=now).order_by("start").prefetch_related("assignments__member__user"))
    for shift in shifts[:-2]:
        engineers = [a.member.user for a in shift.assignments.all() if a.member and a.position == "engineer"]
        if not engineers:
            continue
        duty_report_submit(actor=engineers[0], shift_id=shift.pk, kind="zero")
        handover = handover_submit(actor=engineers[0], shift_id=shift.pk, manual_items=["机房巡检正常，无遗留事项"])
        incoming = [a.member.user for a in handover.next_shift.assignments.all() if a.member] if handover.next_shift else []
        if incoming:
            handover_sign(actor=incoming[0], handover_id=handover.pk, note="已接班")
