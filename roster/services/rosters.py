"""Rosters: create, generate, edit (validated by the hard rules), publish versions, feed tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import lock_one
from core.exceptions import NotFound, ValidationFailed
from core.limits import text_lengths_check
from core.services import notification_send

from ..models import (
    Assignment,
    DutyMember,
    HeavyProtectionPeriod,
    Position,
    Roster,
    RosterEvent,
    RosterPosition,
    RosterVersion,
    Shift,
    ShiftTemplate,
)
from .access import require_manager
from .engine_io import (
    busy_elsewhere,
    duty_of,
    history_loads,
    holiday_weights,
    person_of,
    roster_rules,
    shift_holiday_weight,
    slot_of,
    tz,
)
from .rules import Timeline, generate, rule_message, violation
from .transitions import ROSTER_TRANSITIONS

MAX_ROSTER_DAYS = 92



@dataclass(frozen=True)
class PositionSpec:
    template: str  # ShiftTemplate.code
    position: str
    count: int = 1
    qualification: str = ""


def _event(roster: Roster, kind: str, actor, data: dict | None = None) -> None:
    RosterEvent.objects.create(roster=roster, kind=kind, actor=actor, at=timezone.now(), data=data or {})


def _roster_locked(roster_id: int) -> Roster:
    try:
        return lock_one(Roster.objects.all(), roster_id)
    except Roster.DoesNotExist as exc:
        raise NotFound(_("值班表不存在")) from exc


@transaction.atomic
def roster_create(
    *,
    actor,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    positions: Sequence[PositionSpec],
    member_ids: Iterable[int],
    period: HeavyProtectionPeriod | None = None,
    min_rest_hours: int = 11,
    max_consecutive_nights: int = 2,
) -> Roster:
    """A draft roster with every seat of every shift, all unfilled."""
    require_manager(actor)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("请填写名称")]
    if end_date < start_date:
        errors["end_date"] = [_("结束日期不能早于开始日期")]
    elif (end_date - start_date).days + 1 > MAX_ROSTER_DAYS:
        errors["end_date"] = [_("一个值班表最多 %(days)s 天") % {"days": MAX_ROSTER_DAYS}]
    if not positions:
        errors["positions"] = [_("至少配置一个岗位")]
    if not 0 <= min_rest_hours <= 48:
        errors["min_rest_hours"] = [_("最短间隔应在 0 到 48 小时之间")]
    if not 1 <= max_consecutive_nights <= 14:
        errors["max_consecutive_nights"] = [_("最多连续夜班应在 1 到 14 之间")]
    templates = {t.code: t for t in ShiftTemplate.objects.filter(active=True)}
    seen = set()
    for spec in positions:
        if spec.template not in templates:
            errors.setdefault("positions", []).append(_("班次模板 %(template)s 不存在或已停用") % {"template": spec.template})
        if spec.position not in Position.values:
            errors.setdefault("positions", []).append(_("岗位 %(position)s 不存在") % {"position": spec.position})
        if not 1 <= spec.count <= 20:
            errors.setdefault("positions", []).append(_("每个岗位人数应在 1 到 20 之间"))
        if (spec.template, spec.position) in seen:
            errors.setdefault("positions", []).append(_("%(template)s/%(position)s 重复") % {"template": spec.template, "position": spec.position})
        seen.add((spec.template, spec.position))
    member_ids = sorted(set(member_ids))
    members = list(DutyMember.objects.filter(pk__in=member_ids, active=True))
    if len(members) != len(member_ids):
        errors["member_ids"] = [_("包含不存在或不在岗的值班人员")]
    if errors:
        raise ValidationFailed(fields=errors)

    roster = Roster.objects.create(
        name=name.strip(),
        period=period,
        start_date=start_date,
        end_date=end_date,
        min_rest_hours=min_rest_hours,
        max_consecutive_nights=max_consecutive_nights,
        created_by=actor,
    )
    roster.members.set(members)
    RosterPosition.objects.bulk_create(
        [
            RosterPosition(roster=roster, template=templates[s.template], position=s.position, count=s.count, qualification=s.qualification)
            for s in positions
        ]
    )
    _build_seats(roster)
    _event(roster, RosterEvent.Kind.CREATED, actor, {"days": (end_date - start_date).days + 1})
    return roster


def _build_seats(roster: Roster) -> None:
    """Shifts for every date × template of the roster's positions, and one seat per person needed."""
    specs = list(roster.positions.select_related("template"))
    weights = holiday_weights(roster.start_date, roster.end_date + dt.timedelta(days=1))
    by_template: dict[int, list[RosterPosition]] = {}
    for spec in specs:
        by_template.setdefault(spec.template_id, []).append(spec)
    shifts: list[Shift] = []
    day = roster.start_date
    while day <= roster.end_date:
        for template_specs in by_template.values():
            template = template_specs[0].template
            start = dt.datetime.combine(day, template.start_time, tzinfo=tz())
            end = start + dt.timedelta(minutes=template.duration_minutes)
            shifts.append(
                Shift(
                    roster=roster, template=template, date=day, start=start, end=end, is_night=template.is_night,
                    holiday_weight=shift_holiday_weight(start, end, weights),
                )
            )
        day += dt.timedelta(days=1)
    shifts = Shift.objects.bulk_create(shifts)
    seats = [
        Assignment(shift=shift, position=spec.position, seat=n, qualification=spec.qualification)
        for shift in shifts
        for spec in by_template[shift.template_id]
        for n in range(1, spec.count + 1)
    ]
    Assignment.objects.bulk_create(seats)


