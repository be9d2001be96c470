"""Pages of duty rosters and heavy-protection periods. Each view parses input, calls one service or
selector and renders; domain errors become messages (or 403/404)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.selectors import user_is_manager
from core.audit import audit_record
from core.exceptions import DomainError, NotFound, PermissionDenied, page_domain_error
from core.models import AuditLog
from core.page_guard import signed_in_page

from . import exports, forms
from .models import (
    POSITION_ORDER,
    Assignment,
    DutyMember,
    Handover,
    Position,
    Roster,
    RosterEvent,
    Shift,
    position_legend,
)
from .selectors.duty import on_duty_payload
from .selectors.handover import handover_open_items_for
from .selectors.panels import shift_panels
from .selectors.periods import period_list as period_list_qs
from .selectors.rosters import (
    duty_log_list_for_user,
    duty_report_list_for_user,
    handover_list_for_user,
    member_of,
    my_assignments,
    require_duty_reader,
    roster_get_for_user,
    roster_grid,
    roster_list_for_user,
    shift_get_for_user,
    swap_list_for_user,
)
from .services import duty as duty_services
from .services import members as member_services
from .services import periods as period_services
from .services import rosters as roster_services
from .services import swaps as swap_services
from .services.transitions import roster_actions_for, shift_swap_actions_for
from .views_calendar import calendar_url

duty_page = signed_in_page  # signed in; a refusal that escapes is the 403 / 404 page (core.page_guard)


def _attempt(request, call, ok: str, form=None) -> bool:
    """Run a service call; show its domain error as a message (and on the form's fields)."""
    try:
        call()
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        page_domain_error(exc, form=form, request=request)
        return False
    messages.success(request, ok)
    return True


# ---------------------------------------------------------------- periods


@duty_page
def period_list(request):
    year = request.GET.get("year", "")
    qs = period_list_qs(year=int(year) if year.isdigit() else None)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    can_edit = user_is_manager(request.user)
    form = forms.PeriodForm(request.POST or None) if can_edit else None
    propose_form = forms.ProposeForm(request.GET if "propose" in request.GET else None, initial={"year": timezone.localdate().year + 1})
    proposals = []
    if request.method == "POST" and form is not None and form.is_valid():
        if _attempt(request, lambda: period_services.period_create(actor=request.user, **form.cleaned_data), gettext("重保时期已保存"), form):
            return redirect("roster-periods")
    if can_edit and "propose" in request.GET and propose_form.is_valid():
        data = {k: v for k, v in propose_form.cleaned_data.items() if v is not None}
        try:
            proposals.extend(period_services.period_propose(**data))
        except DomainError as exc:
            if exc.code != "calendar_missing":
                page_domain_error(exc, form=propose_form, request=request)
            else:  # the way out of this dead end: the page where the year's holidays are entered.
                messages.error(request, format_html(
                    '{} <a href="{}">{}</a>', gettext("%(year)s 年没有节假日日历数据，无法按春节、国庆生成建议。") % {"year": data["year"]},
                    calendar_url(data["year"]), gettext("录入 %(year)s 年节假日安排") % {"year": data["year"]}))
        else:
            messages.success(request, gettext("以下为建议的重保时期，确认后逐条保存"))
    return render(request, "roster/periods.html", {"page": page, "form": form, "propose_form": propose_form, "proposals": proposals, "can_edit": can_edit, "year": year, "query": f"year={year}" if year.isdigit() else ""})


@duty_page
def period_edit(request, pk: int):
    period = period_list_qs().filter(pk=pk).first()
    if period is None:
        raise Http404
    if not user_is_manager(request.user):
        raise DjangoPermissionDenied
    form = forms.PeriodForm(request.POST or None, instance=period)
    if request.method == "POST":
        if "delete" in request.POST:
            if _attempt(request, lambda: period_services.period_delete(actor=request.user, period=period), gettext("已删除")):
                return redirect("roster-periods")
        elif form.is_valid():
            values = {k: form.cleaned_data[k] for k in form.Meta.fields}
            period.refresh_from_db()
            if _attempt(request, lambda: period_services.period_update(actor=request.user, period=period, **values), gettext("已保存"), form):
                return redirect("roster-periods")
    return render(request, "roster/period_edit.html", {"form": form, "period": period})


# ---------------------------------------------------------------- rosters


@duty_page
def roster_list(request):
    qs = roster_list_for_user(user=request.user).order_by("-start_date", "-pk")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "roster/rosters.html", {"page": page, "can_edit": user_is_manager(request.user)})


