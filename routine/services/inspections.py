"""Inspections (巡检, 6.2.2, 8.1.8): checklists, schedules (denser in heavy-protection periods), rounds
planned ahead and done by the engineer on duty, an abnormal item turned into a ticket in one step, and
a round not done within its grace time flagged to the duty leader and counted as missed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_is_provider_staff, users_with_role
from core.db import lock_one
from core.exceptions import Conflict, IllegalTransition, ValidationFailed
from core.services import notification_send
from core.transitions import Transition, TransitionTable
from roster.selectors.duty import on_duty_at
from roster.selectors.periods import periods_touching
from roster.selectors.records import shifts_between
from tickets.models.reference import BusinessSystem
from tickets.services.tickets import ticket_create

from ..models import InspectionItem, InspectionResult, InspectionRound, InspectionSchedule, InspectionTemplate
from .access import require_provider_staff

Freq = InspectionSchedule.Frequency
S = InspectionRound.Status


def _staff(user, round_) -> bool:
    return user is not None and user_is_provider_staff(user)


def _scheduler(user, round_) -> bool:
    """Only the scheduler marks a round missed (no person: `user` is None)."""
    return user is None


# The state table of a round (core.transitions): provider staff complete a pending round; the scheduler
# marks it missed once its grace time is over (inspection_round_flag_missed checks the time). Pages and
# the API offer what routine.selectors.inspections.inspection_round_actions_for allows.
ROUND_TRANSITIONS = TransitionTable(
    [
        Transition("complete", frozenset({S.PENDING}), S.DONE, _staff, gettext_lazy("提交巡检"),
                   denied=gettext_lazy("只有服务商人员可以提交巡检")),
        Transition("miss", frozenset({S.PENDING}), S.MISSED, _scheduler, gettext_lazy("记为漏检")),
    ],
    state_label=lambda state: str(S(state).label),
    state_refusal=lambda state, action: _("巡检当前状态为“%(status)s”，不能%(action)s") % {"status": state, "action": action},
    state_field="status",
)


# ---------------------------------------------------------------- templates and schedules


@transaction.atomic
def inspection_template_create(*, actor: User, name: str, scope: str, items: list[dict], description: str = "",
                               now: dt.datetime | None = None) -> InspectionTemplate:
    """items: [{label, kind (check / number / text), min_value, max_value, unit}] in order."""
    require_provider_staff(actor)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("请填写名称")]
    elif InspectionTemplate.objects.filter(name=name.strip()).exists():
        errors["name"] = [_("已有同名巡检模板")]
    if scope not in InspectionTemplate.Scope.values:
        errors["scope"] = [_("范围无效")]
    if not items:
        errors["items"] = [_("至少需要一个检查项")]
    for i, item in enumerate(items):
        if not str(item.get("label") or "").strip():
            errors[f"items.{i}.label"] = [_("请填写检查项")]
        if item.get("kind") not in InspectionItem.Kind.values:
            errors[f"items.{i}.kind"] = [_("检查项类型无效")]
        low, high = item.get("min_value"), item.get("max_value")
        if item.get("kind") == InspectionItem.Kind.NUMBER and low is None and high is None:
            errors[f"items.{i}.max_value"] = [_("数值项至少需要上限或下限")]
        if low is not None and high is not None and Decimal(str(low)) > Decimal(str(high)):
            errors[f"items.{i}.max_value"] = [_("上限不能小于下限")]
    if errors:
        raise ValidationFailed(fields=errors)
    template = InspectionTemplate.objects.create(name=name.strip(), scope=scope, description=description,
                                                 created_at=now or timezone.now())
    for seq, item in enumerate(items, start=1):
        InspectionItem.objects.create(
            template=template, seq=seq, label=item["label"].strip(), kind=item["kind"], unit=item.get("unit", ""),
            min_value=item.get("min_value"), max_value=item.get("max_value"),
        )
    return template


@transaction.atomic
def inspection_schedule_create(*, actor: User, template: InspectionTemplate, business_system: BusinessSystem, frequency: str,
                               start_date: dt.date, heavy_frequency: str = "", time_of_day: dt.time | None = None,
                               weekday: int | None = None, grace_minutes: int | None = None,
                               now: dt.datetime | None = None) -> InspectionSchedule:
    require_provider_staff(actor)
    if grace_minutes is None:
        grace_minutes = settings.ROUTINE_INSPECTION_GRACE_MINUTES
    errors: dict[str, list[str]] = {}
    if frequency not in Freq.values:
        errors["frequency"] = [_("频次无效")]
    if heavy_frequency and heavy_frequency not in Freq.values:
        errors["heavy_frequency"] = [_("频次无效")]
    if time_of_day is None and {frequency, heavy_frequency} & {Freq.DAILY, Freq.WEEKLY}:
        errors["time_of_day"] = [_("每日、每周巡检须填写时间")]
    if Freq.WEEKLY in (frequency, heavy_frequency) and weekday is None:
        errors["weekday"] = [_("每周巡检须选择星期")]
    if weekday is not None and not 0 <= weekday <= 6:
        errors["weekday"] = [_("星期无效")]
    if not 10 <= grace_minutes <= 24 * 60:
        errors["grace_minutes"] = [_("宽限须在 10 至 1440 分钟之间")]
    if errors:
        raise ValidationFailed(fields=errors)
    return InspectionSchedule.objects.create(
        template=template, business_system=business_system, frequency=frequency, heavy_frequency=heavy_frequency,
        time_of_day=time_of_day, weekday=weekday, grace_minutes=grace_minutes, start_date=start_date,
        created_at=now or timezone.now(),
    )


# ---------------------------------------------------------------- planning


def inspection_slots(*, schedule: InspectionSchedule, first_day: dt.date, last_day: dt.date,
                     heavy_days: set[dt.date] | None = None, shift_starts: list[dt.datetime] | None = None) -> list[tuple[dt.datetime, bool]]:
    """The schedule's slots on [first_day, last_day] as (moment, in a heavy-protection period). Per
    shift: the start of every published shift; daily / weekly: at time_of_day."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    if heavy_days is None:
        heavy_days = set()
        for period in periods_touching(start=start, end=end):
            heavy_days.update(period.start + dt.timedelta(days=i) for i in range((period.end - period.start).days + 1))
    if shift_starts is None:
        shift_starts = sorted(set(shifts_between(start=start, end=end).values_list("start", flat=True)))
    slots: list[tuple[dt.datetime, bool]] = []
    day = max(first_day, schedule.start_date)
    while day <= last_day:
        heavy = day in heavy_days
        frequency = schedule.heavy_frequency if heavy and schedule.heavy_frequency else schedule.frequency
        if frequency == Freq.PER_SHIFT:
            slots += [(s, heavy) for s in shift_starts if timezone.localtime(s).date() == day]
        elif schedule.time_of_day is not None and (frequency == Freq.DAILY or day.weekday() == schedule.weekday):
            slots.append((dt.datetime.combine(day, schedule.time_of_day, tzinfo=tz), heavy))
        day += dt.timedelta(days=1)
    return slots