def _roster_people(roster: Roster) -> list:
    members = roster.members.select_related("user").prefetch_related("unavailabilities")
    return [person_of(m) for m in members]


@transaction.atomic
def roster_generate(*, actor, roster_id: int, keep_filled: bool = False) -> dict:
    """Fill the draft roster's seats. Same roster, members, history and calendar → same result.
    With `keep_filled`, seats already filled (by hand) stay and count. Returns counts."""
    require_manager(actor)
    roster = _roster_locked(roster_id)
    ROSTER_TRANSITIONS.check(action="generate", user=actor, obj=roster)
    seats = list(Assignment.objects.filter(shift__roster=roster).select_related("shift"))
    if not seats:
        return {"filled": 0, "unfilled": 0}
    people = _roster_people(roster)
    member_ids = [p.id for p in people]
    first = min(a.shift.start for a in seats)
    last = max(a.shift.end for a in seats)
    fixed = {a.pk: a.member_id for a in seats if keep_filled and a.member_id}
    result = generate(
        slots=[slot_of(a) for a in seats],
        people=people,
        rules=roster_rules(roster),
        history=history_loads(member_ids=member_ids, before=first, exclude_roster_id=roster.pk),
        busy=busy_elsewhere(member_ids=member_ids, start=first, end=last, exclude_roster_id=roster.pk),
        fixed=fixed,
    )
    for seat in seats:
        seat.member_id = result.assignments.get(seat.pk)
        seat.unfilled_reason = result.unfilled.get(seat.pk, "")
    Assignment.objects.bulk_update(seats, ["member", "unfilled_reason"], batch_size=500)
    summary = {"filled": len(result.assignments), "unfilled": len(result.unfilled)}
    _event(roster, RosterEvent.Kind.GENERATED, actor, summary)
    return summary


def _snapshot(roster: Roster) -> list[dict]:
    rows = (
        Assignment.objects.filter(shift__roster=roster)
        .select_related("shift__template", "member__user")
        .order_by("shift__start", "shift_id", "position", "seat")
    )
    return [
        {
            "assignment": a.pk,
            "shift": a.shift_id,
            "date": a.shift.date.isoformat(),
            "template": a.shift.template.name,
            "position": a.position,
            "seat": a.seat,
            "member": a.member_id,
            "name": a.member.user.display_name if a.member else "",
        }
        for a in rows
    ]


def snapshot_diff(old: list[dict], new: list[dict]) -> list[dict]:
    before = {row["assignment"]: row for row in old}
    changes = []
    for row in new:
        prev = before.get(row["assignment"])
        if prev is None or prev["member"] != row["member"]:
            changes.append(
                {
                    "assignment": row["assignment"], "date": row["date"], "template": row["template"],
                    "position": row["position"], "seat": row["seat"],
                    "old_member": prev["member"] if prev else None, "old_name": prev["name"] if prev else "",
                    "new_member": row["member"], "new_name": row["name"],
                }
            )
    return changes


def _version_make(roster: Roster, *, actor, reason: str) -> RosterVersion:
    """Freeze the current seats as the next version and tell the people whose duty changed.
    Caller holds the roster lock."""
    previous = roster.versions.order_by("-number").first()
    snapshot = _snapshot(roster)
    diff = snapshot_diff(previous.snapshot if previous else [], snapshot) if previous else []
    now = timezone.now()
    roster.version += 1
    roster.save(update_fields=["version"])
    version = RosterVersion.objects.create(
        roster=roster, number=roster.version, snapshot=snapshot, diff=diff, reason=reason, published_by=actor, published_at=now
    )
    url = f"/roster/rosters/{roster.pk}/"
    if previous is None:
        member_ids = {row["member"] for row in snapshot if row["member"]}
        title, body = f"值班表已发布：{roster.name}", "请在“我的值班”查看您的班次。"
    else:
        member_ids = {m for change in diff for m in (change["old_member"], change["new_member"]) if m}
        lines = [f"{c['date']} {c['template']} {Position(c['position']).label}：{c['old_name'] or '空'} → {c['new_name'] or '空'}" for c in diff]
        title, body = f"值班表调整（第 {version.number} 版）：{roster.name}", "\n".join(lines)
    users = [m.user for m in DutyMember.objects.filter(pk__in=member_ids).select_related("user")]
    notification_send(
        recipients=users, kind="roster_version", title=title, body=body, url=url, dedupe_key=f"roster:{roster.pk}:v{version.number}"
    )
    return version