@duty_page
def roster_new(request):
    require_duty_reader(request.user)
    if not user_is_manager(request.user):
        raise DjangoPermissionDenied
    form = forms.RosterForm(request.POST or None, initial={"engineer_templates": ["full"], "leader_templates": ["full"]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = []
        ok = _attempt(
            request,
            lambda: created.append(
                roster_services.roster_create(
                    actor=request.user, name=data["name"], start_date=data["start_date"], end_date=data["end_date"],
                    positions=form.position_specs(), member_ids=[m.pk for m in data["members"]], period=data["period"],
                    min_rest_hours=data["min_rest_hours"], max_consecutive_nights=data["max_consecutive_nights"],
                )
            ),
            gettext("值班表已创建，请自动排班后检查并发布"),
            form,
        )
        if ok:
            return redirect("roster-detail", pk=created[0].pk)
    return render(request, "roster/roster_new.html", {"form": form})


@duty_page
def roster_detail(request, pk: int):
    roster = roster_get_for_user(user=request.user, roster_id=pk)
    grid = roster_grid(roster)
    versions = list(roster.versions.order_by("-number").values("number", "reason", "published_at", "diff")[:10])
    feed_url = request.build_absolute_uri(reverse("roster-feed-roster", args=[roster.ical_token])) if roster.ical_token else ""
    actions = roster_actions_for(user=request.user, roster=roster)
    can_edit = "edit" in actions
    edit_form = forms.SeatEditForm(roster=roster) if can_edit else None
    seats = []
    if can_edit:
        def seat_label(s) -> str:
            return gettext("%(date)s %(shift)s %(position)s#%(seat)s：%(who)s") % {
                "date": f"{s.shift.date:%m-%d}", "shift": s.shift.template.name, "position": s.get_position_display(),
                "seat": s.seat, "who": s.member.user.display_name if s.member else gettext("（空）"),
            }

        filled = [s for row in grid["rows"] for day in row["cells"] for s in day]
        ordered = sorted([*filled, *grid["unfilled"]], key=lambda s: (s.shift.start, s.shift_id, POSITION_ORDER.get(s.position, 9), s.seat))
        seats = [(s.pk, seat_label(s)) for s in ordered]
    return render(
        request, "roster/roster_detail.html",
        {"roster": roster, "grid": grid, "versions": versions, "feed_url": feed_url, "can_edit": can_edit, "edit_form": edit_form, "seats": seats,
         "actions": actions, "position_legend": position_legend()},
    )


@require_POST
@duty_page
def roster_action(request, pk: int, action: str):
    roster = roster_get_for_user(user=request.user, roster_id=pk)
    actor = request.user
    if action == "generate":
        result = {}
        _attempt(request, lambda: result.update(roster_services.roster_generate(actor=actor, roster_id=roster.pk, keep_filled="keep_filled" in request.POST)), gettext("已自动排班"))
        if result.get("unfilled"):
            messages.warning(request, gettext("有 %(n)s 个席位无法排满，原因见下方列表") % {"n": result["unfilled"]})
    elif action == "publish":
        _attempt(request, lambda: roster_services.roster_publish(actor=actor, roster_id=roster.pk), gettext("已发布，相关人员已收到通知"))
    elif action == "edit":
        form = forms.SeatEditForm(request.POST, roster=roster)
        if form.is_valid():
            member = form.cleaned_data["member"]
            _attempt(
                request,
                lambda: roster_services.roster_seats_edit(
                    actor=actor, roster_id=roster.pk, changes={form.cleaned_data["assignment"]: member.pk if member else None}, reason=form.cleaned_data["reason"]
                ),
                gettext("已调整，已生成新版本并通知相关人员") if roster.status == Roster.Status.PUBLISHED else gettext("已调整"),
            )
        else:
            messages.error(request, gettext("请选择要调整的席位"))
    elif action in ("feed", "feed-revoke"):
        _attempt(request, lambda: roster_services.roster_feed_token_rotate(actor=actor, roster_id=roster.pk, revoke=action == "feed-revoke"), gettext("订阅链接已更新"))
    else:
        raise Http404
    return redirect("roster-detail", pk=roster.pk)


def _roster_file(request, pk: int, *, render, content_type: str, label: str, disposition: str, extension: str) -> HttpResponse:
    """The roster the user may read rendered by `render` as roster-<pk>.<extension>; the export is audited."""
    roster = roster_get_for_user(user=request.user, roster_id=pk)
    response = HttpResponse(render(roster), content_type=content_type)
    audit_record(actor=request.user, action=AuditLog.Action.EXPORT, obj=roster, detail=label)
    response["Content-Disposition"] = f'{disposition}; filename="roster-{roster.pk}.{extension}"'
    return response


@duty_page
def roster_csv(request, pk: int):
    return _roster_file(request, pk, render=exports.roster_csv, content_type="text/csv; charset=utf-8", label="值班表 CSV",
                        disposition="attachment", extension="csv")


@duty_page
def roster_pdf(request, pk: int):
    return _roster_file(request, pk, render=exports.roster_pdf, content_type="application/pdf", label="值班表 PDF",
                        disposition="inline", extension="pdf")


# ---------------------------------------------------------------- my shifts, unavailability, feeds


@duty_page
def my_shifts(request):
    require_duty_reader(request.user)
    member = member_of(request.user)
    seats = list(my_assignments(user=request.user, since=timezone.now())[:100])
    form = forms.UnavailabilityForm(request.POST or None)
    if request.method == "POST" and member is not None:
        action = request.POST.get("action")
        if action in ("feed", "feed-revoke"):
            _attempt(request, lambda: member_services.member_feed_token_rotate(actor=request.user, member=member, revoke=action == "feed-revoke"), gettext("订阅链接已更新"))
            return redirect("roster-my-shifts")
        if form.is_valid():
            if _attempt(request, lambda: member_services.unavailability_add(actor=request.user, member=member, **form.cleaned_data), gettext("已登记"), form):
                return redirect("roster-my-shifts")
    member = member_of(request.user)
    feed_url = request.build_absolute_uri(reverse("roster-feed-member", args=[member.ical_token])) if member and member.ical_token else ""
    away = list(member.unavailabilities.filter(end__gt=timezone.now())) if member else []
    return render(request, "roster/my_shifts.html", {"member": member, "seats": seats, "form": form, "feed_url": feed_url, "away": away})


def _feed_response(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _user_label(user) -> str:
    return f"{user.real_name}（{user.username}）" if user.real_name else user.username


def feed_member(request, token: str):
    """Secret-URL feed of one person's shifts (calendar apps cannot sign in). Revoked → 404."""
    member = DutyMember.objects.select_related("user").filter(ical_token=token, active=True).first()
    if member is None or not token:
        raise Http404
    since = timezone.now() - dt.timedelta(days=60)
    # Fetched by a calendar app with the secret URL, not a signed-in user: recorded under the feed's owner.
    audit_record(
        actor=member.user, action=AuditLog.Action.EXPORT, obj=member,
        detail=f"iCal 订阅（个人值班），令牌所有人：{_user_label(member.user)}",
    )
    return _feed_response(exports.ical_feed(name=f"{member.user.display_name}的值班", seats=exports.feed_seats_of_member(member.pk, since=since)), "my-duty")


def feed_roster(request, token: str):
    roster = Roster.objects.filter(ical_token=token).first()
    if roster is None or not token:
        raise Http404
    # Fetched with the secret URL (no signed-in user): the token's owner is whoever last issued it.
    issued = RosterEvent.objects.filter(roster=roster, kind=RosterEvent.Kind.FEED_TOKEN).select_related("actor").order_by("-at", "-pk").first()
    owner = _user_label(issued.actor) if issued is not None and issued.actor is not None else "未知"
    audit_record(
        actor=None, action=AuditLog.Action.EXPORT, obj=roster, actor_label="iCal 订阅",
        detail=f"iCal 订阅（值班表），令牌签发人：{owner}",
    )
    return _feed_response(exports.ical_feed(name=roster.name, seats=exports.feed_seats_of_roster(roster)), f"roster-{roster.pk}")


# ---------------------------------------------------------------- swaps


@duty_page
def swap_new(request):
    require_duty_reader(request.user)
    try:
        seat = Assignment.objects.select_related("shift__roster", "shift__template", "member__user").get(
            pk=int(request.GET.get("assignment") or request.POST.get("assignment") or 0), member__user=request.user
        )
    except (Assignment.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    roster = seat.shift.roster
    members = roster.members.exclude(pk=seat.member_id).select_related("user")
    other_seats = [
        (a.pk, f"{a.member.user.display_name} {a.shift.date:%m-%d} {a.shift.template.name} {a.get_position_display()}")
        for a in Assignment.objects.filter(shift__roster=roster, shift__start__gt=timezone.now(), member__isnull=False)
        .exclude(member=seat.member).select_related("shift__template", "member__user").order_by("shift__start")[:300]
    ]
    form = forms.SwapRequestForm(request.POST or None, initial={"assignment": seat.pk}, members=members, other_seats=other_seats)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _attempt(
            request,
            lambda: swap_services.shift_swap_request(
                actor=request.user, assignment_id=seat.pk, counterpart_id=data["counterpart"].pk,
                counterpart_assignment_id=data["counterpart_assignment"], reason=data["reason"],
            ),
            gettext("申请已发出，等待对方确认"),
            form,
        ):
            return redirect("roster-swaps")
    return render(request, "roster/swap_new.html", {"seat": seat, "form": form})


@duty_page
def swap_inbox(request):
    qs = swap_list_for_user(user=request.user).order_by("-created_at", "-pk")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            swap_id = int(request.POST.get("swap", ""))
        except ValueError as exc:
            raise Http404 from exc
        if action not in swap_services.SWAP_ACTIONS or not qs.filter(pk=swap_id).exists():
            raise Http404
        note = request.POST.get("note", "")[:300]
        _attempt(request, lambda: swap_services.shift_swap_act(action=action, actor=request.user, swap_id=swap_id, note=note), gettext("已处理"))
        return redirect("roster-swaps")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    for swap in page:  # what each row offers is the swap table's answer, not the template's
        swap.actions = shift_swap_actions_for(user=request.user, swap=swap)
    return render(request, "roster/swaps.html", {"page": page})


# ---------------------------------------------------------------- duty log, report, handover, on duty


def _shift_for_page(request) -> Shift | None:
    """?shift=<id>, else the shift the user is on now, else their latest started shift."""
    raw = request.GET.get("shift") or request.POST.get("shift")
    if raw:
        try:
            return shift_get_for_user(user=request.user, shift_id=int(raw))
        except ValueError as exc:
            raise Http404 from exc
    now = timezone.now()
    seat = (
        Assignment.objects.filter(member__user=request.user, shift__start__lte=now, shift__roster__status=Roster.Status.PUBLISHED)
        .select_related("shift__template", "shift__roster").order_by("-shift__start").first()
    )
    return seat.shift if seat else None


@duty_page
def duty_log(request):
    require_duty_reader(request.user)
    shift = _shift_for_page(request)
    log_form = forms.DutyLogForm(request.POST if request.POST.get("form") == "log" else None)
    report_form = forms.DutyReportForm(request.POST if request.POST.get("form") == "report" else None)
    daily_form = forms.DutyReportForm(request.POST if request.POST.get("form") == "daily" else None, prefix="daily")
    period = shift.roster.period if shift else None
    daily_needed = period is not None and period.start <= shift.date <= period.end
    if request.method == "POST" and shift is not None and request.POST.get("form") == "daily" and daily_needed and daily_form.is_valid():
        if _attempt(
            request,
            lambda: duty_services.duty_report_submit(actor=request.user, roster_id=shift.roster_id, day=shift.date, **daily_form.cleaned_data),
            gettext("重保日报已提交"), daily_form,
        ):
            return redirect(f"{reverse('roster-log')}?shift={shift.pk}")
    if request.method == "POST" and shift is not None:
        if request.POST.get("form") == "log" and log_form.is_valid():
            if _attempt(request, lambda: duty_services.duty_log_add(actor=request.user, shift_id=shift.pk, **log_form.cleaned_data), gettext("已记录"), log_form):
                return redirect(f"{reverse('roster-log')}?shift={shift.pk}")
        if request.POST.get("form") == "report" and report_form.is_valid():
            if _attempt(request, lambda: duty_services.duty_report_submit(actor=request.user, shift_id=shift.pk, **report_form.cleaned_data), gettext("报告已提交"), report_form):
                return redirect(f"{reverse('roster-log')}?shift={shift.pk}")
    entries = list(duty_log_list_for_user(user=request.user).filter(shift=shift).order_by("at", "pk")) if shift else []
    report = getattr(shift, "report", None) if shift else None
    people = list(shift.assignments.select_related("member__user").order_by("position", "seat")) if shift else []
    daily_report = duty_report_list_for_user(user=request.user).filter(roster_id=shift.roster_id, day=shift.date).first() if daily_needed else None
    return render(
        request, "roster/duty_log.html",
        {
            "shift": shift, "entries": entries, "report": report, "people": people, "log_form": log_form, "report_form": report_form,
            "daily_needed": daily_needed, "daily_report": daily_report, "daily_form": daily_form, "period": period,
            "shift_panels": shift_panels(user=request.user, shift=shift),
        },
    )


def open_items_for(*, user, shift: Shift) -> list[dict]:
    """Open items to hand over, from the providers registered with roster.selectors.handover (the tickets
    app registers its open tickets; the roster does not import tickets)."""
    return handover_open_items_for(user=user, shift=shift)


@duty_page
def handover(request):
    require_duty_reader(request.user)
    shift = _shift_for_page(request)
    existing = handover_list_for_user(user=request.user).filter(shift=shift).first() if shift else None
    form = forms.HandoverForm(request.POST if request.POST.get("form") == "submit" else None)
    sign_form = forms.SignForm(request.POST if request.POST.get("form") == "sign" else None)
    open_items = open_items_for(user=request.user, shift=shift) if shift and existing is None else []
    if request.method == "POST" and shift is not None:
        if request.POST.get("form") == "submit" and form.is_valid():
            manual = [line for line in form.cleaned_data["manual_items"].splitlines() if line.strip()]
            if _attempt(
                request,
                lambda: duty_services.handover_submit(actor=request.user, shift_id=shift.pk, open_items=open_items, manual_items=manual, notes=form.cleaned_data["notes"]),
                gettext("交接已提交，等待接班人签收"),
                form,
            ):
                return redirect(f"{reverse('roster-handover')}?shift={shift.pk}")
        if request.POST.get("form") == "sign" and existing and sign_form.is_valid():
            if _attempt(request, lambda: duty_services.handover_sign(actor=request.user, handover_id=existing.pk, note=sign_form.cleaned_data["note"]), gettext("已签收")):
                return redirect(f"{reverse('roster-handover')}?shift={shift.pk}")
    recent = list(handover_list_for_user(user=request.user).order_by("-submitted_at", "-pk")[:20])
    return render(
        request, "roster/handover.html",
        {"shift": shift, "handover": existing, "form": form, "sign_form": sign_form, "open_items": open_items, "recent": recent, "signed": Handover.Status.SIGNED,
         "shift_panels": shift_panels(user=request.user, shift=shift)},
    )


@duty_page
def on_duty_now(request):
    require_duty_reader(request.user)
    raw = request.GET.get("at", "")
    at = None
    if raw:
        at = parse_datetime(raw)
        if at is None:
            messages.error(request, gettext("时间格式有误"))
        elif timezone.is_naive(at):
            at = timezone.make_aware(at)
    payload = on_duty_payload(at=at or timezone.now())
    return render(request, "roster/on_duty.html", {"payload": payload, "at_value": timezone.localtime(payload["at"]).strftime("%Y-%m-%dT%H:%M"), "positions": Position})
