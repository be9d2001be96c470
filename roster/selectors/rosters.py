"""Reads of rosters, seats, swaps, logs and handovers, with the access rule applied once.

Provider staff and auditors read duty data; purchaser staff do not (403)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.selectors import user_is_auditor, user_is_manager, user_is_provider_staff
from core.exceptions import NotFound, PermissionDenied

from ..models import (
    Assignment,
    DutyLogEntry,
    DutyMember,
    DutyReport,
    Handover,
    Roster,
    Shift,
    SwapRequest,
)
from ..services.engine_io import history_loads
from ..services.rules import Load


def user_reads_duty(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or user_is_provider_staff(user) or user_is_auditor(user))


def require_duty_reader(user) -> None:
    if not user_reads_duty(user):
        raise PermissionDenied(_("值班信息仅对服务商人员和审计员开放"))


def roster_list_for_user(*, user) -> QuerySet[Roster]:
    require_duty_reader(user)
    return Roster.objects.select_related("period", "created_by")


def roster_get_for_user(*, user, roster_id: int) -> Roster:
    try:
        return roster_list_for_user(user=user).get(pk=roster_id)
    except Roster.DoesNotExist as exc:
        raise NotFound(_("值班表不存在")) from exc


def shift_list_for_user(*, user) -> QuerySet[Shift]:
    require_duty_reader(user)
    return Shift.objects.select_related("template", "roster")


def shift_get_for_user(*, user, shift_id: int) -> Shift:
    try:
        return shift_list_for_user(user=user).get(pk=shift_id)
    except Shift.DoesNotExist as exc:
        raise NotFound(_("班次不存在")) from exc


def assignment_list_for_user(*, user) -> QuerySet[Assignment]:
    require_duty_reader(user)
    return Assignment.objects.select_related("shift__template", "shift__roster", "member__user")


def member_list_for_user(*, user) -> QuerySet[DutyMember]:
    require_duty_reader(user)
    return DutyMember.objects.select_related("user")


def member_of(user) -> DutyMember | None:
    return DutyMember.objects.filter(user=user).first() if user.is_authenticated else None


def swap_list_for_user(*, user) -> QuerySet[SwapRequest]:
    """Managers and auditors see every request; a member sees those they ask or are asked."""
    require_duty_reader(user)
    qs = SwapRequest.objects.select_related(
        "requester__user", "counterpart__user", "assignment__shift__template", "counterpart_assignment__shift__template"
    )
    if user_is_manager(user) or user_is_auditor(user) or user.is_superuser:
        return qs
    return qs.filter(Q(requester__user=user) | Q(counterpart__user=user))


def duty_log_list_for_user(*, user) -> QuerySet[DutyLogEntry]:
    require_duty_reader(user)
    return DutyLogEntry.objects.select_related("author", "shift__template")


def duty_report_list_for_user(*, user) -> QuerySet[DutyReport]:
    require_duty_reader(user)
    return DutyReport.objects.select_related("author", "shift__template", "roster")


def handover_list_for_user(*, user) -> QuerySet[Handover]:
    require_duty_reader(user)
    return Handover.objects.select_related("from_user", "to_user", "shift__template", "next_shift__template")


def my_assignments(*, user, since: dt.datetime) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(member__user=user, shift__end__gt=since, shift__roster__status=Roster.Status.PUBLISHED)
        .select_related("shift__template", "shift__roster")
        .order_by("shift__start")
    )


def roster_grid(roster: Roster) -> dict:
    """People × days of a roster, with fairness beside it. A fixed number of queries.

    Returns {"days": [date], "rows": [{"member", "cells": [[seat…] per day], "load", "history"}],
             "unfilled": [seat], "templates": [...]}.
    """
    seats = list(
        Assignment.objects.filter(shift__roster=roster).select_related("shift__template", "member__user").order_by("shift__start", "position", "seat")
    )
    members = list(roster.members.select_related("user").order_by("pk"))
    days = []
    day = roster.start_date
    while day <= roster.end_date:
        days.append(day)
        day += dt.timedelta(days=1)
    index = {d: i for i, d in enumerate(days)}
    cells: dict[int, list[list[Assignment]]] = {m.pk: [[] for _ in days] for m in members}
    loads: dict[int, Load] = defaultdict(Load)
    unfilled = []
    for seat in seats:
        if seat.member_id is None:
            unfilled.append(seat)
            continue
        if seat.member_id not in cells:  # a member removed from the roster keeps their seats visible
            cells[seat.member_id] = [[] for _ in days]
            members.append(seat.member)
        cells[seat.member_id][index[seat.shift.date]].append(seat)
        loads[seat.member_id].add(hours=seat.shift.hours, is_night=seat.shift.is_night, holiday_weight=seat.shift.holiday_weight)
    first_start = min((s.shift.start for s in seats), default=None)
    history = history_loads(member_ids=[m.pk for m in members], before=first_start, exclude_roster_id=roster.pk) if first_start else {}
    rows = [{"member": m, "cells": cells[m.pk], "load": loads[m.pk], "history": history.get(m.pk, Load())} for m in members]
    return {"days": days, "rows": rows, "unfilled": unfilled}


def fairness_summary(roster: Roster) -> list[dict]:
    grid = roster_grid(roster)
    return [
        {
            "member": row["member"].pk,
            "name": row["member"].user.display_name,
            "shifts": row["load"].shifts,
            "hours": round(row["load"].hours, 1),
            "nights": row["load"].nights,
            "holiday": row["load"].holiday,
            "history_hours": round(row["history"].hours, 1),
            "history_nights": row["history"].nights,
            "history_holiday": row["history"].holiday,
        }
        for row in grid["rows"]
    ]


def shift_with_people(qs: QuerySet[Shift]) -> QuerySet[Shift]:
    return qs.prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("member__user").order_by("position", "seat")))