def inspection_rounds_plan(*, first_day: dt.date, last_day: dt.date, now: dt.datetime | None = None) -> int:
    """Create the rounds of every active schedule on [first_day, last_day] that do not exist yet.
    Idempotent (one round per schedule and slot)."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    heavy_days: set[dt.date] = set()
    for period in periods_touching(start=start, end=end):
        heavy_days.update(period.start + dt.timedelta(days=i) for i in range((period.end - period.start).days + 1))
    shift_starts = sorted(set(shifts_between(start=start, end=end).values_list("start", flat=True)))
    created = 0
    for schedule in InspectionSchedule.objects.filter(active=True, start_date__lte=last_day).select_related("template"):
        existing = set(InspectionRound.objects.filter(schedule=schedule, slot__gte=start, slot__lt=end).values_list("slot", flat=True))
        for slot, heavy in inspection_slots(schedule=schedule, first_day=first_day, last_day=last_day,
                                            heavy_days=heavy_days, shift_starts=shift_starts):
            if slot in existing:
                continue
            with transaction.atomic():
                InspectionRound.objects.create(
                    schedule=schedule, slot=slot, due_by=slot + dt.timedelta(minutes=schedule.grace_minutes), heavy=heavy,
                    created_at=now,
                )
            created += 1
    return created


# ---------------------------------------------------------------- doing a round


def _judge(item: InspectionItem, raw) -> tuple[str, bool, str | None]:
    """(value as stored, normal?, error)."""
    text = str(raw if raw is not None else "").strip()
    if item.kind == InspectionItem.Kind.CHECK:
        if text not in ("ok", "abnormal"):
            return text, False, _("请选择正常或异常")
        return text, text == "ok", None
    if item.kind == InspectionItem.Kind.NUMBER:
        try:
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            return text, False, _("请填写数值")
        ok = (item.min_value is None or number >= item.min_value) and (item.max_value is None or number <= item.max_value)
        return text[:200], ok, None
    if not text:
        return text, False, _("请填写")
    return text[:200], True, None


@transaction.atomic
def inspection_round_complete(*, actor: User, round_id: int, answers: dict, notes: str = "",
                              now: dt.datetime | None = None) -> InspectionRound:
    """answers: {item id: {"value": ..., "note": ..., "abnormal": bool (text items)}}. Every item is
    answered; a number outside its limits or a check marked abnormal is an anomaly."""
    now = now or timezone.now()
    round_ = lock_one(InspectionRound.objects.select_related("schedule__template"), round_id)
    to = ROUND_TRANSITIONS.check(action="complete", user=actor, obj=round_).target
    items = list(round_.schedule.template.items.all())
    errors: dict[str, list[str]] = {}
    results = []
    for item in items:
        answer = answers.get(item.pk) or answers.get(str(item.pk)) or {}
        value, ok, error = _judge(item, answer.get("value"))
        if error:
            errors[f"item_{item.pk}"] = [error]
            continue
        if item.kind == InspectionItem.Kind.TEXT and answer.get("abnormal"):
            ok = False
        note = str(answer.get("note") or "")[:500]
        if not ok and not note.strip() and item.kind != InspectionItem.Kind.NUMBER:
            errors[f"item_{item.pk}"] = [_("异常项请说明情况")]
            continue
        results.append(InspectionResult(round=round_, item=item, value=value, ok=ok, note=note))
    if errors:
        raise ValidationFailed(fields=errors)
    for result in results:
        result.save(force_insert=True)
    round_.status, round_.done_by, round_.done_at, round_.notes = to, actor, now, notes
    round_.anomalies = sum(not r.ok for r in results)
    round_.save(update_fields=["status", "done_by", "done_at", "notes", "anomalies"])
    return round_


@transaction.atomic
def inspection_result_ticket(*, actor: User, result_id: int, severity: str = "P3", now: dt.datetime | None = None):
    """Open a fault ticket for an abnormal item, prefilled from the round, and link it back. Once."""
    require_provider_staff(actor)
    result = (InspectionResult.objects.select_for_update()
              .select_related("round__schedule__template", "round__schedule__business_system__organization", "item").get(pk=result_id))
    if result.ok:
        raise IllegalTransition(_("该检查项正常，无需开单"))
    if result.ticket_id:
        raise Conflict(_("该异常已开工单"), fields={"ticket": [str(result.ticket_id)]})
    round_ = result.round
    with translation.override(settings.LANGUAGE_CODE):
        title = _("巡检异常：%(item)s（%(template)s）") % {"item": result.item.label, "template": round_.schedule.template.name}
        description = _("%(slot)s 巡检发现异常。\n检查项：%(item)s\n结果：%(value)s %(unit)s（正常范围：%(limits)s）\n备注：%(note)s\n巡检人：%(who)s") % {
            "slot": f"{timezone.localtime(round_.slot):%Y-%m-%d %H:%M}", "item": result.item.label, "value": result.value,
            "unit": result.item.unit, "limits": result.item.limits() or "—", "note": result.note or "—",
            "who": round_.done_by.display_name if round_.done_by_id else "—",
        }
    ticket = ticket_create(actor=actor, title=title[:200], kind="fault", severity=severity,
                           business_system=round_.schedule.business_system, description=description, now=now)
    result.ticket = ticket
    result.save(update_fields=["ticket"])
    return ticket


# ---------------------------------------------------------------- missed rounds


def inspection_missed_due_ids(*, now: dt.datetime, limit: int = 200) -> list[int]:
    return list(InspectionRound.objects.filter(status=S.PENDING, due_by__lt=now).order_by("due_by").values_list("pk", flat=True)[:limit])


@transaction.atomic
def inspection_round_flag_missed(*, round_id: int, now: dt.datetime | None = None) -> bool:
    """Mark a round not done within its grace time as missed and tell the duty leader on duty at its
    slot (the duty leaders when no roster covers it). False when it was done (or flagged) meanwhile."""
    now = now or timezone.now()
    round_ = InspectionRound.objects.select_for_update().select_related("schedule__template").filter(pk=round_id).first()
    if round_ is None or round_.status != S.PENDING or round_.due_by >= now:
        return False
    if ROUND_TRANSITIONS.refusal(action="miss", user=None, obj=round_) is not None:
        return False
    round_.status, round_.flagged_at = ROUND_TRANSITIONS["miss"].target, now
    round_.save(update_fields=["status", "flagged_at"])
    leaders = [seat.member.user for seat in on_duty_at(at=round_.slot) if seat.position == "leader"]
    leaders = leaders or list(users_with_role(Role.DUTY_LEADER))
    with translation.override(settings.LANGUAGE_CODE):
        title = _("漏检：%(template)s %(slot)s") % {"template": round_.schedule.template.name,
                                                   "slot": f"{timezone.localtime(round_.slot):%m-%d %H:%M}"}
        body = _("计划 %(slot)s 的巡检在 %(due)s 前未完成，已记为漏检。") % {
            "slot": f"{timezone.localtime(round_.slot):%Y-%m-%d %H:%M}", "due": f"{timezone.localtime(round_.due_by):%H:%M}"}
    notification_send(recipients=leaders, kind="inspection_missed", title=title, body=body,
                      url=f"/routine/inspections/rounds/{round_.pk}/", dedupe_key=f"inspection-missed:{round_.pk}")
    return True