@transaction.atomic
def roster_publish(*, actor, roster_id: int) -> RosterVersion:
    """Draft → published: version 1 is frozen and everyone on it is told."""
    require_manager(actor)
    roster = _roster_locked(roster_id)
    roster.status = ROSTER_TRANSITIONS.check(action="publish", user=actor, obj=roster).target
    roster.published_at = timezone.now()
    roster.save(update_fields=["status", "published_at"])
    _event(roster, RosterEvent.Kind.PUBLISHED, actor, {})
    return _version_make(roster, actor=actor, reason="发布")


def seat_violations(*, roster: Roster, changes: dict[int, int | None]) -> dict[int, str]:
    """Check the proposed {assignment id: member id or None} against every hard rule, taking the
    roster's other seats (with the changes applied) and other published rosters into account.
    Returns {assignment id: message} for the seats that would break a rule."""
    seats = {a.pk: a for a in Assignment.objects.filter(shift__roster=roster).select_related("shift")}
    unknown = [pk for pk in changes if pk not in seats]
    if unknown:
        raise NotFound(_("排班席位不存在"))
    after = {pk: changes.get(pk, a.member_id) for pk, a in seats.items()}
    touched = {m for pk, m in changes.items() if m}
    if not touched:
        return {}
    members = {m.pk: m for m in DutyMember.objects.filter(pk__in=touched).select_related("user").prefetch_related("unavailabilities")}
    missing = touched - set(members)
    if missing:
        raise ValidationFailed(fields={"member": [_("值班人员不存在")]})
    roster_member_ids = set(roster.members.values_list("pk", flat=True))
    shifts = [seats[pk].shift for pk in changes]
    busy = busy_elsewhere(
        member_ids=list(touched), start=min(s.start for s in shifts), end=max(s.end for s in shifts), exclude_roster_id=roster.pk
    )
    rules = roster_rules(roster)
    problems: dict[int, str] = {}
    for pk, member_id in changes.items():
        if not member_id:
            continue
        if member_id not in roster_member_ids:
            problems[pk] = _("不是本值班表的值班人员")
            continue
        own = [duty_of(seats[o].shift) for o, m in after.items() if m == member_id and o != pk]
        timeline = Timeline([*own, *busy.get(member_id, [])])
        slot = slot_of(seats[pk])
        code = violation(person_of(members[member_id]), timeline, slot, rules)
        if code:
            problems[pk] = _("%(person)s%(problem)s") % {
                "person": members[member_id].user.display_name,
                "problem": rule_message(code, slot=slot, rules=rules, translated=True),
            }
    return problems


def apply_seat_changes(*, actor, roster: Roster, changes: dict[int, int | None], reason: str, kind: str) -> RosterVersion | None:
    """Validate and apply seat changes. On a published roster the result is a new version (with a
    diff, people told). Caller holds the roster lock and has checked the actor's right."""
    problems = seat_violations(roster=roster, changes=changes)
    if problems:
        raise ValidationFailed(_("调整违反值班规则"), fields={"changes": [f"#{pk}: {msg}" for pk, msg in sorted(problems.items())]})
    seats = list(Assignment.objects.filter(pk__in=list(changes)))
    for seat in seats:
        seat.member_id = changes[seat.pk]
        seat.unfilled_reason = "" if seat.member_id else "手工清空"
    Assignment.objects.bulk_update(seats, ["member", "unfilled_reason"])
    _event(roster, kind, actor, {"changes": {str(k): v for k, v in changes.items()}, "reason": reason})
    if roster.status == Roster.Status.PUBLISHED:
        return _version_make(roster, actor=actor, reason=reason or "手工调整")
    return None


@transaction.atomic
def roster_seats_edit(*, actor, roster_id: int, changes: dict[int, int | None], reason: str = "") -> RosterVersion | None:
    """Manual edit of seats, validated by the same hard rules as generation."""
    text_lengths_check(reason=(reason, RosterVersion._meta.get_field("reason").max_length))
    require_manager(actor)
    roster = _roster_locked(roster_id)
    ROSTER_TRANSITIONS.check(action="edit", user=actor, obj=roster)
    if not changes:
        raise ValidationFailed(fields={"changes": [_("没有要调整的席位")]})
    return apply_seat_changes(actor=actor, roster=roster, changes=changes, reason=reason, kind=RosterEvent.Kind.EDITED)


@transaction.atomic
def roster_feed_token_rotate(*, actor, roster_id: int, revoke: bool = False) -> Roster:
    """A new secret iCalendar URL for the roster (the old one stops working), or none at all."""
    from ..models import _new_token

    require_manager(actor)
    roster = _roster_locked(roster_id)
    ROSTER_TRANSITIONS.check(action="feed", user=actor, obj=roster)
    roster.ical_token = None if revoke else _new_token()
    roster.save(update_fields=["ical_token"])
    _event(roster, RosterEvent.Kind.FEED_TOKEN, actor, {"revoked": revoke})
    return roster
