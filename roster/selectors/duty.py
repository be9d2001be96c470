"""Who is on duty. Ticket escalation and the hotline read this; the roster fills it in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from accounts.roles import Role
from accounts.selectors import users_with_role

from ..models import POSITION_ORDER, Assignment, Roster


def on_duty_at(*, at: dt.datetime) -> list[Assignment]:
    """Clause 8.1.8 (the on-duty engineer always known): Filled seats of published rosters whose shift covers
    `at` ([start, end): a night shift 17:30–08:30 is on duty at 23:00 and 08:29 but not at 08:30), leader
    first. One query."""
    seats = list(
        Assignment.objects.filter(
            shift__roster__status=Roster.Status.PUBLISHED, shift__start__lte=at, shift__end__gt=at, member__isnull=False
        ).select_related("shift__template", "member__user")
    )
    seats.sort(key=lambda a: (POSITION_ORDER.get(a.position, 9), a.shift.start, a.seat, a.pk))
    return seats


def on_duty_users(*, at: dt.datetime) -> list:
    """Users on duty at `at`, leader first, each once. Empty when no published roster covers `at`
    (escalation then falls back to the duty leaders)."""
    users, seen = [], set()
    for seat in on_duty_at(at=at):
        user = seat.member.user
        if user.pk not in seen and user.is_active:
            seen.add(user.pk)
            users.append(user)
    return users


def duty_contacts(*, at: dt.datetime, exclude: Collection[int] = ()) -> list:
    """Whom to tell about a ticket nobody has taken yet: the people on duty at `at`, or the duty leaders
    when no published roster covers the moment; never the users whose ids are in `exclude` (whoever
    recorded the ticket knows of it)."""
    people = [user for user in on_duty_users(at=at) if user.pk not in exclude]
    return people or [user for user in users_with_role(Role.DUTY_LEADER) if user.pk not in exclude]


def on_duty_payload(*, at: dt.datetime) -> dict:
    """The on-duty answer of the API and page: {"at", "leader", "on_duty": [...]}."""
    rows = []
    for seat in on_duty_at(at=at):
        user = seat.member.user
        rows.append(
            {
                "user": user.pk,
                "username": user.username,
                "name": user.display_name,
                "position": seat.position,
                "position_label": seat.get_position_display(),
                "shift": seat.shift.template.name,
                "start": seat.shift.start,
                "end": seat.shift.end,
                "phone": seat.member.phone or user.mobile,
            }
        )
    leader = next((r for r in rows if r["position"] == "leader"), None)
    return {"at": at, "leader": leader, "on_duty": rows}


def shift_people(*, shift_id: int) -> dict[int, str]:
    """{user id: position} of the filled seats of one shift (a person holding two seats keeps the
    first by position order). One query. The handover's open items read it."""
    people: dict[int, str] = {}
    seats = Assignment.objects.filter(shift_id=shift_id, member__isnull=False).values_list("member__user_id", "position")
    for user_id, position in sorted(seats, key=lambda row: POSITION_ORDER.get(row[1], 9)):
        people.setdefault(user_id, position)
    return people
