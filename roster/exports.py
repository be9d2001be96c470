"""Roster exports: iCalendar feeds (RFC 5545), CSV (UTF-8 with BOM, for Excel) and the printable
duty roster (值班表) PDF. Pure reads; the views check access (or the feed token) before calling."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Assignment, Position, Roster
from .selectors.rosters import roster_grid
from .services.engine_io import tz

SHORT = {Position.LEADER: "带班", Position.ENGINEER: "值班", Position.SECURITY: "安全", Position.ONSITE: "现场"}



def ical_feed(*, name: str, seats: Iterable[Assignment]) -> bytes:
    """A calendar of seats (each with shift, template and member loaded), times in Asia/Shanghai
    with the VTIMEZONE included. UIDs are stable so subscribers see moves, not duplicates."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//OpsDesk//值班表//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for seat in seats:
        shift = seat.shift
        event = icalendar.Event()
        event.add("uid", f"roster-seat-{seat.pk}@opsdesk")
        event.add("dtstamp", stamp)
        event.add("dtstart", shift.start.astimezone(tz()))
        event.add("dtend", shift.end.astimezone(tz()))
        who = seat.member.user.display_name if seat.member_id else "（未排）"
        event.add("summary", f"{seat.get_position_display()}·{shift.template.name}：{who}")
        phone = (seat.member.phone or seat.member.user.mobile) if seat.member_id else ""
        event.add("description", f"{shift.roster.name}\n{seat.get_position_display()} {who} {phone}".strip())
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def feed_seats_of_member(member_id: int, *, since: dt.datetime):
    return (
        Assignment.objects.filter(member_id=member_id, shift__roster__status=Roster.Status.PUBLISHED, shift__end__gt=since)
        .select_related("shift__template", "shift__roster", "member__user")
        .order_by("shift__start")
    )


def feed_seats_of_roster(roster: Roster):
    return (
        Assignment.objects.filter(shift__roster=roster, member__isnull=False)
        .select_related("shift__template", "shift__roster", "member__user")
        .order_by("shift__start", "position", "seat")
    )


def _cell(value) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def roster_csv(roster: Roster) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["日期", "班次", "开始", "结束", "岗位", "席位", "姓名", "值班电话", "未排原因"])
    seats = (
        Assignment.objects.filter(shift__roster=roster)
        .select_related("shift__template", "member__user")
        .order_by("shift__start", "shift_id", "position", "seat")
    )
    for seat in seats:
        shift = seat.shift
        member = seat.member
        writer.writerow([_cell(v) for v in [
            shift.date.isoformat(), shift.template.name,
            shift.start.astimezone(tz()).strftime("%Y-%m-%d %H:%M"), shift.end.astimezone(tz()).strftime("%Y-%m-%d %H:%M"),
            seat.get_position_display(), seat.seat,
            member.user.display_name if member else "", (member.phone or member.user.mobile) if member else "",
            seat.unfilled_reason,
        ]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def roster_print_html(roster: Roster) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # the printed roster is a Chinese document
        return _roster_print_html(roster)


def _roster_print_html(roster: Roster) -> str:
    grid = roster_grid(roster)
    rows = []
    for row in grid["rows"]:
        cells = [" ".join(f"{SHORT[s.position]}{s.shift.template.short_label}" for s in seats) for seats in row["cells"]]
        rows.append({"name": row["member"].user.display_name, "phone": row["member"].phone or row["member"].user.mobile, "cells": cells})
    leaders_by_day = []
    for i, _day in enumerate(grid["days"]):
        leaders_by_day.append("、".join(r["member"].user.display_name for r in grid["rows"] if any(s.position == Position.LEADER for s in r["cells"][i])))
    return render_to_string(
        "roster/print.html",
        {
            "roster": roster, "days": grid["days"], "rows": rows, "leaders": leaders_by_day,
            "unfilled": grid["unfilled"], "printed_at": timezone.localtime(),
            "legend": [(v, Position(k).label) for k, v in SHORT.items()],
        },
    )


def roster_pdf(roster: Roster) -> bytes:
    from weasyprint import HTML

    return HTML(string=roster_print_html(roster), base_url=str(settings.BASE_DIR)).write_pdf()
