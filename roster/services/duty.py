"""During a shift: log entries, the end-of-shift (or daily) report, the handover and its sign-off;
and the sweep that flags missing reports and unsigned handovers to the leader on duty."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.selectors import user_is_manager, users_with_role
from core.db import lock_one
from core.exceptions import Conflict, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from core.limits import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, text_lengths_check
from core.services import notification_send

from ..models import Assignment, DutyLogEntry, DutyReport, Handover, Position, Roster, Shift
from .access import require_provider_staff

# Log entries may be written a little before a shift starts and until the grace after it ends.
LOG_MARGIN = dt.timedelta(hours=1)


def _shift(shift_id: int) -> Shift:
    try:
        return Shift.objects.select_related("roster", "template").get(pk=shift_id)
    except Shift.DoesNotExist as exc:
        raise NotFound(_("班次不存在")) from exc


def _on_shift(user, shift: Shift) -> bool:
    return Assignment.objects.filter(shift=shift, member__user=user).exists()


def _require_on_shift_or_manager(actor, shift: Shift) -> None:
    require_provider_staff(actor)
    if not (_on_shift(actor, shift) or user_is_manager(actor) or actor.is_superuser):
        raise PermissionDenied(_("只有本班次的值班人员或值班负责人可以填写"))


@transaction.atomic
def duty_log_add(*, actor, shift_id: int, kind: str, text: str, ticket_ref: str = "", at: dt.datetime | None = None) -> DutyLogEntry:
    """Clauses 8.1.8 and 6.2.2: a duty-log entry (inspection, event, call, note) by a person on the shift."""
    text_lengths_check(text=(text, NOTE_MAX_LENGTH), ticket_ref=(ticket_ref, 40))
    shift = _shift(shift_id)
    _require_on_shift_or_manager(actor, shift)
    at = at or timezone.now()
    errors: dict[str, list[str]] = {}
    if kind not in DutyLogEntry.Kind.values:
        errors["kind"] = [_("类型无效")]
    if not text.strip():
        errors["text"] = [_("请填写内容")]
    grace = dt.timedelta(minutes=settings.ROSTER_REPORT_GRACE_MINUTES)
    if not shift.start - LOG_MARGIN <= at <= shift.end + grace:
        errors["at"] = [_("时间不在本班次内")]
    if at > timezone.now() + dt.timedelta(minutes=5):
        errors["at"] = [_("不能记录未来的时间")]
    if errors:
        raise ValidationFailed(fields=errors)
    return DutyLogEntry.objects.create(shift=shift, author=actor, kind=kind, at=at, text=text.strip(), ticket_ref=ticket_ref.strip()[:40])


@transaction.atomic
def duty_report_submit(
    *, actor, kind: str, summary: str = "", shift_id: int | None = None, roster_id: int | None = None, day: dt.date | None = None
) -> DutyReport:
    """Clause 8.1.8 (7×24 watch) and 8.2.9 (the month's duty evidence): The report that closes a shift, or (in a
    heavy-protection period) a day: events, or a zero-report (零报告：无情况报平安). One per shift / per roster-day."""
    text_lengths_check(summary=(summary, TEXT_MAX_LENGTH))
    if (shift_id is None) == (day is None):
        raise ValidationFailed(fields={"shift": [_("请指定班次或日期（二选一）")]})
    if kind not in DutyReport.Kind.values:
        raise ValidationFailed(fields={"kind": [_("类型无效")]})
    if kind == DutyReport.Kind.EVENTS and not summary.strip():
        raise ValidationFailed(fields={"summary": [_("情况报告请填写内容")]})
    if shift_id is not None:
        shift = _shift(shift_id)
        _require_on_shift_or_manager(actor, shift)
        roster = shift.roster
        if timezone.now() < shift.start:
            raise ValidationFailed(fields={"shift": [_("班次尚未开始")]})
        if DutyReport.objects.filter(shift=shift).exists():
            raise Conflict(_("本班次已提交报告"))
    else:
        require_provider_staff(actor)
        try:
            roster = Roster.objects.select_related("period").get(pk=roster_id)
        except Roster.DoesNotExist as exc:
            raise NotFound(_("值班表不存在")) from exc
        shift = None
        if roster.period is None or not roster.period.start <= day <= roster.period.end:
            raise ValidationFailed(fields={"day": [_("只有重保时期内的日期需要日报")]})
        if not Assignment.objects.filter(shift__roster=roster, shift__date=day, member__user=actor).exists() and not user_is_manager(actor):
            raise PermissionDenied(_("只有当天的值班人员或值班负责人可以提交日报"))
        if DutyReport.objects.filter(roster=roster, day=day).exists():
            raise Conflict(_("当天已提交日报"))
    summary = summary.strip() or ("无情况报平安" if kind == DutyReport.Kind.ZERO else "")
    return DutyReport.objects.create(roster=roster, shift=shift, day=day, kind=kind, summary=summary, author=actor, submitted_at=timezone.now())


def next_shift_of(shift: Shift) -> Shift | None:
    """The shift that takes over: same template the next time, else the next shift to start."""
    following = Shift.objects.filter(roster_id=shift.roster_id, start__gte=shift.end - dt.timedelta(minutes=1)).order_by("start", "pk")
    return following.filter(template_id=shift.template_id).first() or following.first()


def _clean_open_items(items: list) -> list[dict]:
    """Rows from the tickets app (or typed): {ticket, title, remaining_minutes, note}."""
    clean = []
    for n, item in enumerate(items or [], start=1):
        if not isinstance(item, dict) or not str(item.get("ticket", "")).strip():
            raise ValidationFailed(fields={"open_items": [_("第 %(n)s 项缺少工单号") % {"n": n}]})
        remaining = item.get("remaining_minutes")
        if remaining is not None:
            try:
                remaining = int(remaining)
            except (TypeError, ValueError) as exc:
                raise ValidationFailed(fields={"open_items": [_("第 %(n)s 项剩余时间应为整数分钟") % {"n": n}]}) from exc
        clean.append(
            {"ticket": str(item["ticket"]).strip()[:40], "title": str(item.get("title", ""))[:200], "remaining_minutes": remaining, "note": str(item.get("note", ""))[:500]}
        )
    return clean


@transaction.atomic
def handover_submit(*, actor, shift_id: int, open_items: list | None = None, manual_items: list | None = None, notes: str = "") -> Handover:
    """The outgoing person lists what the next shift must carry on. `open_items` are passed in by
    the caller (the page fills them from a tickets selector); `manual_items` are free text."""
    text_lengths_check(notes=(notes, NOTE_MAX_LENGTH))
    shift = _shift(shift_id)
    _require_on_shift_or_manager(actor, shift)
    if Handover.objects.filter(shift=shift).exists():
        raise Conflict(_("本班次已提交交接"))
    manual = [str(x).strip()[:500] for x in (manual_items or []) if str(x).strip()]
    return Handover.objects.create(
        shift=shift, next_shift=next_shift_of(shift), from_user=actor, open_items=_clean_open_items(open_items or []),
        manual_items=manual, notes=notes.strip(), submitted_at=timezone.now(),
    )


@transaction.atomic
def handover_sign(*, actor, handover_id: int, note: str = "") -> Handover:
    """The incoming person (anyone on the next shift, or a manager) signs the handover off."""
    text_lengths_check(note=(note, Handover._meta.get_field("sign_note").max_length))
    try:
        handover = lock_one(Handover.objects.all(), handover_id)
    except Handover.DoesNotExist as exc:
        raise NotFound(_("交接记录不存在")) from exc
    if handover.status != Handover.Status.SUBMITTED:
        raise IllegalTransition(_("交接已签收"))
    if handover.from_user_id == actor.pk:
        raise PermissionDenied(_("交班人不能自己签收"))
    incoming = handover.next_shift is not None and _on_shift(actor, handover.next_shift)
    if not (incoming or user_is_manager(actor) or actor.is_superuser):
        raise PermissionDenied(_("只有接班人员或值班负责人可以签收"))
    handover.status = Handover.Status.SIGNED
    handover.to_user = actor
    handover.signed_at = timezone.now()
    handover.sign_note = note[:300]
    handover.save(update_fields=["status", "to_user", "signed_at", "sign_note"])
    return handover


def _leaders_of(shift: Shift) -> list:
    """The leader on duty for a shift: the leader seat of a shift overlapping it, else the duty leaders."""
    leaders = [
        a.member.user
        for a in Assignment.objects.filter(
            shift__roster_id=shift.roster_id, position=Position.LEADER, member__isnull=False,
            shift__start__lt=shift.end, shift__end__gt=shift.start,
        ).select_related("member__user")
    ]
    return leaders or list(users_with_role(Role.DUTY_LEADER))


SWEEP_WINDOW = dt.timedelta(days=3)
SWEEP_BATCH = 200


def duty_flags_sweep(*, now: dt.datetime | None = None) -> int:
    """Tell the leader about shifts ended (past the grace) without a report or a signed handover,
    and heavy-protection days without a daily report. Idempotent: each flag has a dedupe key.
    Looks back a bounded window; returns the number of notices written."""
    now = now or timezone.now()
    grace = dt.timedelta(minutes=settings.ROSTER_REPORT_GRACE_MINUTES)
    written = 0
    shifts = list(
        Shift.objects.filter(
            roster__status=Roster.Status.PUBLISHED, end__lte=now - grace, end__gt=now - SWEEP_WINDOW, assignments__member__isnull=False
        )
        .distinct()
        .select_related("template", "roster", "report", "handover")
        .order_by("end", "pk")[:SWEEP_BATCH]
    )
    for shift in shifts:
        label = f"{shift.date:%m-%d} {shift.template.name}"
        with transaction.atomic():
            if not hasattr(shift, "report"):
                written += len(notification_send(
                    recipients=_leaders_of(shift), kind="duty_report_missing", title=f"值班报告未提交：{label}",
                    body=f"{shift.roster.name} {label} 结束后未提交值班报告或零报告。", url=f"/roster/log/?shift={shift.pk}",
                    dedupe_key=f"duty-report-missing:{shift.pk}",
                ))
            handover = getattr(shift, "handover", None)
            if handover is None or handover.status != Handover.Status.SIGNED:
                written += len(notification_send(
                    recipients=_leaders_of(shift), kind="handover_unsigned", title=f"交接班未签收：{label}",
                    body=f"{shift.roster.name} {label} {'未提交交接' if handover is None else '交接未经接班人签收'}。",
                    url=f"/roster/handover/?shift={shift.pk}", dedupe_key=f"handover-unsigned:{shift.pk}",
                ))
    written += _daily_reports_sweep(now=now, grace=grace)
    return written


def _daily_reports_sweep(*, now: dt.datetime, grace: dt.timedelta) -> int:
    from .engine_io import tz

    written = 0
    today = now.astimezone(tz()).date()
    cutoff = (now - grace).astimezone(tz()).date()  # days that ended (plus grace) before now
    rosters = Roster.objects.filter(
        status=Roster.Status.PUBLISHED, period__isnull=False, start_date__lt=today, end_date__gte=today - SWEEP_WINDOW
    ).select_related("period")
    for roster in rosters:
        reported = set(roster.reports.filter(day__isnull=False).values_list("day", flat=True))
        day = max(roster.start_date, roster.period.start, today - SWEEP_WINDOW)
        last = min(roster.end_date, roster.period.end)
        while day <= last and day < cutoff:
            if day not in reported:
                with transaction.atomic():
                    first_shift = roster.shifts.filter(date=day).order_by("start").first()
                    recipients = _leaders_of(first_shift) if first_shift else list(users_with_role(Role.DUTY_LEADER))
                    written += len(notification_send(
                        recipients=recipients, kind="daily_report_missing", title=f"重保日报未提交：{day:%m-%d}",
                        body=f"{roster.name} {day:%Y-%m-%d} 未提交日报或零报告。", url=f"/roster/log/?shift={first_shift.pk}" if first_shift else "/roster/log/",
                        dedupe_key=f"daily-report-missing:{roster.pk}:{day.isoformat()}",
                    ))
            day += dt.timedelta(days=1)
    return written
